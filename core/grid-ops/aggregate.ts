import { pixelCount, type Grid } from '../model/grid.js';
import { makeSeries, type Series } from '../model/series.js';
import { checkNesting } from './nesting.js';

/** How fine pixels are combined into a coarse cell. `valid-fraction` gives the share of non-NaN fine pixels. */
export type AggregateMethod = 'mean' | 'majority' | 'sum' | 'min' | 'max' | 'valid-fraction';

export interface AggregateOptions {
  /** Default `mean`. */
  readonly method?: AggregateMethod;
  /**
   * Minimum share of valid (non-NaN) fine pixels, out of the fine pixels of the cell that fall inside
   * the fine grid; cells below it become NaN. Default 0.5. Not applied to `valid-fraction`.
   */
  readonly minValidFraction?: number;
}

/**
 * Aggregate a fine band to a coarse grid it nests in (see `checkNesting`). Coarse cells not covered by
 * the fine grid are NaN. `majority` breaks ties towards the smallest class.
 *
 * @example
 * ```ts
 * const ndvi1km = aggregateToGrid(ndvi30m.values[0], fineGrid, grid, { method: 'mean', minValidFraction: 0.3 }); // 30 m → 1 km
 * ```
 */
export function aggregateToGrid(values: Float32Array, fine: Grid, coarse: Grid, options: AggregateOptions = {}): Float32Array {
  if (values.length !== pixelCount(fine)) {
    throw new RangeError(`aggregateToGrid: ${values.length} values for a ${fine.width}×${fine.height} grid`);
  }
  const method = options.method ?? 'mean';
  const minValid = options.minValidFraction ?? 0.5;
  const { factorX, factorY, offsetCol, offsetRow } = checkNesting(coarse, fine);
  const out = new Float32Array(pixelCount(coarse)).fill(Number.NaN);
  const fw = fine.width;
  const scratch = method === 'majority' ? new Float32Array(factorX * factorY) : undefined;
  for (let R = 0; R < coarse.height; R++) {
    const r0 = Math.max(0, R * factorY - offsetRow);
    const r1 = Math.min(fine.height, (R + 1) * factorY - offsetRow);
    if (r1 <= r0) continue;
    for (let C = 0; C < coarse.width; C++) {
      const c0 = Math.max(0, C * factorX - offsetCol);
      const c1 = Math.min(fw, (C + 1) * factorX - offsetCol);
      if (c1 <= c0) continue;
      const total = (r1 - r0) * (c1 - c0);
      let valid = 0;
      let acc = method === 'min' ? Infinity : method === 'max' ? -Infinity : 0;
      for (let r = r0; r < r1; r++) {
        const base = r * fw;
        for (let i = base + c0, end = base + c1; i < end; i++) {
          const v = values[i];
          if (v !== v) continue; // NaN
          switch (method) {
            case 'min':
              if (v < acc) acc = v;
              break;
            case 'max':
              if (v > acc) acc = v;
              break;
            case 'majority':
              scratch![valid] = v;
              break;
            case 'valid-fraction':
              break;
            default:
              acc += v;
          }
          valid++;
        }
      }
      const cell = R * coarse.width + C;
      if (method === 'valid-fraction') {
        out[cell] = valid / total;
        continue;
      }
      if (valid === 0 || valid < minValid * total) continue;
      if (method === 'mean') out[cell] = acc / valid;
      else if (method === 'majority') out[cell] = majority(scratch!, valid);
      else out[cell] = acc;
    }
  }
  return out;
}

/** Most frequent value among `buf[0..n)`; ties go to the smallest value. Sorts the buffer in place. */
function majority(buf: Float32Array, n: number): number {
  const s = buf.subarray(0, n).sort();
  let best = s[0];
  let bestCount = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    run = i > 0 && s[i] === s[i - 1] ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = s[i];
    }
  }
  return best;
}

/**
 * Aggregate every date of a series to `coarse`. Categorical series use `majority` unless a method is
 * given.
 *
 * @example
 * ```ts
 * const lcCoarse = aggregateSeries(landcover30m, grid); // majority, stays categorical
 * assert.equal(lcCoarse.categorical, true);
 * ```
 */
export function aggregateSeries(series: Series, coarse: Grid, options: AggregateOptions = {}): Series {
  const method = options.method ?? (series.categorical ? 'majority' : 'mean');
  const values = series.values.map((v) => aggregateToGrid(v, series.grid, coarse, { ...options, method }));
  return makeSeries({
    variable: series.variable,
    grid: coarse,
    dates: series.dates,
    values,
    unit: method === 'valid-fraction' ? undefined : series.unit,
    categorical: method === 'majority' ? series.categorical : undefined,
  });
}
