import { inputError } from '../errors.js';
import { pixelCount } from '../model/grid.js';
import { isStatic, makeSeries, type Series } from '../model/series.js';
import { formatDate, parseDate } from './dates.js';

/** Composite periods: fixed runs of days counted from the series' first date, or calendar months. */
export type CompositePeriod = { readonly days: number } | 'month';
export type CompositeReducer = 'mean' | 'max' | 'median' | 'last';

/**
 * Reduce a dated series to one band per period, dated by the period start (the first day of the
 * month, or first date + k·days). Reducers ignore NaN; `last` takes the latest valid value per pixel.
 * Periods without any date are left out. Static series are returned unchanged.
 *
 * @example
 * ```ts
 * const ndvi8day = compositeSeries(ndviDaily, { days: 8 }, 'max');
 * const smMonthly = compositeSeries(smDaily, 'month', 'mean');
 * ```
 */
export function compositeSeries(series: Series, period: CompositePeriod, reducer: CompositeReducer): Series {
  if (isStatic(series)) return series;
  const start = periodStarts(series.dates, period);
  const dates: string[] = [];
  const groups: number[][] = [];
  for (let i = 0; i < series.dates.length; i++) {
    if (dates.length === 0 || dates[dates.length - 1] !== start[i]) {
      dates.push(start[i]);
      groups.push([]);
    }
    groups[groups.length - 1].push(i);
  }
  const n = pixelCount(series.grid);
  const values = groups.map((g) => reduce(g.map((i) => series.values[i]), n, reducer));
  return makeSeries({ variable: series.variable, grid: series.grid, dates, values, unit: series.unit, categorical: series.categorical });
}

function periodStarts(dates: readonly string[], period: CompositePeriod): string[] {
  if (period === 'month') return dates.map((d) => `${d.slice(0, 7)}-01`);
  const len = period.days;
  if (!Number.isInteger(len) || len < 1) {
    throw inputError('bad composite period', { path: 'period.days', expected: 'a whole number of days >= 1', found: String(len) });
  }
  const d0 = parseDate(dates[0]);
  return dates.map((d) => formatDate(d0 + Math.floor((parseDate(d) - d0) / len) * len));
}

function reduce(bands: Float32Array[], n: number, reducer: CompositeReducer): Float32Array {
  const out = new Float32Array(n).fill(Number.NaN);
  const k = bands.length;
  if (reducer === 'median') {
    const buf = new Float64Array(k);
    for (let p = 0; p < n; p++) {
      let m = 0;
      for (let b = 0; b < k; b++) {
        const v = bands[b][p];
        if (v === v) buf[m++] = v;
      }
      if (m === 0) continue;
      const s = buf.subarray(0, m).sort();
      out[p] = m % 2 === 1 ? s[(m - 1) >> 1] : (s[m / 2 - 1] + s[m / 2]) / 2;
    }
    return out;
  }
  if (reducer === 'last') {
    for (let b = 0; b < k; b++) {
      const band = bands[b];
      for (let p = 0; p < n; p++) if (band[p] === band[p]) out[p] = band[p];
    }
    return out;
  }
  if (reducer === 'max') {
    for (let b = 0; b < k; b++) {
      const band = bands[b];
      for (let p = 0; p < n; p++) {
        const v = band[p];
        if (v === v && !(out[p] >= v)) out[p] = v;
      }
    }
    return out;
  }
  const sum = new Float64Array(n);
  const count = new Uint32Array(n);
  for (let b = 0; b < k; b++) {
    const band = bands[b];
    for (let p = 0; p < n; p++) {
      const v = band[p];
      if (v === v) {
        sum[p] += v;
        count[p]++;
      }
    }
  }
  for (let p = 0; p < n; p++) if (count[p] > 0) out[p] = sum[p] / count[p];
  return out;
}
