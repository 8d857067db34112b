import type { Regressor } from '../plugin/kinds.js';
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
  return {
    async regressor(saved) {
      const regressor = (await instantiateSpec(registry, { uses: saved.pluginId, with: saved.params }, 'regressor', () => context, `model ${saved.pluginId}`)) as Regressor;
      return regressor.load(saved);
    },
  };
}
