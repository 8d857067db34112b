import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { registerCleanup } from '../util/cleanup-on-signal.js';
import { createMemoryCache, type Cache } from '../services/cache.js';
import { createConsoleLogger, type Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { createWorkerPool, type WorkerPool } from '../services/worker-pool.js';
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
  return {
    logger,
    progress: options.progress ?? silentProgress,
    workers: options.workers ?? sharedPool(),
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
