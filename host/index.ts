/**
 * The host entry (`soilscale/host`): core's host API (`core/host.ts`) with the built-in plugins as
 * the default registry, so a script runs a shipped pipeline with `runPipeline(file, { out })`.
 * Data model, kinds and I/O helpers come from the SDK entry `soilscale`.
 */
import {
  createRegistry,
  instantiateSpec,
  preparePipeline as preparePipelineWith,
  runPipeline as runPipelineWith,
  type PipelinePlan,
  type PluginRegistry,
  type PrepareOptions,
  type RunOptions,
  type RunResult,
} from '../core/host.js';
import { createPluginContext, type AnyPluginManifest, type PluginContext, type PluginContextOptions } from '../core/index.js';
import { builtinPlugins } from '../plugins/index.js';
import { builtinTileTask } from './tile-worker.js';

export * from '../core/host.js';
export { builtinPlugins } from '../plugins/index.js';
export { builtinTileTask, runTileWithBuiltins } from './tile-worker.js';

/**
 * A registry of the built-in plugins, plus `extra` (your own plugins, as a pipeline's `plugins` field would add).
 *
 * @example
 * ```ts
 * const registry = builtinRegistry();
 * registry.describe('regressor:rf').params; // the JSON Schema, defaults included
 * ```
 */
export function builtinRegistry(extra: readonly AnyPluginManifest[] = []): PluginRegistry {
  const root = createRegistry(builtinPlugins);
  return extra.length ? root.child(extra) : root;
}

/**
 * A plugin context for using plugins from a script (core's `createPluginContext`), whose nested plugins
 * (`context.instantiate`, e.g. a downscaler's `regressor`) come from `options.registry` (default: the built-ins).
 *
 * @example
 * ```ts
 * const context = createHostContext({ seed: 7, workers: createWorkerPool(1) });
 * const downscaler = await regressionDownscaler.create({ regressor: { uses: 'regressor:rf', with: { trees: 20 } }, cv: { scheme: 'none' } }, context);
 * const { product } = await downscaler.downscale({ coarse: smCoarse, predictors: { ndvi, lst } });
 * assert.deepEqual(product.dates, smCoarse.dates);
 * ```
 */
export function createHostContext(options: Omit<PluginContextOptions, 'instantiate'> & { readonly registry?: PluginRegistry } = {}): PluginContext {
  const { registry = builtinRegistry(), ...rest } = options;
  const context: PluginContext = createPluginContext({ tileTask: builtinTileTask, ...rest, instantiate: (spec, kind) => instantiateSpec(registry, spec, kind, () => context) });
  return context;
}

/**
 * Check and run a pipeline (core's `runPipeline`) with the built-in plugins unless `options.registry` is given.
 *
 * @example
 * ```ts
 * const { outDir, manifest } = await runPipeline('pipelines/baseline.json', {
 *   out: 'out/baseline',
 *   params: { demo: { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 } }, // a small synthetic scene
 *   report: false,
 *   logger: createMemoryLogger(),
 * });
 * assert.deepEqual(manifest.nodes.map((n) => n.id), ['scene', 'bilinear', 'vs_truth', 'vs_stations']); // the nodes run, in order
 * ```
 */
export function runPipeline(pathOrObject: string | object, options: RunOptions): Promise<RunResult> {
  return runPipelineWith(pathOrObject, { tileTask: builtinTileTask, ...options, registry: options.registry ?? builtinRegistry() });
}

/** Check a pipeline without running it (core's `preparePipeline`), with the built-in plugins unless `options.registry` is given. */
export function preparePipeline(pathOrObject: string | object, options: Partial<PrepareOptions> = {}): Promise<PipelinePlan> {
  return preparePipelineWith(pathOrObject, { ...options, registry: options.registry ?? builtinRegistry() });
}
