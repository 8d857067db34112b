import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from '../../../core/tiles/queue-connection.js';

describe('--queue URL', () => {
  it('reads host, port, database, credentials, TLS and the queue name; masks the password in what it shows', () => {
    assert.deepEqual(parseQueueUrl('redis://127.0.0.1:6380/2'), { display: 'redis://127.0.0.1:6380/2', host: '127.0.0.1', port: 6380, db: 2, username: undefined, password: undefined, tls: false, queue: DEFAULT_QUEUE_NAME });
    const full = parseQueueUrl('rediss://ops:s%3Acret@redis.internal/5?queue=team-a');
    assert.deepEqual(
      { ...full },
      { display: 'rediss://ops:***@redis.internal/5?queue=team-a', host: 'redis.internal', port: 6379, db: 5, username: 'ops', password: 's:cret', tls: true, queue: 'team-a' },
    );
    assert.equal(parseQueueUrl('redis://[::1]:7000').host, '::1');
    assert.equal(parseQueueUrl('redis://[::1]:7000').db, 0);
  });

  it('refuses what is not a Redis URL, naming the option, the expected form and what was found (password masked)', () => {
    const cases: Array<[string, RegExp]> = [
      ['localhost:6379', /--queue: unsupported scheme localhost/],
      ['http://h:6379/0', /--queue: unsupported scheme http \(expected redis:\/\/\[user:password@\]host/],
      ['redis://h:6379/zero', /the database must be a number, got "zero"/],
      ['redis://h:6379/0?queue=a:b', /the queue name may hold letters, digits/],
      ['redis://h:6379/0?db=1', /unknown URL parameter db/],
      ['not a url', /--queue: not a URL/],
      ['redis://u:secret@h:6379/x', /found "redis:\/\/u:\*\*\*@h:6379\/x"/],
    ];
    for (const [url, message] of cases) assert.throws(() => parseQueueUrl(url), message, url);
    assert.throws(() => parseQueueUrl('redis://u:secret@h:6379/x'), (e: Error) => !e.message.includes('secret'));
  });
});
