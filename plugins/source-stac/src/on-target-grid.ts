import { sceneOnTargetGrid, type PluginContext, type Source, type TargetGridSpec, type WarpMethod } from '../../../core/index.js';

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
 * decision taken on the user's behalf becomes a run warning (`context.warn` where the host provides it,
 * the log otherwise).
 */
export function onTargetGrid(source: Source, params: TargetGridParams & { grid: TargetGridSpec }, context: PluginContext): Source {
  const warn = runWarning(context);
  return {
    async load() {
      const { scene, decisions } = sceneOnTargetGrid(await source.load(), params.grid, {
        resampling: params.resampling as Readonly<Record<string, WarpMethod>> | undefined,
        coarse: params.coarse,
        coarseResolution: params.coarseResolution,
        workers: context.workers,
      });
      for (const d of decisions) warn(d.code, d.message);
      return scene;
    },
  };
}

function runWarning(context: PluginContext): (code: string, message: string) => void {
  const hook = (context as { warn?: unknown }).warn;
  if (typeof hook === 'function') return (code, message) => (hook as (c: string, m: string) => void).call(context, code, message);
  return (code, message) => context.logger.warn(message, { code });
}
