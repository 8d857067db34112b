/**
 * The tile worker of `soilscale/host`: runs a tile job with a model loader that knows the built-in
 * plugins and the stage's own plugin modules. What the local executor of a host run and
 * `soilscale worker` (the queue executor) run.
 */
import { createTileModelLoader, runTileJob, type TileJob, type TileRecord } from '../core/host.js';
import { workerTask } from '../core/index.js';
import { builtinPlugins } from '../plugins/index.js';
// Registers the loader of downscaler:ensemble's stacked model (a composite of built-in regressors).
import '../plugins/downscaler-ensemble/src/stacking.js';

export function runTileWithBuiltins(job: TileJob): Promise<TileRecord> {
  return runTileJob(job, { models: (plugins) => createTileModelLoader(builtinPlugins, plugins) });
}

export const builtinTileTask = workerTask(import.meta.url, { runTileWithBuiltins });
