import { workerTask } from '../services/worker-task.js';
import { createTileModelLoader } from './model-loader.js';
import { runTileJob } from './run-tile.js';
import type { TileJob, TileRecord } from './types.js';

/**
 * The tile worker of core used as a library: models load only from the plugin modules the stage
 * lists (core knows no plugins). `soilscale/host` runs have their own worker (host/tile-worker.ts)
 * that knows the built-ins too.
 */
export function runTileWithStagePlugins(job: TileJob): Promise<TileRecord> {
  return runTileJob(job, { models: (plugins) => createTileModelLoader([], plugins) });
}

export const stagePluginsTileTask = workerTask(import.meta.url, { runTileWithStagePlugins });

/** A worker task that runs one tile job: what the local executor hands its thread pool. */
export type TileJobTask = typeof stagePluginsTileTask;
