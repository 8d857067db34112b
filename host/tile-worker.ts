/**
 * The tile worker of `soilscale/host`: runs a tile job with a model loader that knows the built-in
 * plugins and the stage's own plugin modules. What the local executor of a host run and
 * `soilscale worker` (the queue executor) run.
 */
import { createTileModelLoader, runTileJob, type TileJob, type TileModelLoader, type TileRecord } from '../core/host.js';
import { workerTask } from '../core/index.js';
// Registers the loader of downscaler:ensemble's stacked model (a composite of built-in regressors).
import '../plugins/downscaler-ensemble/src/stacking.js';

export function runTileWithBuiltins(job: TileJob): Promise<TileRecord> {
  return runTileJob(job, { models: builtinModelLoader });
}

/**
 * The built-in plugins are imported when a stage first loads a model, not with this module: a worker
 * thread running only model-free stages (WCM, ESTARFM, DISPATCH) never pays for importing them all.
 */
async function builtinModelLoader(plugins: readonly string[]): Promise<TileModelLoader> {
  const { builtinPlugins } = await import('../plugins/index.js');
  return createTileModelLoader(builtinPlugins, plugins);
}

export const builtinTileTask = workerTask(import.meta.url, { runTileWithBuiltins });
