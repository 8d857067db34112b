import { blockMeans, blockSums, pixelCells, type BlockLayout } from '../block-layout.js';
import { createAtpk, type AtpkOptions } from './atpk.js';
import { upsampleBilinear, upsampleNearest } from './upsample.js';

/**
 * Residual correction operators (see `../shared/docs/methods/residual-correction.md` §3 and
 * `docs/regression-downscaling.md`). With the conservation residual, every method but `none` and
 * `bilinear` makes the block mean of the product equal the coarse value.
 */
export type ResidualMethod = 'none' | 'block' | 'bilinear' | 'bilinear-fix' | 'atpk' | 'ratio';
/** `conservation`: `Z_C − mean(Ẑ_F)`; `model`: `Z_C − f(X_C)` (classic regression kriging). */
export type ResidualType = 'conservation' | 'model';

export interface CorrectionInput {
  /** Fine prediction `Ẑ_F` of one date (NaN where the model could not predict). */
  readonly prediction: Float32Array;
  /** Coarse target `Z_C` of the same date. */
  readonly coarse: ArrayLike<number>;
  readonly layout: BlockLayout;
  readonly method: ResidualMethod;
  readonly residual: ResidualType;
  /** `f(X_C)` per coarse cell, required for the model residual. */
  readonly modelCoarse?: ArrayLike<number>;
  /** A kriging operator from `createAtpk`, required for `atpk`. */
  readonly atpk?: ReturnType<typeof createAtpk>;
  /** Fine pixels of cells without a coarse value become NaN (default true). */
  readonly maskCoarseGaps?: boolean;
}

export interface CorrectionResult {
  readonly product: Float32Array;
  /** The coarse residual `ε_C` that was redistributed. */
  readonly residual: Float64Array;
}

/** Apply one residual correction to one date. `scratch` (fine-sized) is reused between calls when given. */
export function correctResiduals(input: CorrectionInput, scratch?: Float32Array): CorrectionResult {
  const { prediction, coarse, layout, method } = input;
  const n = prediction.length;
  const nc = layout.coarse.width * layout.coarse.height;
  const predMean = blockMeans(prediction, layout, 0);
  const residual = new Float64Array(nc);
  for (let k = 0; k < nc; k++) {
    const base = input.residual === 'model' ? input.modelCoarse?.[k] ?? Number.NaN : predMean[k];
    residual[k] = coarse[k] - base;
  }
  const product = new Float32Array(n);
  const eps = scratch && scratch.length === n ? scratch : new Float32Array(n);
  switch (method) {
    case 'none':
      product.set(prediction);
      break;
    case 'ratio':
      upsampleNearest(Float64Array.from(predMean, (m, k) => coarse[k] / m), layout, eps);
      for (let i = 0; i < n; i++) product[i] = prediction[i] * eps[i];
      break;
    default: {
      if (method === 'block') upsampleNearest(residual, layout, eps);
      else if (method === 'atpk') {
        if (!input.atpk) throw new Error('atpk correction needs a kriging operator');
        input.atpk.krige(residual, eps);
      } else upsampleBilinear(residual, layout, eps);
      // Residual-level block fix: block means of ε_F over the pixels with a prediction equal ε_C.
      if (method === 'bilinear-fix' || method === 'atpk') blockFix(eps, residual, prediction, layout);
      for (let i = 0; i < n; i++) product[i] = prediction[i] + eps[i];
    }
  }
  if (input.maskCoarseGaps !== false) maskCells(product, coarse, layout);
  return { product, residual };
}

/**
 * Add to each valid pixel of `field` the constant that makes its block mean — over the pixels where
 * `mask` is valid — equal `target` (a `U_near(target − mean(field))` correction).
 */
export function blockFix(field: Float32Array, target: ArrayLike<number>, mask: Float32Array, layout: BlockLayout): void {
  for (let i = 0; i < field.length; i++) if (mask[i] !== mask[i]) field[i] = Number.NaN;
  const { sum, count } = blockSums(field, layout);
  const shift = new Float64Array(sum.length);
  for (let k = 0; k < shift.length; k++) shift[k] = count[k] > 0 ? target[k] - sum[k] / count[k] : Number.NaN;
  const cells = pixelCells(layout);
  for (let i = 0; i < cells.length; i++) field[i] = cells[i] < 0 ? Number.NaN : field[i] + shift[cells[i]];
}

/** NaN the fine pixels whose coarse cell has no value (or lie outside the coarse grid). */
export function maskCells(field: Float32Array, coarse: ArrayLike<number>, layout: BlockLayout): void {
  const cells = pixelCells(layout);
  for (let i = 0; i < cells.length; i++) {
    const k = cells[i];
    if (k < 0 || !(coarse[k] === coarse[k])) field[i] = Number.NaN;
  }
}

export type { AtpkOptions };
