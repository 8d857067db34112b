import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { registerCleanup } from '../util/cleanup-on-signal.js';
import { createMemoryCache, type Cache } from '../services/cache.js';
import { createConsoleLogger, type Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { createWorkerPool, type WorkerPool } from '../services/worker-pool.js';
import type { TileJobTask } from '../tiles/core-worker.js';
import { createInProcessExecutor, createLocalExecutor } from '../tiles/local-executor.js';
import { createTileService } from '../tiles/service.js';
import type { TileService } from '../tiles/types.js';
import { instantiatingModelLoader } from '../tiles/model-loader.js';
import type { KindInterfaces, PluginKind } from './kinds.js';
import type { PluginContext, PluginSpec } from './manifest.js';

export interface PluginContextOptions {
  logger?: Logger;
  progress?: ProgressReporter;
  workers?: WorkerPool;
  cache?: Cache;
  seed?: number;
  tempDir?: string;
  instantiate?: PluginContext['instantiate'];
  /** Where warnings go (a run's collector); default: the logger, at warn level. */
  warn?: PluginContext['warn'];
  signal?: AbortSignal;
  /** Tile stages (a run passes its own); default: the local executor over a store in `tempDir`. */
  tiles?: TileService;
  /**
   * The worker task the default tile service runs jobs with on `workers` (`soilscale/host` passes one
   * that knows the built-ins); without one, tiles run on the calling thread with models loaded by
   * `instantiate` (the plugins this context was given).
   */
  tileTask?: TileJobTask;
  /** Tile edge of the default tile service, in output pixels; default 512. */
  tileSize?: number;
}

/**
 * A context with default services: what the engine passes to `create`, and what a plugin's own
 * tests use to exercise it outside a pipeline.
 *
 * @example
 * ```ts
 * const context = createPluginContext({ seed: 7, workers: createWorkerPool(1) });
 * const rf = await rfPlugin.create({ trees: 50 }, context); // other params: the schema's defaults
 * ```
 */
export function createPluginContext(options: PluginContextOptions = {}): PluginContext {
  const logger = options.logger ?? createConsoleLogger('warn');
  let scratch = options.tempDir;
  const workers = options.workers ?? sharedPool();
  let tiles = options.tiles;
  const context: PluginContext = {
    logger,
    progress: options.progress ?? silentProgress,
    workers,
    // A scratch store (removed with the scratch folder) and this context's threads, made on first use.
    get tiles(): TileService {
      return (tiles ??= createTileService({
        store: join((scratch ??= scratchFolder()), 'tiles'),
        run: 'library',
        scope: 'library',
        executor: options.tileTask ? createLocalExecutor(workers, options.tileTask) : createInProcessExecutor(instantiatingModelLoader((spec, kind) => context.instantiate(spec, kind))),
        tileSize: options.tileSize,
        logger,
      }));
    },
    cache: options.cache ?? createMemoryCache(),
    seed: options.seed ?? 0,
    // Created on first use only, and removed when the process exits (a run passes its own).
    get tempDir(): string {
      return (scratch ??= scratchFolder());
    },
    signal: options.signal,
    warn: options.warn ?? ((code, message) => logger.warn(`${message} (${code})`)),
    instantiate:
      options.instantiate ??
      (async <K extends PluginKind>(spec: PluginSpec, _kind: K): Promise<KindInterfaces[K]> => {
        throw usageError(`cannot instantiate nested plugin '${spec.uses}': this context has no registry`);
      }),
  };
  return context;
}



/** A scratch folder for a context outside a run, removed at exit or on a signal. */
function scratchFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-'));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let pool: WorkerPool | undefined;
function sharedPool(): WorkerPool {
  pool ??= createWorkerPool();
  return pool;
}
