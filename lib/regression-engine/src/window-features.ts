import { boxMean, isStatic, makeSeries, usageError, type Grid, type Series } from '../../../core/index.js';
import type { AlignedPredictor } from './predictor-alignment.js';

/** A predictor on one date, aligned and gap-filled (`createAligner`). */
export type Aligner = (date: string) => AlignedPredictor;

/** Name of predictor `name` averaged over `side` × `side` pixels (a feature column). */
export const windowFeatureName = (name: string, side: number): string => `${name}_w${side}`;

/** Feature columns in order, their series (a derived dynamic feature carries its source's) and their aligners. */
export interface FeatureSet {
  readonly names: string[];
  readonly predictors: Record<string, Series>;
  readonly aligners: Aligner[];
}

/**
 * `set` extended with window features of its first `sources` predictors: every one's `boxMean` for each side
 * in `windows` (names `windowFeatureName`). Static ones become static series; temporal ones are averaged
 * after alignment and gap filling, their aligner sharing the source aligner's last result so a date is
 * gap-filled once. The engine then treats them as any predictor (coarse aggregates, anomalies).
 */
export function withWindowFeatures(set: FeatureSet, sources: number, windows: readonly number[], grid: Grid): FeatureSet {
  const { predictors } = set;
  const names = set.names.slice(0, sources);
  if (windows.length === 0) return { names: [...set.names], predictors: { ...predictors }, aligners: [...set.aligners] };
  const even = windows.find((side) => side % 2 === 0);
  if (even !== undefined) throw usageError('a window side must be odd, so the window is centred on its pixel', { path: 'windows', expected: 'odd sides such as 3 or 5', found: String(even) });
  const shared = set.aligners.slice(0, sources).map(lastCall);
  const out = { names: [...set.names], predictors: { ...predictors }, aligners: [...shared, ...set.aligners.slice(sources)] };
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
