import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FIXTURES, ROOT, tempDir } from '../core/pipeline/helpers.js';
import { freePort, startRedis, type TestRedis } from '../support/redis.js';
import { runCli, startCli, startWorker, stopWorkers, waitFor, type CliProcess } from '../support/queue-processes.js';

/**
 * The BullMQ executor end to end, with a real Redis (Debian's redis-server) and real `soilscale worker`
 * processes: products byte-identical to the in-process executor's, a worker killed mid-job, Redis
 * restarted or gone mid-run, bad URLs. The pipeline is a tiled per-pixel stage on a 1100 × 600 field
 * (6 tiles of 512 px, a 1-pixel halo so tile edges matter).
 */
const PIPELINE = join(FIXTURES, 'queue', 'affine.json');
const bullmq = createRequire(join(ROOT, 'package.json'))('bullmq') as typeof import('bullmq');

/** The product files of a run folder, by relative path. */
function products(out: string): Map<string, Buffer> {
  const dir = join(out, 'filtered');
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

function assertSameProducts(out: string, reference: Map<string, Buffer>): void {
  const got = products(out);
  assert.deepEqual([...got.keys()], [...reference.keys()]);
  for (const [f, bytes] of reference) assert.ok(got.get(f)!.equals(bytes), `${f} differs from the in-process run's`);
}

/** A queue on `redis` with this test's workers, stopped (and Redis too) at the end. */
async function withQueue(workers: number, body: (redis: TestRedis, pool: CliProcess[]) => Promise<void>): Promise<void> {
  const redis = await startRedis();
  const pool = Array.from({ length: workers }, () => startWorker(redis.url));
  try {
    await Promise.all(pool.map((w) => waitFor(`worker ${w.name} to start`, () => /serves queue/.test(w.output()))));
    await body(redis, pool);
  } finally {
    await stopWorkers(pool);
    await redis.stop();
  }
}

describe('tile queue: BullMQ on a real Redis', { concurrency: false }, () => {
  let reference: Map<string, Buffer>;
  const dir = tempDir('soilscale-queue-');

  before(async () => {
    const local = await runCli(['run', PIPELINE, '--out', join(dir, 'local')]);
    assert.equal(local.code, 0, local.output);
    reference = products(join(dir, 'local'));
    assert.equal(reference.size, 2);
  });

  it('local and queue executors give byte-identical products; the jobs carry deterministic ids and ran on the workers', async () => {
    await withQueue(2, async (redis, pool) => {
      const r = await runCli(['run', PIPELINE, '--out', join(dir, 'queue'), '--queue', redis.url]);
      assert.equal(r.code, 0, r.output);
      assertSameProducts(join(dir, 'queue'), reference);
      const done = pool.map((w) => (w.output().match(/tile \d+ of affine\/affine done/g) ?? []).length);
      assert.equal(done[0] + done[1], 6, pool.map((w) => w.output()).join('\n'));
      const queue = new bullmq.Queue('soilscale-tiles', { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        const completed = await queue.getCompleted();
        assert.equal(completed.length, 6);
        for (const job of completed) assert.match(job.id!, /^[0-9a-f]{64}:affine\/affine:[0-5]$/);
        const names = pool.map((w) => w.name);
        for (const job of completed) assert.ok(names.includes(job.processedBy!), `${job.id} processed by ${job.processedBy}, not one of ${names.join(', ')}`);
      } finally {
        await queue.close();
      }
    });
  });

  it('a worker killed (SIGKILL, its children too) mid-job: the job stalls, another worker runs it, the product is identical', async () => {
    await withQueue(2, async (redis, [victim, survivor]) => {
      const run = startCli(['run', PIPELINE, '--out', join(dir, 'killed-worker'), '--queue', redis.url, '--param', 'delayMs=700']);
      const queue = new bullmq.Queue('soilscale-tiles', { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        const stuck = await waitFor('a job active on the victim', async () => (await queue.getActive()).find((j) => j.processedBy === victim.name));
        victim.kill('SIGKILL');
        const { code } = await run.exited;
        assert.equal(code, 0, run.output());
        assertSameProducts(join(dir, 'killed-worker'), reference);
        const recovered = await queue.getJob(stuck.id!);
        assert.equal(await recovered?.getState(), 'completed');
        assert.ok(recovered!.stalledCounter >= 1, `stalledCounter ${recovered!.stalledCounter}`);
        assert.equal(recovered!.processedBy, survivor.name);
        assert.match(run.output(), new RegExp(`tile ${stuck.data.tile} of stage affine/affine stalled`));
      } finally {
        await queue.close();
      }
    });
  });

  it('Redis restarted mid-run without persistence (every job lost): the jobs are queued again and the run completes identically', async () => {
    await withQueue(2, async (redis, pool) => {
      const out = join(dir, 'redis-restart');
      const run = startCli(['run', PIPELINE, '--out', out, '--queue', redis.url, '--param', 'delayMs=700']);
      await waitFor('a finished tile', () => pool.some((w) => /tile \d+ of affine\/affine done/.test(w.output())));
      await redis.restart();
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      assertSameProducts(out, reference);
      assert.match(run.output(), /is no longer in Redis \(restarted without persistence\?\); queued again/);
    });
  });

  it('a tile failing for good fails the run naming the stage, the tile, the worker and its error; nothing is written', async () => {
    await withQueue(1, async (redis, [worker]) => {
      const out = join(dir, 'failing');
      const r = await runCli(['run', PIPELINE, '--out', out, '--queue', redis.url, '--param', 'fail=true']);
      assert.equal(r.code, 1, r.output);
      assert.match(r.output, new RegExp(`error: node 'affine' failed: tile 0 of stage affine/affine failed for good after 3 attempts on worker ${worker.name}: deliberate failure of the tile at the origin`));
      assert.match(r.output, /failed on worker .* \(attempt 1 of 3\), retrying/);
      assert.equal(existsSync(out), false);
    });
  });

  it('Redis unreachable, a wrong URL, a missing database: one clear error naming the URL; no output folder', async () => {
    const port = await freePort();
    const down = await runCli(['run', PIPELINE, '--out', join(dir, 'down'), '--queue', `redis://127.0.0.1:${port}/0`]);
    assert.equal(down.code, 1);
    assert.match(down.output, new RegExp(`error: --queue: cannot use Redis at redis://127\\.0\\.0\\.1:${port}/0: connection refused`));
    assert.equal(existsSync(join(dir, 'down')), false);

    const worker = await runCli(['worker', '--queue', `redis://127.0.0.1:${port}/0`]);
    assert.equal(worker.code, 1);
    assert.match(worker.output, /cannot use Redis at .*: connection refused/);

    const scheme = await runCli(['run', PIPELINE, '--out', join(dir, 'scheme'), '--queue', 'http://127.0.0.1:6379/0']);
    assert.equal(scheme.code, 2);
    assert.match(scheme.output, /--queue: unsupported scheme http \(expected redis:\/\/\[user:password@\]host\[:port\]\[\/db\]/);

    const redis = await startRedis();
    try {
      const missing = await runCli(['run', PIPELINE, '--out', join(dir, 'db'), '--queue', redis.url.replace(/\/0$/, '/99')]);
      assert.equal(missing.code, 1);
      assert.match(missing.output, /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+\/99: no such database on that server .*found ERR DB index is out of range/);
    } finally {
      await redis.stop();
    }
    assert.doesNotMatch(down.output + worker.output + scheme.output, /\n\s+at /, 'no stack trace');
  });

  it('Redis gone for good mid-run: the run fails after --queue-outage naming the URL, and leaves no product', async () => {
    await withQueue(1, async (redis, [worker]) => {
      const out = join(dir, 'redis-gone');
      const run = startCli(['run', PIPELINE, '--out', out, '--queue', redis.url, '--param', 'delayMs=700', '--queue-outage', '3']);
      await waitFor('a finished tile', () => /tile \d+ of affine\/affine done/.test(worker.output()));
      await redis.stop(true);
      const { code } = await run.exited;
      assert.equal(code, 1, run.output());
      assert.match(run.output(), new RegExp(`error: node 'affine' failed: --queue: lost the connection to Redis at ${redis.url.replace(/[./]/g, '\\$&')} for \\d+ s`));
      assert.equal(existsSync(out), false);
      worker.kill('SIGKILL'); // its job cannot be reported without Redis: nothing to wait for
    });
  });
});
