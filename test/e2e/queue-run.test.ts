import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createMemoryLogger } from '../../core/index.js';
import { runPipeline } from '../../host/index.js';
import { runOutputFiles as outputs } from '../support/run-files.js';
import { FIXTURES, ROOT, tempDir } from '../core/pipeline/helpers.js';
import { freePort, startRedis, type TestRedis } from '../support/redis.js';
import { runCli, startCli, startWorker, stopWorkers, waitFor, type CliProcess } from '../support/queue-processes.js';

/**
 * The BullMQ executor end to end, with a real Redis (Debian's redis-server, started per test) and real
 * `soilscale worker` processes: outputs byte-identical to the in-process executor's, a worker killed
 * mid-job, the coordinating run killed and resumed, Redis restarted or gone mid-run, bad URLs.
 * Pipelines: the example pipeline (regression downscaling, tiled predict and residual correction), a
 * product validated by validator:raster (its summary stages: tables from partial sums), and
 * a tiled 3×3 filter on a 1100 × 600 field (6 tiles; `delayMs` keeps each tile busy long enough to kill
 * a process while it runs).
 */
const AFFINE = join(FIXTURES, 'queue', 'affine.json');
const AFFINE_STAGE = 'affine/affine';
/** The affine product validated by validator:raster: its two summary stages on the workers. */
const VALIDATE = join(FIXTURES, 'queue', 'validate.json');
const EXAMPLE = join(ROOT, 'pipelines', 'example.json');
const EXAMPLE_ARGS = ['--param', 'demo={"days":6,"coarseCells":[6,6],"fineFactor":11,"stations":15}', '--tile-size', '22'];
const SLOW = ['--param', 'delayMs=500'];
const bullmq = createRequire(join(ROOT, 'package.json'))('bullmq') as typeof import('bullmq');

function assertSameOutputs(got: Map<string, Buffer>, reference: Map<string, Buffer>): void {
  assert.deepEqual([...got.keys()], [...reference.keys()]);
  for (const [f, bytes] of reference) assert.ok(got.get(f)!.equals(bytes), `${f} differs from the in-process run's`);
}

/** Tiles of `stage` the workers report done. */
function tilesDone(workers: readonly CliProcess[], stage = AFFINE_STAGE): number {
  return workers.reduce((n, w) => n + (w.output().match(new RegExp(`tile \\d+ of ${stage} done`, 'g')) ?? []).length, 0);
}

/** A Redis with `workers` workers, all stopped at the end. */
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

function openQueue(redis: TestRedis): import('bullmq').Queue {
  return new bullmq.Queue('soilscale-tiles', { connection: { host: '127.0.0.1', port: redis.port } });
}

describe('tile queue: BullMQ on a real Redis', { concurrency: false }, () => {
  const dir = tempDir('soilscale-queue-');
  let affine: Map<string, Buffer>;

  before(async () => {
    await runPipeline(AFFINE, { out: join(dir, 'affine-local'), report: false, logger: createMemoryLogger() });
    affine = outputs(join(dir, 'affine-local'));
    assert.equal(affine.size, 2);
  });

  it('local and queue executors: byte-identical products and tables; deterministic job ids; a tile failing for good names stage, tile, worker and error', async () => {
    const local = await runCli(['run', EXAMPLE, '--out', join(dir, 'example-local'), ...EXAMPLE_ARGS]);
    assert.equal(local.code, 0, local.output);
    await withQueue(2, async (redis, pool) => {
      const queued = await runCli(['run', EXAMPLE, '--out', join(dir, 'example-queue'), ...EXAMPLE_ARGS, '--queue', redis.url]);
      assert.equal(queued.code, 0, queued.output);
      const reference = outputs(join(dir, 'example-local'));
      assert.ok([...reference.keys()].some((f) => f.startsWith('sm_1km-regression/')) && [...reference.keys()].some((f) => f.startsWith('tables/')));
      assertSameOutputs(outputs(join(dir, 'example-queue')), reference);
      const predictTiles = tilesDone(pool, 'down_regression/predict');
      assert.ok(predictTiles > 1, 'the predict stage ran tile by tile on the workers');

      const queue = openQueue(redis);
      try {
        const jobs = (await queue.getCompleted(0, -1)).filter((j) => j.data.stage === 'down_regression/predict');
        const expected = Array.from({ length: predictTiles }, (_, t) => `down_regression/predict:${t}`);
        assert.deepEqual(jobs.map((j) => j.id!.replace(/^[0-9a-f]{64}:/, '')).sort(), expected.sort(), 'one job per tile, id <run hash>:<stage>:<tile>');
        for (const job of jobs) assert.ok(pool.some((w) => w.name === job.processedBy), `${job.id} ran on ${job.processedBy}`);
      } finally {
        await queue.close();
      }

      const validateArgs = (out: string) => ['run', VALIDATE, '--out', join(dir, out), '--tile-size', '64'];
      const validatedLocal = await runCli(validateArgs('validate-local'));
      assert.equal(validatedLocal.code, 0, validatedLocal.output);
      const validatedQueued = await runCli([...validateArgs('validate-queue'), '--queue', redis.url]);
      assert.equal(validatedQueued.code, 0, validatedQueued.output);
      const validated = outputs(join(dir, 'validate-local'));
      assert.ok([...validated.keys()].some((f) => /^tables\/check\.perDate\./.test(f)), 'the validator wrote its tables');
      assertSameOutputs(outputs(join(dir, 'validate-queue')), validated);
      assert.ok(tilesDone(pool, 'check/totals') > 1 && tilesDone(pool, 'check/centred') > 1, 'both validation stages ran tile by tile on the workers');

      const failing = await runCli(['run', AFFINE, '--out', join(dir, 'failing'), '--queue', redis.url, '--param', 'fail=true']);
      assert.equal(failing.code, 1, failing.output);
      assert.match(failing.output, /failed on worker .* \(attempt [12] of 3\), retrying: deliberate failure/, "a retry is announced (the attempt count is read when the event is handled)");
      assert.match(failing.output, new RegExp(`error: .*tile 0 of stage ${AFFINE_STAGE} failed for good after 3 attempts on worker [^:]+:\\d+: deliberate failure of the tile at the origin`));
      assert.doesNotMatch(failing.output, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(join(dir, 'failing')), false);
    });
  });

  it('a worker killed (SIGKILL, its children too) mid-job: the job stalls, the other worker runs it, the product is identical', async () => {
    await withQueue(2, async (redis, [victim, survivor]) => {
      const out = join(dir, 'killed-worker');
      const run = startCli(['run', AFFINE, '--out', out, '--queue', redis.url, ...SLOW]);
      const queue = openQueue(redis);
      try {
        const stuck = await waitFor('a job active on the victim', async () => (await queue.getActive()).find((j) => j.processedBy === victim.name));
        victim.kill('SIGKILL');
        const { code } = await run.exited;
        assert.equal(code, 0, run.output());
        assertSameOutputs(outputs(out), affine);
        const recovered = await queue.getJob(stuck.id!);
        assert.equal(await recovered!.getState(), 'completed');
        assert.ok(recovered!.stalledCounter >= 1, `stalledCounter ${recovered!.stalledCounter}`);
        assert.equal(recovered!.processedBy, survivor.name);
        assert.match(run.output(), new RegExp(`tile ${stuck.data.tile} of stage ${AFFINE_STAGE} stalled`));
      } finally {
        await queue.close();
      }
    });
  });

  it('the coordinating run killed (SIGKILL) mid-stage, then --resume: identical product, no finished tile computed again', async () => {
    await withQueue(2, async (redis, pool) => {
      const out = join(dir, 'killed-run');
      const done = join(`${out}.resume`, 'tiles', AFFINE_STAGE, 'done');
      const run = startCli(['run', AFFINE, '--out', out, '--queue', redis.url, '--resumable', ...SLOW]);
      await waitFor('a finished tile', () => existsSync(done) && readdirSync(done).length > 0);
      run.kill('SIGKILL');
      assert.equal((await run.exited).signal, 'SIGKILL');
      assert.ok(readdirSync(done).length < 6, 'killed before the stage was complete');

      const resumed = await runCli(['run', AFFINE, '--out', out, '--queue', redis.url, '--resume', ...SLOW]);
      assert.equal(resumed.code, 0, resumed.output);
      assertSameOutputs(outputs(out), affine);
      const kept = Number(/stage affine\/affine: (\d+) of 6 tiles kept from the interrupted run/.exec(resumed.output)?.[1]);
      assert.ok(kept >= 1, resumed.output);
      // Jobs queued by the dead run went on; the resumed run queued the same ids (no duplicates) for the rest.
      assert.equal(tilesDone(pool), 6, 'each of the 6 tiles computed exactly once over both runs');
    });
  });

  it('Redis restarted mid-run without persistence (every job lost): the jobs are queued again and the run completes identically', async () => {
    await withQueue(2, async (redis, pool) => {
      const out = join(dir, 'redis-restart');
      const run = startCli(['run', AFFINE, '--out', out, '--queue', redis.url, ...SLOW]);
      await waitFor('a finished tile', () => tilesDone(pool) > 0);
      await redis.restart();
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      assertSameOutputs(outputs(out), affine);
      assert.match(run.output(), /is no longer in Redis \(restarted without persistence\?\); queued again/);
    });
  });

  it('Redis gone for good mid-run: the run fails after --queue-outage naming the URL, and leaves no product', async () => {
    await withQueue(1, async (redis, [worker]) => {
      const out = join(dir, 'redis-gone');
      const run = startCli(['run', AFFINE, '--out', out, '--queue', redis.url, ...SLOW, '--queue-outage', '2']);
      await waitFor('a finished tile', () => tilesDone([worker]) > 0);
      await redis.stop(true);
      const { code } = await run.exited;
      assert.equal(code, 1, run.output());
      assert.match(run.output(), new RegExp(`error: .*--queue: lost the connection to Redis at ${redis.url.replace(/[./]/g, '\\$&')} for \\d+ s: connection refused`));
      assert.equal(existsSync(out), false);
      worker.kill('SIGKILL'); // its running job cannot be reported without Redis: nothing to wait for
    });
  });

  it('Redis unreachable, a wrong URL, a missing database: one clear error naming the URL; no output folder', async () => {
    const port = await freePort();
    const down = await runCli(['run', AFFINE, '--out', join(dir, 'down'), '--queue', `redis://127.0.0.1:${port}/0`]);
    assert.equal(down.code, 1);
    assert.match(down.output, new RegExp(`error: --queue: cannot use Redis at redis://127\\.0\\.0\\.1:${port}/0: connection refused`));
    assert.equal(existsSync(join(dir, 'down')), false);

    const scheme = await runCli(['run', AFFINE, '--out', join(dir, 'scheme'), '--queue', 'http://127.0.0.1:6379/0']);
    assert.equal(scheme.code, 2);
    assert.match(scheme.output, /--queue: unsupported scheme http \(expected redis:\/\/\[user:password@\]host\[:port\]\[\/db\]/);

    const redis = await startRedis();
    try {
      const worker = await runCli(['worker', '--queue', redis.url.replace(/\/0$/, '/99')]);
      assert.equal(worker.code, 1);
      assert.match(worker.output, /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+\/99: no such database on that server .*found ERR DB index is out of range/);
    } finally {
      await redis.stop();
    }
    assert.doesNotMatch(down.output + scheme.output, /\n\s+at /, 'no stack trace');
  });
});
