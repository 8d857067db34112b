import { dayNumber, dayOfYearOf, isStatic, type Series } from '../../../core/index.js';

/** How gaps (NaN pixels) in temporal fine predictors are filled on each coarse date. */
export type GapFill = 'interpolate' | 'climatology' | 'none';

export interface AlignmentOptions {
  readonly gapFill: GapFill;
  /** `interpolate`: use observations at most this many days before/after the date. */
  readonly maxGapDays: number;
  /** `climatology`: average the observations within ± this many days of year (any year). */
  readonly climatologyWindowDays: number;
  /** A predictor date within this many days of the coarse date stands in for it (8-day products). */
  readonly dateToleranceDays: number;
}

/** One predictor on one coarse date, and how much of it is valid before and after gap filling. */
export interface AlignedPredictor {
  readonly values: Float32Array;
  /** Date of the predictor raster used (`static`, or `none` when no date was within tolerance). */
  readonly source: string;
  readonly validBefore: number;
  readonly validAfter: number;
  /** true when `values` is a new array (gap-filled copy), false when it is the series' own. */
  readonly owned: boolean;
}

/**
 * Aligns a fine predictor series to target dates and fills its gaps. Static series answer every date
 * unchanged (no filling). Temporal series: the raster of the same date, else the nearest within
 * `dateToleranceDays`, else an empty raster; then NaN pixels are filled per `gapFill` from the
 * series' own observations on other dates.
 */
export function createAligner(series: Series, options: AlignmentOptions) {
  const days = series.dates.map(dayNumber);
  const doys = series.dates.map(dayOfYearOf);
  const n = series.values[0].length;

  const nearestIndex = (t: number): number => {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < days.length; j++) {
      const d = Math.abs(days[j] - t);
      if (d < bestD) (best = j), (bestD = d);
    }
    return bestD <= options.dateToleranceDays ? best : -1;
  };

  return (date: string): AlignedPredictor => {
    if (isStatic(series)) {
      const v = series.values[0];
      const valid = countValid(v) / n;
      return { values: v, source: 'static', validBefore: valid, validAfter: valid, owned: false };
    }
    const t = dayNumber(date);
    const j = nearestIndex(t);
    const base = j >= 0 ? series.values[j] : undefined;
    const validBefore = base ? countValid(base) / n : 0;
    if (options.gapFill === 'none' || validBefore === 1) {
      return { values: base ?? new Float32Array(n).fill(Number.NaN), source: j >= 0 ? series.dates[j] : 'none', validBefore, validAfter: validBefore, owned: !base };
    }
    const out = base ? base.slice() : new Float32Array(n).fill(Number.NaN);
    const gaps = gapIndices(out);
    if (options.gapFill === 'interpolate') interpolate(out, gaps, t);
    else climatology(out, gaps, dayOfYearOf(date));
    return { values: out, source: j >= 0 ? series.dates[j] : 'none', validBefore, validAfter: countValid(out) / n, owned: true };
  };

  /** Linear in time between the nearest valid observations before and after (each within maxGapDays); one side alone is carried. */
  function interpolate(out: Float32Array, gaps: Int32Array, t: number): void {
    const m = gaps.length;
    const prevV = new Float32Array(m).fill(Number.NaN);
    const prevT = new Float64Array(m);
    const nextV = new Float32Array(m).fill(Number.NaN);
    const nextT = new Float64Array(m);
    let open = m;
    for (let j = lastAtOrBefore(t); j >= 0 && t - days[j] <= options.maxGapDays && open > 0; j--) {
      const v = series.values[j];
      for (let g = 0; g < m; g++) {
        if (prevV[g] === prevV[g]) continue;
        const x = v[gaps[g]];
        if (x === x) (prevV[g] = x), (prevT[g] = days[j]), open--;
      }
    }
    open = m;
    for (let j = lastAtOrBefore(t) + 1; j < days.length && days[j] - t <= options.maxGapDays && open > 0; j++) {
      const v = series.values[j];
      for (let g = 0; g < m; g++) {
        if (nextV[g] === nextV[g]) continue;
        const x = v[gaps[g]];
        if (x === x) (nextV[g] = x), (nextT[g] = days[j]), open--;
      }
    }
    for (let g = 0; g < m; g++) {
      const a = prevV[g];
      const b = nextV[g];
      if (a === a && b === b) {
        const span = nextT[g] - prevT[g];
        out[gaps[g]] = span > 0 ? a + ((b - a) * (t - prevT[g])) / span : a;
      } else if (a === a) out[gaps[g]] = a;
      else if (b === b) out[gaps[g]] = b;
    }
  }

  /** Mean of the valid observations within ± climatologyWindowDays of the day of year (circular), any year. */
  function climatology(out: Float32Array, gaps: Int32Array, doy: number): void {
    const m = gaps.length;
    const sum = new Float64Array(m);
    const cnt = new Int32Array(m);
    for (let j = 0; j < days.length; j++) {
      const d = Math.abs(doys[j] - doy);
      if (Math.min(d, 365 - d) > options.climatologyWindowDays) continue;
      const v = series.values[j];
      for (let g = 0; g < m; g++) {
        const x = v[gaps[g]];
        if (x === x) (sum[g] += x), cnt[g]++;
      }
    }
    for (let g = 0; g < m; g++) if (cnt[g] > 0) out[gaps[g]] = sum[g] / cnt[g];
  }

  function lastAtOrBefore(t: number): number {
    let lo = 0;
    let hi = days.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid] <= t) (ans = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    return ans;
  }
}

function countValid(v: Float32Array): number {
  let c = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) c++;
  return c;
}

function gapIndices(v: Float32Array): Int32Array {
  let m = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) m++;
  const out = new Int32Array(m);
  m = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) out[m++] = i;
  return out;
}
