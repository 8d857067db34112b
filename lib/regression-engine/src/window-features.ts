import { isStatic, makeSeries, usageError, type Grid, type Series } from '../../../core/index.js';
import type { AlignedPredictor } from './predictor-alignment.js';

/** A predictor on one date, aligned and gap-filled (`createAligner`). */
export type Aligner = (date: string) => AlignedPredictor;

/**
 * Mean of `values` over the `side` × `side` window centred on every pixel of a `width` × `height` raster,
 * over the window's valid pixels (windows are cut at the raster's edge); NaN where the centre pixel is NaN,
 * so a window feature never fills a gap its predictor has. Summed-area tables: O(pixels) for any side.
 */
export function boxMean(values: ArrayLike<number>, width: number, height: number, side: number): Float32Array {
  const h = Math.floor(side / 2);
  const w1 = width + 1;
  const sum = new Float64Array(w1 * (height + 1));
  const count = new Float64Array(w1 * (height + 1));
  for (let r = 0; r < height; r++) {
    let rowSum = 0;
    let rowCount = 0;
    for (let c = 0; c < width; c++) {
      const v = values[r * width + c];
      if (v === v) (rowSum += v), rowCount++;
      sum[(r + 1) * w1 + c + 1] = sum[r * w1 + c + 1] + rowSum;
      count[(r + 1) * w1 + c + 1] = count[r * w1 + c + 1] + rowCount;
    }
  }
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    const r0 = Math.max(0, r - h);
    const r1 = Math.min(height, r + h + 1);
    for (let c = 0; c < width; c++) {
      const v = values[r * width + c];
      if (!(v === v)) {
        out[r * width + c] = Number.NaN;
        continue;
      }
      const c0 = Math.max(0, c - h);
      const c1 = Math.min(width, c + h + 1);
      const box = (a: Float64Array) => a[r1 * w1 + c1] - a[r0 * w1 + c1] - a[r1 * w1 + c0] + a[r0 * w1 + c0];
      out[r * width + c] = box(sum) / box(count);
    }
  }
  return out;
}

/** Name of predictor `name` averaged over `side` × `side` pixels (a feature column). */
export const windowFeatureName = (name: string, side: number): string => `${name}_w${side}`;

/**
 * The predictors extended with window features: after the base predictors, every predictor's `boxMean`
 * for each side in `windows` (names `windowFeatureName`). Static ones become static series; temporal ones
 * are averaged after alignment and gap filling, their aligner sharing the base aligner's last result so a
 * date is gap-filled once. The engine then treats them as any predictor (coarse aggregates, anomalies).
 */
export function withWindowFeatures(
  names: readonly string[],
  predictors: Readonly<Record<string, Series>>,
  aligners: readonly Aligner[],
  windows: readonly number[],
  grid: Grid,
): { names: string[]; predictors: Record<string, Series>; aligners: Aligner[] } {
  if (windows.length === 0) return { names: [...names], predictors: { ...predictors }, aligners: [...aligners] };
  const even = windows.find((side) => side % 2 === 0);
  if (even !== undefined) throw usageError('a window side must be odd, so the window is centred on its pixel', { path: 'windows', expected: 'odd sides such as 3 or 5', found: String(even) });
  const shared = aligners.map(lastCall);
  const out = { names: [...names], predictors: { ...predictors }, aligners: [...shared] };
  for (const side of windows) {
    names.forEach((name, f) => {
      const derived = windowFeatureName(name, side);
      if (predictors[derived]) {
        throw usageError('a window feature has the name of a predictor', { path: 'windows', expected: `no predictor named '${derived}' (the ${side} × ${side} window mean of '${name}')`, found: `predictor '${derived}'` });
      }
      const base = predictors[name];
      out.names.push(derived);
      if (isStatic(base)) {
        const series = makeSeries({ variable: derived, grid, dates: [], values: [boxMean(base.values[0], grid.width, grid.height, side)] });
        out.predictors[derived] = series;
        out.aligners.push(() => ({ ...shared[f]('static'), values: series.values[0], owned: false }));
      } else {
        out.predictors[derived] = base;
        out.aligners.push((date) => {
          const a = shared[f](date);
          return { ...a, values: boxMean(a.values, grid.width, grid.height, side), owned: true };
        });
      }
    });
  }
  return out;
}

/** `aligner` remembering its last answer (pass 1 asks the base and its window features for the same date in a row). */
function lastCall(aligner: Aligner): Aligner {
  let date: string | undefined;
  let answer: AlignedPredictor | undefined;
  return (d) => {
    if (d !== date || !answer) (answer = aligner(d)), (date = d);
    return answer;
  };
}
