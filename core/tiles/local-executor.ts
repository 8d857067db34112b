import type { WorkerPool } from '../services/worker-pool.js';
import { tileLabel } from './store.js';
import type { TileExecutor, TileJob, TileModelLoader, TileRecord } from './types.js';
import { runTileJob } from './run-tile.js';
import type { TileJobTask } from './core-worker.js';

/**
 * The default executor: tile jobs on the run's worker-thread pool (inline with one thread). A failed
 * tile fails the run, naming its stage and tile; tiles already written stay in the store (a resumed
 * run keeps them).
 */
export function createLocalExecutor(pool: WorkerPool, task: TileJobTask): TileExecutor {
  return {
    name: 'local',
    async run(jobs: readonly TileJob[], onDone?: (record: TileRecord) => void): Promise<void> {
      let failure: unknown;
      let next = 0;
      // As many jobs in flight as threads (memory stays at a few tiles); after a failure no new job
      // starts, and the ones running settle before the run rejects (no write left in flight).
      const lane = async (): Promise<void> => {
        while (next < jobs.length && failure === undefined) {
          const job = jobs[next++];
          try {
            onDone?.(await pool.run(task, [job]));
          } catch (e) {
            failure ??= withTile(e, job);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, pool.size) }, lane));
      if (failure) throw failure;
    },
    async close() {},
  };
}

/**
 * Tile jobs run one after the other on the calling thread, models loaded by `models` (a library
 * context's: the plugins it was given, which a worker thread could not import by name).
 */
export function createInProcessExecutor(models: TileModelLoader): TileExecutor {
  return {
    name: 'local',
    async run(jobs: readonly TileJob[], onDone?: (record: TileRecord) => void): Promise<void> {
      for (const job of jobs) {
        try {
          onDone?.(await runTileJob(job, { models: async () => models }));
        } catch (e) {
          throw withTile(e, job);
        }
      }
    },
    async close() {},
  };
}

function withTile(e: unknown, job: TileJob): unknown {
  const label = tileLabel(job.stage, job.tile);
  if (e instanceof Error && !e.message.includes(label)) e.message = `${label}: ${e.message}`;
  return e;
}
