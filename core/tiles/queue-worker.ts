/**
 * The serving side of the tile queue (`soilscale worker --queue …`): a BullMQ worker whose jobs run in
 * sandboxed child processes, so a CPU-bound tile never blocks the event loop that renews the job's lock.
 *
 * Lock and stall timing: a job's lock lasts `lockDurationMs` and the worker renews it every half of that;
 * every `stalledIntervalMs` each worker looks for active jobs whose lock expired (their worker died or
 * lost Redis) and puts them back in the queue, at most `maxStalledCount` times per job before it fails.
 * A job on a machine that died is therefore running again after at most lockDuration + stalledInterval.
 */
import { hostname } from 'node:os';
import type { Logger } from '../services/logger.js';
import { checkRedis, parseQueueUrl, redisOptions, settlesWithin, type QueueAddress } from './queue-connection.js';
import type { TileJob } from './types.js';

export interface TileWorkerOptions {
  /** `redis://host:port/db[?queue=name]`: the same URL as the runs'. */
  readonly url: string;
  /** Absolute path of the sandboxed processor module (its default export runs one `TileJob`). */
  readonly processor: string;
  /** Jobs run at once (one child process each); default 1. */
  readonly concurrency?: number;
  /** Default 60 000 ms (a tile takes seconds; the lock is renewed every half of this). */
  readonly lockDurationMs?: number;
  /** Default 30 000 ms. */
  readonly stalledIntervalMs?: number;
  /** Default 2: a job whose worker died twice is not tried a third time. */
  readonly maxStalledCount?: number;
  /** Shown in each job (`processedBy`) and in the run's error messages; default `<host>:<pid>`. */
  readonly name?: string;
  readonly logger?: Logger;
}

export interface TileWorker {
  readonly name: string;
  readonly address: QueueAddress;
  /**
   * Stop taking jobs; let the running ones finish within `graceMs`, then stop the children. A job
   * stopped that way keeps its lock until it expires and runs again elsewhere (a stalled job).
   * Resolves false when even that could not be done cleanly (Redis unreachable): the caller should exit.
   */
  close(graceMs?: number): Promise<boolean>;
}

export const DEFAULT_LOCK_DURATION_MS = 60_000;
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
const FORCE_CLOSE_MS = 5000;

export async function startTileWorker(options: TileWorkerOptions): Promise<TileWorker> {
  const address = parseQueueUrl(options.url);
  await checkRedis(address);
  const { Worker } = await import('bullmq');
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const logger = options.logger;
  const started = new Map<string, number>();
  const worker = new Worker<TileJob>(address.queue, options.processor, {
    connection: redisOptions(address),
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: options.maxStalledCount ?? 2,
    useWorkerThreads: false,
  });
  worker.on('active', (job) => started.set(job.id ?? '', Date.now()));
  worker.on('completed', (job) => {
    const ms = Date.now() - (started.get(job.id ?? '') ?? Date.now());
    started.delete(job.id ?? '');
    logger?.info(`tile ${job.data.tile} of ${job.data.stage} done in ${ms} ms`);
  });
  worker.on('failed', (job, e) => {
    if (job) started.delete(job.id ?? '');
    logger?.warn(`tile ${job?.data.tile ?? '?'} of ${job?.data.stage ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${e.message}`);
  });
  // While Redis is away every reconnection attempt fails: say it once per minute, not ten times a second.
  let lastError = { message: '', at: 0 };
  worker.on('error', (e) => {
    if (e.message === lastError.message && Date.now() - lastError.at < 60_000) return;
    lastError = { message: e.message, at: Date.now() };
    logger?.error(`queue ${address.display}: ${e.message} (retrying)`);
  });
  await worker.waitUntilReady();
  logger?.info(`worker ${name} serves queue "${address.queue}" on ${address.display} (${options.concurrency ?? 1} at a time)`);
  return {
    name,
    address,
    async close(graceMs = 60_000) {
      // Idle, closing needs only Redis: no reason to wait the whole grace period if it does not answer.
      if (await settlesWithin(worker.close(), started.size ? graceMs : FORCE_CLOSE_MS)) return true;
      logger?.warn(`jobs still running after ${Math.round(graceMs / 1000)} s (or Redis unreachable): stopping them; they run again elsewhere once their lock expires`);
      if (await settlesWithin(worker.close(true), FORCE_CLOSE_MS)) return true;
      await settlesWithin(worker.disconnect(), FORCE_CLOSE_MS);
      return false;
    },
  };
}
