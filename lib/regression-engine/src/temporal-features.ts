import { isStatic, makeSeries, usageError, type Grid, type Series } from '../../../core/index.js';
import type { Aligner, FeatureSet } from './window-features.js';

/** Per-pixel statistics over the run's dates, added as static predictors. */
export type TemporalStatistic = 'mean' | 'sd';

export interface TemporalFeatureOptions {
  /** Odd numbers of consecutive run dates: each dynamic predictor's mean over that many dates centred on each date. */
  readonly windows: readonly number[];
  /** Per-pixel statistics of each dynamic predictor over all the run's dates. */
  readonly statistics: readonly TemporalStatistic[];
}

/** Name of predictor `name` averaged over `side` consecutive dates (a feature column). */
export const temporalWindowName = (name: string, side: number): string => `${name}_t${side}`;
/** Name of the per-pixel statistic `stat` of predictor `name` over the run's dates (a static feature column). */
export const temporalStatisticName = (name: string, stat: TemporalStatistic): string => `${name}_t${stat}`;

/**
 * `set` extended with temporal features of its first `sources` predictors that have dates: for every side
 * in `options.windows`, the mean over that many consecutive run dates (`temporalWindowName`), and every
 * statistic in `options.statistics` over all the run's dates as a static predictor (`temporalStatisticName`).
 * Both need every date of a pixel, so each dynamic source is aligned and gap-filled on all `dates` once, here,
 * and its aligner (and every derived one) answers from those arrays — the prediction stage gets them as
 * whole series before it is tiled, so tiles never see a time window cut. Nothing changes without options.
 */
export function withTemporalFeatures(set: FeatureSet, sources: number, dates: readonly string[], options: TemporalFeatureOptions, grid: Grid): FeatureSet {
  const out: FeatureSet = { names: [...set.names], predictors: { ...set.predictors }, aligners: [...set.aligners] };
  if (options.windows.length === 0 && options.statistics.length === 0) return out;
  const even = options.windows.find((side) => side % 2 === 0);
  if (even !== undefined) throw usageError('a temporal window must span an odd number of dates, so it is centred on its date', { path: 'temporal.windows', expected: 'odd counts such as 3 or 7', found: String(even) });
  const dateIndex = new Map(dates.map((date, d) => [date, d]));
  const indexOf = (date: string): number => {
    const d = dateIndex.get(date);
    if (d === undefined) throw new Error(`temporal features: '${date}' is not a date of the run`);
    return d;
  };
  const add = (name: string, source: string, series: Series, aligner: Aligner) => {
    if (out.predictors[name]) {
      throw usageError('a temporal feature has the name of a predictor', { path: 'temporal', expected: `no predictor named '${name}' (a temporal feature of '${source}')`, found: `predictor '${name}'` });
    }
    out.names.push(name);
    out.predictors[name] = series;
    out.aligners.push(aligner);
  };
  for (let f = 0; f < sources; f++) {
    const name = set.names[f];
    const base = set.predictors[name];
    if (isStatic(base)) continue;
    const aligned = dates.map((date) => set.aligners[f](date));
    const stack = aligned.map((a) => a.values);
    // The base predictor now answers from the same arrays (gap-filled once); coverage rows keep their date's figures.
    out.aligners[f] = (date) => ({ ...aligned[indexOf(date)], owned: false });
    for (const side of options.windows) {
      const means = timeBoxMean(stack, side);
      add(temporalWindowName(name, side), name, base, (date) => ({ ...aligned[indexOf(date)], values: means[indexOf(date)], owned: false }));
    }
    for (const stat of options.statistics) {
      const values = timeStatistic(stack, stat);
      const derived = temporalStatisticName(name, stat);
      const valid = values.reduce((c, x) => (x === x ? c + 1 : c), 0) / values.length;
      const series = makeSeries({ variable: derived, grid, dates: [], values: [values] });
      add(derived, name, series, () => ({ values, source: 'static', validBefore: valid, validAfter: valid, owned: false }));
    }
  }
  return out;
}

/**
 * Mean over the `side` consecutive rasters centred on each raster of `stack` (the window cut at the first
 * and last raster), per pixel over its valid values; a NaN pixel stays NaN, so a gap is never filled. Running
 * sums along the time axis: O(pixels × rasters) for any side. New arrays.
 */
export function timeBoxMean(stack: readonly Float32Array[], side: number): Float32Array[] {
  const half = Math.floor(side / 2);
  const n = stack.length ? stack[0].length : 0;
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  const move = (raster: Float32Array, sign: 1 | -1) => {
    for (let p = 0; p < n; p++) {
      const x = raster[p];
      if (x === x) (sum[p] += sign * x), (count[p] += sign);
    }
  };
  for (let d = 0; d < Math.min(half, stack.length); d++) move(stack[d], 1);
  return stack.map((centre, d) => {
    if (d + half < stack.length) move(stack[d + half], 1);
    if (d - half - 1 >= 0) move(stack[d - half - 1], -1);
    return Float32Array.from(centre, (x, p) => (x === x && count[p] > 0 ? sum[p] / count[p] : Number.NaN));
  });
}

/** Per-pixel mean or (population) standard deviation over the valid values of every raster of `stack`; NaN where none is valid. */
export function timeStatistic(stack: readonly Float32Array[], stat: TemporalStatistic): Float32Array {
  const n = stack.length ? stack[0].length : 0;
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  for (const raster of stack) for (let p = 0; p < n; p++) if (raster[p] === raster[p]) (sum[p] += raster[p]), count[p]++;
  if (stat === 'mean') return Float32Array.from(sum, (s, p) => (count[p] > 0 ? s / count[p] : Number.NaN));
  // Two passes (mean, then squared deviations): no cancellation for large values such as LST in kelvin.
  const squares = new Float64Array(n);
  for (const raster of stack) for (let p = 0; p < n; p++) if (raster[p] === raster[p]) squares[p] += (raster[p] - sum[p] / count[p]) ** 2;
  return Float32Array.from(squares, (s, p) => (count[p] > 0 ? Math.sqrt(s / count[p]) : Number.NaN));
}
