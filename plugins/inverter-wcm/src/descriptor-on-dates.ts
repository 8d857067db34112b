import { isStatic, parseDate, resampleToGrid, sameGrid, type Grid, type Series } from '../../../core/index.js';

/**
 * The vegetation descriptor on each radar date, on the radar grid.
 *
 * In time, per pixel: linear between the nearest valid observations before and after the date;
 * only one side valid (or the date outside the record) → that side's value; nothing within
 * `maxGapDays` → NaN. In space: bilinear resampling when the descriptor has another grid (a daily
 * 1 km NDVI serves a 30 m radar grid). A static descriptor serves every date.
 *
 * @example
 * ```ts
 * const ndviOnRadarDates = descriptorOnDates(ndvi30m, sigma0.dates, sigma0.grid, 32);
 * ```
 */
export function descriptorOnDates(series: Series, dates: readonly string[], grid: Grid, maxGapDays: number): Float32Array[] {
  const toGrid = (v: Float32Array) => (sameGrid(series.grid, grid) ? v : resampleToGrid(v, series.grid, grid, 'bilinear'));
  if (isStatic(series)) {
    const v = toGrid(series.values[0]);
    return dates.map(() => v);
  }
  const days = series.dates.map(parseDate);
  return dates.map((date) => toGrid(interpolateAt(series.values, days, parseDate(date), maxGapDays)));
}

function interpolateAt(values: readonly Float32Array[], days: readonly number[], t: number, maxGap: number): Float32Array {
  const exact = days.indexOf(t);
  const n = values[0].length;
  const out = new Float32Array(n).fill(Number.NaN);
  // Candidate dates within the gap, nearest first on each side; a pixel takes the nearest valid one per side.
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < days.length; i++) {
    if (days[i] <= t && t - days[i] <= maxGap) before.push(i);
    if (days[i] > t && days[i] - t <= maxGap) after.push(i);
  }
  before.reverse();
  if (exact >= 0 && before[0] !== exact) before.unshift(exact);
  for (let p = 0; p < n; p++) {
    let lo = -1;
    for (const i of before) if (values[i][p] === values[i][p]) { lo = i; break; }
    let hi = -1;
    for (const i of after) if (values[i][p] === values[i][p]) { hi = i; break; }
    if (lo >= 0 && days[lo] === t) out[p] = values[lo][p];
    else if (lo >= 0 && hi >= 0) {
      const w = (t - days[lo]) / (days[hi] - days[lo]);
      out[p] = values[lo][p] * (1 - w) + values[hi][p] * w;
    } else if (lo >= 0) out[p] = values[lo][p];
    else if (hi >= 0) out[p] = values[hi][p];
  }
  return out;
}
