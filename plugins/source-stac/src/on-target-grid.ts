import { sceneOnTargetGrid, type PluginContext, type Source, type TargetGridOptions, type TargetGridSpec } from '../../../core/index.js';

/** The target-grid params of `source:stac`. */
export interface TargetGridParams {
  readonly grid?: TargetGridSpec;
  readonly resampling: TargetGridOptions['resampling'];
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
        resampling: params.resampling,
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
