import { createHash } from 'node:crypto';
import { makeSeries, windowGrid, type Series } from '../../core/index.js';
import { downscaler, syntheticScene, testContext } from './regression-scene.js';

/**
 * Configurations of downscaler:regression that exercise every per-pixel path of its tiled predict +
 * residual correction (block, bilinear, bilinear-fix, ATPK, ratio, model residual, intervals, spread,
 * coarse-gap masks, a fine grid offset from the coarse cells), on the synthetic scene of
 * regression-scene.ts.
 */
export const REGRESSION_CASES: Record<string, Record<string, unknown>> = {
  block: { regressor: { uses: 'regressor:linear' }, residualCorrection: 'block', cv: { scheme: 'none' } },
  bilinear: { regressor: { uses: 'regressor:linear' }, residualCorrection: 'bilinear', cv: { scheme: 'none' } },
  atpk: { regressor: { uses: 'regressor:linear' }, residualCorrection: 'atpk', cv: { scheme: 'none' } },
  ratioModel: { regressor: { uses: 'regressor:linear' }, residualCorrection: 'ratio', residualType: 'model', cv: { scheme: 'none' } },
  rfIntervals: { regressor: { uses: 'regressor:rf', with: { trees: 8, seed: 3 } }, residualCorrection: 'bilinear-fix', cv: { scheme: 'kfold', folds: 3 }, intervals: { method: 'conformal-spread' } },
};

/** The scene, with a gap in the coarse field and the fine grid cut 2 columns and 3 rows into the coarse cells. */
export function offsetScene() {
  const s = syntheticScene({ size: 40, factor: 5, days: 4, seed: 5 });
  s.smCoarse.values[1][3] = Number.NaN;
  const win = { x: 2, y: 3, width: 37, height: 35 };
  const crop = (series: Series): Series =>
    makeSeries({ ...series, grid: windowGrid(series.grid, win), values: series.values.map((v) => Float32Array.from({ length: win.width * win.height }, (_, i) => v[(win.y + Math.floor(i / win.width)) * 40 + win.x + (i % win.width)])) });
  return { coarse: s.smCoarse, predictors: { ndvi: crop(s.ndvi), lst: crop(s.lst) } };
}

/** sha256 of every output series of a run of `params` on the offset scene (product, uncertainty, lower, upper), keyed by output. */
export async function regressionHashes(params: Record<string, unknown>, tileSize?: number): Promise<Record<string, string>> {
  const context = testContext({}, { tileSize });
  const ds = await downscaler(params, context);
  const { coarse, predictors } = offsetScene();
  const result = (await ds.downscale({ coarse, predictors })) as unknown as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of ['product', 'uncertainty', 'lower', 'upper']) {
    const s = result[key] as Series | undefined;
    if (!s) continue;
    const h = createHash('sha256');
    for (const v of s.values) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    out[key] = h.digest('hex').slice(0, 16);
  }
  return out;
}

