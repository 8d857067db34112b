import type { SavedModel } from '../plugin/artifact.js';
import type { FittedRegressor, Regressor } from '../plugin/kinds.js';
import type { AnyPluginManifest, PluginContext } from '../plugin/manifest.js';
import { createPluginContext } from '../plugin/context.js';
import { createRegistry, instantiateSpec } from '../plugin/registry.js';
import { loadThirdPartyPlugins } from '../plugin/third-party.js';
import { createWorkerPool } from '../services/worker-pool.js';
import type { TileModelLoader } from './types.js';

/**
 * A model loader over `manifests` plus the plugin modules a stage lists (file URLs): a saved model is
 * loaded by the plugin that saved it, created with the saved params. Plugins run inline inside a
 * tile worker (a one-thread pool: the executor already runs tiles in parallel).
 */
export async function createTileModelLoader(manifests: readonly AnyPluginManifest[], plugins: readonly string[]): Promise<TileModelLoader> {
  const extra = plugins.length ? await loadThirdPartyPlugins(plugins, undefined) : [];
  const registry = createRegistry(manifests).child(extra);
  const context: PluginContext = createPluginContext({
    workers: createWorkerPool(1),
    instantiate: (spec, kind) => instantiateSpec(registry, spec, kind, () => context),
  });
  const loader: TileModelLoader = {
    async regressor(saved) {
      const composite = composites.get(saved.pluginId);
      if (composite) return composite(saved, loader);
      const regressor = (await instantiateSpec(registry, { uses: saved.pluginId, with: saved.params }, 'regressor', () => context, `model ${saved.pluginId}`)) as Regressor;
      return regressor.load(saved);
    },
  };
  return loader;
}

/**
 * Loads a model saved under an id that is no registered plugin but a composite of models that are
 * (a stacked ensemble's `regressor:stacking`), loading its parts with `loader`.
 */
export type CompositeModelLoader = (saved: SavedModel, loader: TileModelLoader) => Promise<FittedRegressor>;

const composites = new Map<string, CompositeModelLoader>();

/**
 * Declare how tile workers load a composite model (called by the module that saves it, when it is
 * imported: a worker that imports the module can load the model).
 *
 * @example
 * ```ts
 * // A model saved as `{ pluginId: 'regressor:mean-of', data: { parts: [<saved models>] } }`: the mean of its parts.
 * registerCompositeModel('regressor:mean-of', async (saved, loader) => {
 *   const parts = await Promise.all((saved.data as { parts: SavedModel[] }).parts.map((p) => loader.regressor(p)));
 *   return {
 *     featureNames: saved.featureNames ?? [],
 *     save: () => saved,
 *     async predict(x) {
 *       const preds = await Promise.all(parts.map((p) => p.predict(x)));
 *       return { mean: Float32Array.from(preds[0].mean, (_, i) => preds.reduce((s, p) => s + p.mean[i], 0) / preds.length) };
 *     },
 *   };
 * });
 * ```
 */
export function registerCompositeModel(id: string, load: CompositeModelLoader): void {
  composites.set(id, load);
}

/** A loader over `instantiate` (a library context's registry) and the registered composites. */
export function instantiatingModelLoader(instantiate: PluginContext['instantiate']): TileModelLoader {
  const loader: TileModelLoader = {
    async regressor(saved) {
      const composite = composites.get(saved.pluginId);
      if (composite) return composite(saved, loader);
      return (await instantiate({ uses: saved.pluginId, with: saved.params }, 'regressor')).load(saved);
    },
  };
  return loader;
}
