import { inputError, sceneOnTargetGrid, type PluginContext, type Scene, type Source, type TargetGridSpec, type WarpMethod } from '../../../core/index.js';

/** The target-grid params of `source:stac` (validated against its schema before they get here). */
export interface TargetGridParams {
  readonly grid?: TargetGridSpec;
  /** Warp method per asset key (the schema's enum has checked the values). */
  readonly resampling?: Readonly<Record<string, unknown>>;
  readonly coarse?: readonly string[];
  readonly coarseResolution?: number;
}

/**
 * `source` with every asset delivered on the declared target grid (see `sceneOnTargetGrid`); each
 * decision taken on the user's behalf becomes a run warning (`context.warn`).
 */
export function onTargetGrid(source: Source, params: TargetGridParams & { grid: TargetGridSpec }, context: PluginContext): { load(): Promise<Scene> } {
  return {
    async load() {
      const loaded = await source.load();
      if (loaded.kind === 'records') throw inputError(`source:stac: "grid" applies to a scene of rasters, but the source gave a table (columns ${loaded.columns.join(', ')})`);
      const { scene, decisions } = sceneOnTargetGrid(loaded, params.grid, {
        resampling: params.resampling as Readonly<Record<string, WarpMethod>> | undefined,
        coarse: params.coarse,
        coarseResolution: params.coarseResolution,
        workers: context.workers,
      });
      for (const d of decisions) context.warn(d.code, d.message);
      return scene;
    },
  };
}
