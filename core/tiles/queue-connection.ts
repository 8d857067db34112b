/**
 * Where the tile queue lives: a `redis://` URL (as `--queue` takes it), parsed and checked before any
 * job is queued, so a wrong host, port, database or password is one clear error naming the URL, not a
 * client library retrying forever. ioredis and bullmq are imported lazily: runs without a queue never load them.
 */
import { usageError, runtimeError } from '../errors.js';

/** The BullMQ queue every soilscale run and worker shares unless the URL names another (`?queue=name`). */
export const DEFAULT_QUEUE_NAME = 'soilscale-tiles';

export interface QueueAddress {
  /** The URL as given, password masked: what messages show. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The BullMQ queue name. */
  readonly queue: string;
}

const EXPECTED = 'redis://[user:password@]host[:port][/db][?queue=name], e.g. redis://127.0.0.1:6379/0';

/** Parse `redis://[user:password@]host[:port][/db][?queue=name]` (`rediss://` for TLS). */
export function parseQueueUrl(text: string, option = '--queue'): QueueAddress {
  const bad = (why: string): never => {
    throw usageError(why, { path: option, expected: EXPECTED, found: JSON.stringify(mask(text)) });
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad('not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') bad(`unsupported scheme ${url.protocol.replace(/:$/, '')}`);
  if (!url.hostname) bad('no host');
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) bad(`the database must be a number, got "${dbText}"`);
  const queue = url.searchParams.get('queue') ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9._-]+$/.test(queue)) bad(`the queue name may hold letters, digits, ".", "_" and "-" only, got "${queue}"`);
  const unknown = [...url.searchParams.keys()].filter((k) => k !== 'queue');
  if (unknown.length) bad(`unknown URL parameter ${unknown.join(', ')}`);
  return {
    display: mask(text),
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: dbText === '' ? 0 : Number(dbText),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === 'rediss:',
    queue,
  };
}

function mask(text: string): string {
  return text.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/**
 * ioredis options for BullMQ: `maxRetriesPerRequest: null` (BullMQ's requirement: a command waits for a
 * reconnection instead of failing), and reconnection forever with a capped delay — a Redis restarted
 * mid-run is reconnected to; how long a coordinator tolerates the outage is the executor's decision.
 */
export function redisOptions(address: QueueAddress): Record<string, unknown> {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    username: address.username,
    password: address.password,
    ...(address.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
}

/**
 * Connect once, without retries, and check what answers: a Redis server (version ≥ 5, BullMQ's minimum)
 * that accepts the credentials and the database. Fails with a runtime error naming the URL.
 */
export async function checkRedis(address: QueueAddress, timeoutMs = 5000): Promise<{ version: string }> {
  const { Redis } = await import('ioredis');
  const client = new Redis({
    ...redisOptions(address),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // With retries off, connect() rejects with "Connection is closed"; the cause (ECONNREFUSED…) is the error event.
  let cause: unknown;
  client.on('error', (e) => (cause ??= e));
  try {
    await client.connect().catch((e) => Promise.reject(cause ?? e));
    // ioredis reports a failed SELECT only as an error event and stays on database 0: select it explicitly.
    await client.select(address.db);
    const info = await client.info('server');
    const version = /redis_version:([\d.]+)/.exec(info)?.[1];
    if (!version) throw new Error('the server did not report a redis_version');
    if (Number(version.split('.')[0]) < 5) {
      throw runtimeError(`the Redis server at ${address.display} is too old for BullMQ`, { path: '--queue', expected: 'Redis 5.0 or newer (6.2+ recommended)', found: version });
    }
    return { version };
  } catch (e) {
    if ((e as { kind?: string }).kind) throw e;
    throw runtimeError(`cannot use Redis at ${address.display}: ${describeRedisError(e)}`, {
      path: '--queue',
      expected: `a Redis server answering at ${address.host}:${address.port}, database ${address.db}`,
      found: (e as { code?: string }).code ?? (e as Error).message,
    });
  } finally {
    client.disconnect();
  }
}

/** A Redis client error in words a user acts on. */
export function describeRedisError(e: unknown): string {
  if (e === undefined) return 'no answer';
  const code = (e as { code?: string }).code;
  const message = (e as Error)?.message ?? String(e);
  if (code === 'ECONNREFUSED') return 'connection refused (is redis-server running on that host and port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return 'no answer (timed out: firewall, wrong host or port?)';
  if (/WRONGPASS|NOAUTH|invalid password/i.test(message)) return 'authentication failed (check the user and password in the URL)';
  if (/DB index is out of range/i.test(message)) return 'no such database on that server (the number after the last "/")';
  if (/Connection is closed|ECONNRESET/i.test(message)) return 'the server closed the connection (is it a Redis server?)';
  return message;
}

/** Whether `promise` settles within `ms` (the timer keeps the process alive meanwhile): closing BullMQ connections waits for Redis, forever if it is gone. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
