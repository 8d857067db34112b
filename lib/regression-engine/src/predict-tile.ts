import { dateFeatureValues, workerTask, type DateFeatureMode, type FittedRegressor, type PixelWindow, type SavedModel, type TileBlock, type TileFunction, type TileModelLoader } from '../../../core/index.js';
import { blockLayout, pixelCells, type BlockLayout } from './block-layout.js';
import { intervalBounds, type ConformalCalibration } from './conformal.js';
import { tilePredictor } from './fine-predictor.js';
import { withoutCellMeans } from './multi-scale-table.js';
import { createAtpk, type AtpkOptions } from './residual/atpk.js';
import { correctResiduals, type ResidualMethod, type ResidualType } from './residual/correct.js';

/**
 * The regression downscaler's per-pixel stage: predict every fine pixel of every date with the fitted
 * regressor, then correct the residuals. Inputs: `coarse` (the coarse target), `modelCoarse` (f(X_C),
 * model residual only), `p<i>` (predictor i, aligned and gap-filled on the fine grid), `c<i>`
 * (predictor i's coarse means, anomaly models only). Outputs: `product`, `spread`, and `lower`/`upper`
 * with conformal intervals.
 */
export interface PredictTileParams {
  readonly predictors: number;
  readonly steps: number;
  readonly dateFeatures: DateFeatureMode;
  readonly scaleColumn: boolean;
  readonly anomalies: boolean;
  /** The regressor's feature layout (columns of the rows it predicts). */
  readonly features: { readonly columns: readonly string[]; readonly features: readonly string[]; readonly steps: number };
  readonly tilePixels: number;
  readonly maskCoarseGaps: boolean;
  readonly method: ResidualMethod;
  readonly residual: ResidualType;
  /** ATPK options with the range resolved (deconvolved once, before the tiles). */
  readonly atpk?: AtpkOptions;
  readonly calibration?: ConformalCalibration;
  /** The full coarse grid's size (interpolation stencils clamp at its edges, not the block's). */
  readonly coarseSize: { readonly width: number; readonly height: number };
}

/**
 * Coarse neighbours (in cells) a pixel's correction reads: its own cell (block, ratio), the four
 * around it (bilinear), the kriging radius (ATPK).
 */
export function residualReach(method: ResidualMethod, atpk?: AtpkOptions): number {
  return method === 'atpk' ? Math.max(0, Math.floor(atpk?.radius ?? 0)) : method === 'bilinear' || method === 'bilinear-fix' ? 1 : 0;
}

/**
 * Input halos for a reach of `reach` cells at `factor` fine pixels per cell: every cell the tile's
 * pixels read is complete in the block (its prediction mean is the full run's), and the coarse block
 * starts before the fine block (a layout needs the fine origin inside the coarse grid).
 */
export function predictHalos(reach: number, factor: number): { fine: number; coarse: number } {
  return { fine: (reach + 1) * factor, coarse: reach + 2 };
}

const loaded = new WeakMap<SavedModel, Promise<FittedRegressor>>();

export const predictTile: TileFunction<PredictTileParams> = async ({ params, model, models, window, dates, inputs }) => {
  const regressor = await loadRegressor(model, models);
  const fine = inputs.p0;
  const layout = tileLayout(inputs.coarse, fine, params.coarseSize);
  const atpk = params.atpk ? createAtpk(layout, params.atpk) : undefined;
  const cellOf = pixelCells(layout);
  const predictor = tilePredictor(regressor, layout, params.features as Parameters<typeof tilePredictor>[2], params.tilePixels, 1);
  const crop = cropper(fine.window, window);
  const out = { product: [] as Float32Array[], spread: [] as Float32Array[], lower: [] as Float32Array[], upper: [] as Float32Array[] };
  const history: Float32Array[][] = [];
  const at = (block: TileBlock, d: number) => block.values[block.dates.length ? d : 0];
  const scratch = new Float32Array(fine.values[0].length);
  for (let d = 0; d < dates.length; d++) {
    const aligned = Array.from({ length: params.predictors }, (_, f) => at(inputs[`p${f}`], d));
    const current = params.anomalies ? aligned.map((a, f) => withoutCellMeans(a, at(inputs[`c${f}`], d), cellOf)) : aligned;
    history.push(current);
    if (history.length > params.steps) history.shift();
    const stepArrays = Array.from({ length: params.steps }, (_, s) => history[Math.max(0, history.length - params.steps + s)]);
    const stepExtras = Array.from({ length: params.steps }, (_, s) => [...dateFeatureValues(dates[Math.max(0, d - params.steps + 1 + s)], params.dateFeatures), ...(params.scaleColumn ? [1] : [])]);
    const coarseValues = at(inputs.coarse, d);
    const pred = await predictor(stepArrays, stepExtras, params.maskCoarseGaps ? coarseValues : undefined);
    if (params.anomalies) for (let i = 0; i < cellOf.length; i++) pred.mean[i] += cellOf[i] >= 0 ? coarseValues[cellOf[i]] : Number.NaN;
    const { product: z } = correctResiduals(
      { prediction: pred.mean, coarse: coarseValues, layout, method: params.method, residual: params.residual, modelCoarse: inputs.modelCoarse ? at(inputs.modelCoarse, d) : undefined, atpk, maskCoarseGaps: params.maskCoarseGaps },
      scratch,
    );
    out.product.push(crop(z));
    if (params.calibration) {
      const b = intervalBounds(z, pred.spread, params.calibration);
      out.lower.push(crop(b.lower));
      out.upper.push(crop(b.upper));
    }
    if (pred.spread && params.maskCoarseGaps) for (let i = 0; i < z.length; i++) if (z[i] !== z[i]) pred.spread[i] = Number.NaN;
    out.spread.push(pred.spread ? crop(pred.spread) : new Float32Array(window.width * window.height).fill(Number.NaN));
  }
  return params.calibration ? out : { product: out.product, spread: out.spread };
};

export const predictTileTask = workerTask(import.meta.url, { predictTile });

function loadRegressor(model: SavedModel | undefined, models: TileModelLoader): Promise<FittedRegressor> {
  if (!model) throw new Error('the predict stage ships no regressor model');
  let r = loaded.get(model);
  if (!r) {
    r = models.regressor(model);
    loaded.set(model, r);
  }
  return r;
}

/** The block layout of a tile: the fine block in the coarse block, placed in the full coarse grid. */
function tileLayout(coarse: TileBlock, fine: TileBlock, full: PredictTileParams['coarseSize']): BlockLayout {
  const layout = blockLayout(coarse.grid, fine.grid, 'downscaler:regression tile');
  return { ...layout, fullCoarse: { col: coarse.window.x, row: coarse.window.y, width: full.width, height: full.height } };
}

/** Cuts the tile's window out of arrays over the fine block. */
function cropper(block: PixelWindow, tile: PixelWindow): (a: Float32Array) => Float32Array {
  const dx = tile.x - block.x;
  const dy = tile.y - block.y;
  return (a) => {
    const out = new Float32Array(tile.width * tile.height);
    for (let r = 0; r < tile.height; r++) out.set(a.subarray((dy + r) * block.width + dx, (dy + r) * block.width + dx + tile.width), r * tile.width);
    return out;
  };
}

