import type { FittedRegressor, PluginContext, Series, TileInputRequest, featureLayout } from '../../../core/index.js';
import type { RegressionEngineParams } from '../params.js';
import type { BlockLayout } from './block-layout.js';
import type { ConformalCalibration } from './conformal.js';
import { predictHalos, predictTileTask, residualReach } from './predict-tile.js';
import type { AtpkOptions } from './residual/atpk.js';

export interface PredictStageInput {
  readonly model: FittedRegressor;
  readonly layout: BlockLayout;
  readonly coarse: Series;
  readonly dates: readonly string[];
  readonly params: RegressionEngineParams;
  readonly steps: number;
  readonly features: ReturnType<typeof featureLayout>;
  readonly atpk?: AtpkOptions;
  readonly calibration?: ConformalCalibration;
  readonly scaleColumn: boolean;
  readonly anomalies: boolean;
  /** Aligned, gap-filled predictors on the fine grid (one array per coarse date; static ones as they are). */
  readonly predictors: readonly Series[];
  /** f(X_C) per date, model residual only. */
  readonly modelCoarse?: Series;
  /** The predictors' coarse means, anomaly models only. */
  readonly coarseFeatures?: readonly Series[];
}

/**
 * Run the fine prediction and residual correction of every date through `context.tiles`: tiles hold
 * whole coarse cells (aligned on the cell size from the fine grid's origin) and read their
 * neighbourhood as halos, so the product is the same bytes whatever the tile size.
 */
export async function predictTiles(context: PluginContext, input: PredictStageInput): Promise<Readonly<Record<string, Series>>> {
  const { layout, params } = input;
  const factor = Math.max(layout.factorX, layout.factorY);
  const halo = predictHalos(residualReach(params.residualCorrection, input.atpk), factor);
  const inputs: Record<string, TileInputRequest> = { coarse: { series: input.coarse, halo: halo.coarse } };
  input.predictors.forEach((series, f) => (inputs[`p${f}`] = { series, halo: halo.fine }));
  if (input.modelCoarse) inputs.modelCoarse = { series: input.modelCoarse, halo: halo.coarse };
  input.coarseFeatures?.forEach((series, f) => (inputs[`c${f}`] = { series, halo: halo.coarse }));
  const unit = input.coarse.unit;
  const variable = input.coarse.variable || 'sm';
  return context.tiles.run({
    name: 'predict',
    task: predictTileTask,
    params: {
      predictors: input.predictors.length,
      steps: input.steps,
      dateFeatures: params.dateFeatures,
      scaleColumn: input.scaleColumn,
      anomalies: input.anomalies,
      features: { columns: input.features.columns, features: input.features.features, steps: input.features.steps },
      tilePixels: params.tilePixels,
      maskCoarseGaps: params.maskCoarseGaps,
      method: params.residualCorrection,
      residual: params.residualType,
      ...(input.atpk ? { atpk: input.atpk } : {}),
      ...(input.calibration ? { calibration: input.calibration } : {}),
      coarseSize: { width: input.coarse.grid.width, height: input.coarse.grid.height },
    },
    model: input.model.save(),
    grid: layout.fine,
    dates: input.dates,
    inputs,
    outputs: [
      { name: 'product', variable, ...(unit ? { unit } : {}) },
      { name: 'spread', variable: `${variable}_spread`, ...(unit ? { unit } : {}) },
      ...(input.calibration ? [{ name: 'lower', variable: `${variable}_lower` }, { name: 'upper', variable: `${variable}_upper` }] : []),
    ],
    align: factor,
  });
}
