import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { createConsoleLogger, usageError } from '../core/index.js';
import { DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS, startTileWorker } from '../host/index.js';

/** The sandboxed processor every job runs in: a child process of the worker (see tile-processor.ts). */
const PROCESSOR = fileURLToPath(new URL('./tile-processor.js', import.meta.url));

interface WorkerArgs {
  queue: string;
  concurrency?: number;
  lockDuration?: number;
  stalledInterval?: number;
  grace: number;
  quiet: boolean;
}

const positiveInteger = (option: string) => (raw: unknown): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw usageError('must be a positive integer', { path: option, expected: 'an integer ≥ 1', found: JSON.stringify(raw) });
  return n;
};

/**
 * `soilscale worker --queue redis://…`: serve tile jobs of any run queued on that Redis, until SIGTERM
 * or SIGINT (then finish the running jobs within --grace seconds). Start any number, on any machine that
 * sees the runs' output folders and inputs at the same paths.
 */
export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Serve tile jobs from a Redis queue (runs started with --queue on any machine sharing the storage)',
  builder: (y) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'redis://host:port/db[?queue=name]: the same URL the runs use' })
      .option('concurrency', { alias: 'c', type: 'number', coerce: positiveInteger('--concurrency'), describe: `jobs at once, each in its own child process (default: the cores, ${availableParallelism()} here)` })
      .option('lock-duration', {
        type: 'number',
        coerce: positiveInteger('--lock-duration'),
        describe: `ms a job stays locked to this worker without renewal (renewed every half of it); a job of a dead worker runs again after this (default ${DEFAULT_LOCK_DURATION_MS})`,
      })
      .option('stalled-interval', { type: 'number', coerce: positiveInteger('--stalled-interval'), describe: `ms between checks for jobs whose worker died (stalled jobs; default ${DEFAULT_STALLED_INTERVAL_MS})` })
      .option('grace', { type: 'number', default: 60, describe: 'seconds the running jobs get to finish after SIGTERM/SIGINT' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'log only warnings and errors' }),
  handler: async (a) => {
    const logger = createConsoleLogger(a.quiet ? 'warn' : 'info');
    const worker = await startTileWorker({
      url: a.queue,
      processor: PROCESSOR,
      concurrency: a.concurrency ?? availableParallelism(),
      lockDurationMs: a.lockDuration,
      stalledIntervalMs: a.stalledInterval,
      logger,
    });
    const clean = await new Promise<boolean>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        logger.info(`${signal}: finishing the running jobs (up to ${a.grace} s), taking no new ones`);
        worker.close(a.grace * 1000).then(resolve, (e: Error) => {
          logger.error(`closing the worker: ${e.message}`);
          resolve(false);
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    // Connections that could not close (Redis unreachable) would keep reconnecting: end the process.
    if (!clean) process.exit(1);
  },
};
