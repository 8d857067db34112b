/**
 * The distributed tile executor: a stage's tile jobs go to a BullMQ queue on Redis, `soilscale worker`
 * processes on any machine run them (`queue-worker.ts`), and this side waits until every tile's record
 * is in the shared tile store and checks.
 *
 * Completion is decided by the records, not by Redis: a job's `completed` event (or its state, polled)
 * only prompts a look at `<store>/<stage>/done/<tile>.json`, and a tile counts as done when its record
 * matches its block. So a lost event, a Redis restarted without persistence (jobs vanish: they are queued
 * again), or a worker writing to storage this process does not see can never make a product look complete.
 *
 * Lives in core (not host/) because it needs nothing but the tile store and BullMQ, which is imported
 * lazily: a run without `--queue` never loads it.
 */
import type { Logger } from '../services/logger.js';
import { runtimeError } from '../errors.js';
import { checkRedis, describeRedisError, parseQueueUrl, redisOptions, settlesWithin, type QueueAddress } from './queue-connection.js';
import { finishedRecord } from './store.js';
import type { TileExecutor, TileJob, TileRecord } from './types.js';

export interface QueueExecutorOptions {
  /** `redis://host:port/db[?queue=name]`. */
  readonly url: string;
  readonly logger?: Logger;
  /** Runs of a job before it fails for good (1 + retries); default 3. */
  readonly attempts?: number;
  /** Delay before the first retry, doubled at each further one (BullMQ's exponential backoff); default 2000 ms. */
  readonly backoffMs?: number;
  /** How long Redis may stay unreachable mid-run before the run fails; default 120 000 ms. */
  readonly unreachableMs?: number;
  /** Interval of the reconciliation against job states and records (catches lost events); default 2000 ms. */
  readonly pollMs?: number;
  /** After this long without a finished tile, log the queue's counts and workers; default 30 000 ms. */
  readonly stallNoticeMs?: number;
}

/** BullMQ job ids are `<run hash>:<stage id>:<tile>`: the same run resumed queues the same ids, which BullMQ does not duplicate. */
export function tileJobId(job: TileJob): string {
  return `${job.run}:${job.stage}:${job.tile}`;
}

/** A completed job whose record is missing or wrong is queued again this many times before the run fails. */
const MAX_RECORD_MISSES = 2;
const ADD_CHUNK = 500;
const CHECK_CHUNK = 64;

/**
 * Completed jobs stay in Redis for an hour (to inspect, and so a resumed run re-enqueueing them is a no-op),
 * at most 10 000 of them; failed jobs for a week (their error and stack trace are the evidence).
 */
const KEEP_COMPLETED = { age: 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

/** A `TileExecutor` on a BullMQ queue. Nothing connects until the first `run`. */
export function createQueueExecutor(options: QueueExecutorOptions): TileExecutor & { readonly address: QueueAddress } {
  const address = parseQueueUrl(options.url);
  let session: Promise<QueueSession> | undefined;
  return {
    name: 'queue',
    address,
    async run(jobs, onDone) {
      if (jobs.length === 0) return;
      session ??= openSession(address, options);
      await (await session).run(jobs, onDone);
    },
    async close() {
      if (session) await (await session.catch(() => undefined))?.close();
      session = undefined;
    },
  };
}

type BullQueue = import('bullmq').Queue;
type BullQueueEvents = import('bullmq').QueueEvents;

interface QueueSession {
  run(jobs: readonly TileJob[], onDone?: (record: TileRecord) => void): Promise<void>;
  close(): Promise<void>;
}

async function openSession(address: QueueAddress, options: QueueExecutorOptions): Promise<QueueSession> {
  const logger = options.logger;
  const { version } = await checkRedis(address);
  const { Queue, QueueEvents } = await import('bullmq');
  const connection = redisOptions(address);
  const queue = new Queue(address.queue, { connection });
  const events = new QueueEvents(address.queue, { connection });
  const health = new ConnectionHealth(address, options.unreachableMs ?? 120_000, logger);
  queue.on('error', (e) => health.failed(e));
  events.on('error', (e) => health.failed(e));
  const backend = queue.getBackend();
  backend.on('ready', () => health.ready());
  backend.on('close', () => health.down());
  await events.waitUntilReady();
  logger?.info(`tile queue "${address.queue}" on ${address.display} (Redis ${version})`);
  return {
    run: (jobs, onDone) => new StageWait(queue, events, health, jobs, options, onDone).run(),
    async close() {
      // BullMQ's close waits for Redis; with Redis gone it would wait forever (and a process with nothing
      // else to do would then end silently): give it a few seconds, then drop the connections.
      if (!health.isDown && (await settlesWithin(Promise.allSettled([events.close(), queue.close()]), CLOSE_WAIT_MS))) return;
      await settlesWithin(Promise.allSettled([events.disconnect(), queue.disconnect()]), 1000);
    },
  };
}

/** Tracks whether Redis answers; a run fails once it has not answered for longer than allowed. */
class ConnectionHealth {
  private downSince: number | undefined;
  private lastError: unknown;
  constructor(
    private readonly address: QueueAddress,
    private readonly allowedMs: number,
    private readonly logger: Logger | undefined,
  ) {}
  /** An error event: remembered for the message; only the connection's `close` and `ready` say whether Redis is down. */
  failed(e: unknown): void {
    this.lastError = e;
  }
  down(): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.logger?.warn(`lost the connection to Redis at ${this.address.display}; reconnecting (the run fails if it is not back within ${Math.round(this.allowedMs / 1000)} s)`);
  }
  ready(): void {
    if (this.downSince === undefined) return;
    this.downSince = undefined;
    this.logger?.info(`Redis at ${this.address.display} is back`);
  }
  get isDown(): boolean {
    return this.downSince !== undefined;
  }
  /** The run's error when the outage lasted too long, else undefined. */
  verdict(): Error | undefined {
    if (this.downSince === undefined || Date.now() - this.downSince < this.allowedMs) return undefined;
    const seconds = Math.round((Date.now() - this.downSince) / 1000);
    return runtimeError(`lost the connection to Redis at ${this.address.display} for ${seconds} s: ${describeRedisError(this.lastError)}`, {
      path: '--queue',
      expected: `Redis back within ${Math.round(this.allowedMs / 1000)} s (--queue-outage)`,
      found: 'no answer',
    });
  }
}

/** Enqueues one stage's jobs and waits until every tile's record is present and checks. */
class StageWait {
  private readonly pending = new Map<string, TileJob>();
  private readonly misses = new Map<string, number>();
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly logger: Logger | undefined;
  private lastProgress = Date.now();
  private noWorkerWarned = false;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private finished = false;
  private readonly checking = new Set<string>();
  private reconciling = false;

  constructor(
    private readonly queue: BullQueue,
    private readonly events: BullQueueEvents,
    private readonly health: ConnectionHealth,
    jobs: readonly TileJob[],
    private readonly options: QueueExecutorOptions,
    private readonly onDone?: (record: TileRecord) => void,
  ) {
    for (const job of jobs) this.pending.set(tileJobId(job), job);
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? 2000;
    this.logger = options.logger;
  }

  async run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    const listeners = {
      completed: ({ jobId }: { jobId: string }) => void this.check(jobId),
      failed: ({ jobId, failedReason }: { jobId: string; failedReason: string }) => void this.guard(this.onFailed(jobId, failedReason)),
      // BullMQ puts a job that failed but has attempts left in the delayed set (the backoff): say so.
      delayed: ({ jobId }: { jobId: string }) => void this.guard(this.onFailed(jobId)),
      stalled: ({ jobId }: { jobId: string }) => {
        const job = this.pending.get(jobId);
        if (job) this.logger?.warn(`tile ${job.tile} of stage ${job.stage} stalled (its worker stopped renewing the lock: lost or overloaded); it runs again`);
      },
    };
    for (const [event, fn] of Object.entries(listeners)) this.events.on(event as 'completed', fn as never);
    const timer = setInterval(() => void this.reconcile(), this.options.pollMs ?? 2000);
    try {
      await this.enqueue([...this.pending.values()]);
      await this.requeueEarlierFailures();
      await this.reconcile();
      await done;
    } catch (e) {
      await this.withdraw();
      throw e;
    } finally {
      clearInterval(timer);
      for (const [event, fn] of Object.entries(listeners)) this.events.off(event as 'completed', fn as never);
    }
  }

  private async enqueue(jobs: readonly TileJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += ADD_CHUNK) {
      await this.queue.addBulk(
        jobs.slice(i, i + ADD_CHUNK).map((job) => ({
          name: job.stage,
          data: job,
          opts: {
            jobId: tileJobId(job),
            attempts: this.attempts,
            backoff: { type: 'exponential', delay: this.backoffMs },
            removeOnComplete: KEEP_COMPLETED,
            removeOnFail: KEEP_FAILED,
          },
        })),
      );
    }
  }

  /**
   * Jobs of this run that failed for good before (an earlier attempt of the run, resumed now) stay in
   * BullMQ's failed set, where re-adding them is a no-op: give each one a fresh start.
   */
  private async requeueEarlierFailures(): Promise<void> {
    const ids = [...this.pending.keys()];
    for (let i = 0; i < ids.length; i += CHECK_CHUNK) {
      const chunk = ids.slice(i, i + CHECK_CHUNK);
      const states = await Promise.all(chunk.map((id) => this.queue.getJobState(id)));
      const failed = chunk.filter((_, k) => states[k] === 'failed');
      if (!failed.length) continue;
      this.logger?.info(`${failed.length} tiles failed in an earlier attempt of this run: trying them again`);
      await Promise.all(failed.map((id) => this.queue.remove(id)));
      await this.enqueue(failed.map((id) => this.pending.get(id)!));
    }
  }

  /** An error of Redis or storage while waiting fails the run, unless Redis is away (the outage limit decides then). */
  private async guard(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (e) {
      if (!this.health.isDown) this.fail(e as Error);
    }
  }

  /** A job's record is present and checks: the tile is done. Otherwise decide from the job's state. */
  private async check(id: string): Promise<void> {
    const job = this.pending.get(id);
    if (!job || this.finished || this.checking.has(id)) return;
    this.checking.add(id);
    try {
      await this.guard(this.decide(id, job));
    } finally {
      this.checking.delete(id);
    }
  }

  /** The record decides (its block checked by size: the worker hashed what it wrote); without one, the job's state: vanished (queue it again), completed (look again, then rerun), failed. */
  private async decide(id: string, job: TileJob): Promise<void> {
    const record = await finishedRecord(job.store, job.stage, job.stageHash, job.tile, false, 'size');
    if (record) return this.done(id, record);
    const state = await this.queue.getJobState(id);
    if (state === 'unknown') {
      // Gone from Redis without a record: Redis restarted without persistence, or the job was removed by hand.
      this.logger?.warn(`tile ${job.tile} of stage ${job.stage} is no longer in Redis (restarted without persistence?); queued again`);
      await this.enqueue([job]);
    } else if (state === 'completed') {
      // The worker writes the record before it completes the job: look once more before counting a miss.
      const late = await finishedRecord(job.store, job.stage, job.stageHash, job.tile, false, 'size');
      if (late) return this.done(id, late);
      const misses = (this.misses.get(id) ?? 0) + 1;
      this.misses.set(id, misses);
      if (misses > MAX_RECORD_MISSES) return this.fail(recordMissing(job));
      this.logger?.warn(`tile ${job.tile} of stage ${job.stage}: its job completed but its record is missing or does not match its block; running it again`);
      await this.queue.remove(id);
      await this.enqueue([job]);
    } else if (state === 'failed') await this.onFailed(id);
  }

  private done(id: string, record: TileRecord): void {
    if (!this.pending.delete(id)) return;
    this.lastProgress = Date.now();
    this.onDone?.(record);
    if (this.pending.size === 0) this.finish();
  }

  /** A `failed` event: a retry is scheduled unless the job is now in the failed set. */
  private async onFailed(id: string, reason?: string): Promise<void> {
    const tileJob = this.pending.get(id);
    if (!tileJob || this.finished) return;
    const job = await this.queue.getJob(id);
    const state = job ? await job.getState() : 'unknown';
    const why = job?.failedReason ?? reason ?? 'unknown error';
    const worker = job?.processedBy ? ` on worker ${job.processedBy}` : '';
    if (state !== 'failed') {
      if (!job?.failedReason) return;
      this.logger?.warn(`tile ${tileJob.tile} of stage ${tileJob.stage} failed${worker} (attempt ${job?.attemptsMade ?? '?'} of ${this.attempts}), retrying: ${why}`);
      return;
    }
    this.fail(
      runtimeError(`tile ${tileJob.tile} of stage ${tileJob.stage} failed for good after ${job?.attemptsMade ?? this.attempts} attempts${worker}: ${why} (job ${id})`),
    );
  }

  /** The periodic look at every pending tile: records that appeared, jobs that vanished or failed, Redis outages. */
  private async reconcile(): Promise<void> {
    if (this.finished) return;
    // Before the guard below: a look begun just before Redis went away waits for it (commands are queued).
    const outage = this.health.verdict();
    if (outage) return this.fail(outage);
    if (this.health.isDown || this.reconciling) return;
    this.reconciling = true;
    try {
      const ids = [...this.pending.keys()];
      for (let i = 0; i < ids.length && !this.finished; i += CHECK_CHUNK) await Promise.all(ids.slice(i, i + CHECK_CHUNK).map((id) => this.check(id)));
      if (!this.finished && Date.now() - this.lastProgress > (this.options.stallNoticeMs ?? 30_000)) await this.guard(this.notice());
    } finally {
      this.reconciling = false;
    }
  }

  /** Nothing finished for a while: say what the queue holds, and whether anyone serves it. */
  private async notice(): Promise<void> {
    this.lastProgress = Date.now();
    const [counts, workers] = await Promise.all([this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), this.queue.getWorkersCount()]);
    const address = `queue "${this.queue.name}"`;
    if (workers === 0 && !this.noWorkerWarned) {
      this.noWorkerWarned = true;
      this.logger?.warn(`no worker serves ${address}: start one with \`soilscale worker --queue <the same URL>\` on a machine that sees ${[...this.pending.values()][0]?.store}`);
    } else {
      this.logger?.info(`${this.pending.size} tiles left; ${address}: ${counts.waiting + counts.prioritized} waiting, ${counts.active} active, ${counts.delayed} delayed (retry), ${workers} workers`);
    }
  }

  private finish(): void {
    this.finished = true;
    this.settle.resolve();
  }

  private fail(e: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.settle.reject(e);
  }

  /** The run failed: take its jobs that no worker started off the queue (finished tiles stay on storage for --resume). */
  private async withdraw(): Promise<void> {
    if (this.health.isDown) return;
    await Promise.allSettled([...this.pending.keys()].map((id) => this.queue.remove(id)));
  }
}

const CLOSE_WAIT_MS = 3000;

function recordMissing(job: TileJob): Error {
  return runtimeError(`tile ${job.tile} of stage ${job.stage}: its job completed ${MAX_RECORD_MISSES + 1} times but its record is missing or does not match its block`, {
    path: `${job.store}/${job.stage}/done/${job.tile}.json`,
    expected: 'the record the worker wrote, seen here (do the workers and this machine see the same storage at that path?)',
    found: 'no matching record',
  });
}
