import { inputError } from '../errors.js';
import { describeGrid, pixelCount, sameGrid } from '../model/grid.js';
import { isStatic, type Series } from '../model/series.js';
import type { Table } from '../model/table.js';
import { dateFeatureColumns, dateFeatureValues, type DateFeatureMode } from './date-features.js';

/** Column names and sequence layout of a pixel table. */
export interface FeatureLayout {
  readonly columns: readonly string[];
  /** Features of one time step (predictors, then date features). */
  readonly features: readonly string[];
  readonly steps: number;
}

/**
 * Columns for `names` plus date features, repeated for `steps` time steps (oldest first, named
 * `ndvi[t-2]`, `ndvi[t-1]`, `ndvi[t-0]`); plain names when `steps` is 1.
 */
export function featureLayout(names: readonly string[], dateFeatures: DateFeatureMode = 'none', steps = 1): FeatureLayout {
  const features = [...names, ...dateFeatureColumns(dateFeatures)];
  if (steps <= 1) return { columns: features, features, steps: 1 };
  const columns: string[] = [];
  for (let s = 0; s < steps; s++) for (const f of features) columns.push(`${f}[t-${steps - 1 - s}]`);
  return { columns, features, steps };
}

export interface SeriesTableOptions {
  /** Feature series keyed by column name, all on one grid; temporal ones must hold every table date. */
  readonly features: Readonly<Record<string, Series>>;
  /** Target series on the same grid (becomes `y`). */
  readonly target?: Series;
  /** Dates of the rows; default the target's dates, else the first temporal feature's. */
  readonly dates?: readonly string[];
  readonly dateFeatures?: DateFeatureMode;
  /** Time steps per row for sequence models; step `s` of the row on date `i` uses date `max(0, i−steps+1+s)`. */
  readonly steps?: number;
  /** Only these pixel indices (default all). */
  readonly pixels?: ArrayLike<number>;
  /** Drop rows with a NaN feature or target (default true). */
  readonly dropIncomplete?: boolean;
  /** Group id per pixel (spatial block, region) stored in `index.group`, for grouped CV. */
  readonly groupOf?: (pixel: number) => number;
}

/**
 * A regressor table from pixels × dates: one row per (date, pixel), columns = features (static or
 * temporal) plus optional date features, target from `target`. Rows record their date index and pixel
 * index in `table.index`.
 *
 * @example
 * ```ts
 * const t = tableFromSeries({ features: { ndvi, lst }, target: truth, dateFeatures: 'doy' });
 * assert.deepEqual(t.columns, ['ndvi', 'lst', 'doy_sin', 'doy_cos']);
 * ```
 */
export function tableFromSeries(options: SeriesTableOptions): Table {
  const names = Object.keys(options.features);
  const all = [...names.map((n) => options.features[n]), ...(options.target ? [options.target] : [])];
  if (all.length === 0) throw inputError('no feature series given', { path: 'features', expected: 'at least one series', found: 'none' });
  const grid = all[0].grid;
  for (const [i, s] of all.entries()) {
    if (!sameGrid(s.grid, grid)) {
      const name = i < names.length ? names[i] : 'target';
      throw inputError(`series '${name}' is on another grid`, { path: `features.${name}`, expected: describeGrid(grid), found: describeGrid(s.grid) });
    }
  }
  const dates = options.dates ?? options.target?.dates ?? all.find((s) => !isStatic(s))?.dates ?? [];
  const rowDates = dates.length === 0 ? [''] : dates;
  const mode = options.dateFeatures ?? 'none';
  const steps = Math.max(1, Math.floor(options.steps ?? 1));
  const layout = featureLayout(names, mode, steps);
  const nf = layout.features.length;
  const nc = layout.columns.length;
  const pick = (s: Series, name: string, d: number): Float32Array => {
    if (isStatic(s)) return s.values[0];
    const i = s.dates.indexOf(rowDates[d]);
    if (i < 0) throw inputError(`series '${name}' has no value on ${rowDates[d]}`, { path: `features.${name}.dates`, expected: rowDates[d], found: `${s.dates[0] ?? '-'} … ${s.dates.at(-1) ?? '-'}` });
    return s.values[i];
  };
  const pixels = options.pixels ?? { length: pixelCount(grid) };
  const pixelAt = options.pixels ? (i: number) => options.pixels![i] : (i: number) => i;
  const drop = options.dropIncomplete ?? true;
  // Growable typed buffers: tables of millions of pixel rows stay compact.
  let cap = 1024;
  let rows = 0;
  let x = new Float32Array(cap * nc);
  let y = new Float32Array(cap);
  let dateIdx = new Int32Array(cap);
  let pixIdx = new Int32Array(cap);
  const row = new Float32Array(nc);
  for (let d = 0; d < rowDates.length; d++) {
    const perStep = Array.from({ length: steps }, (_, s) => {
      const dd = Math.max(0, d - steps + 1 + s);
      return { arrays: names.map((n) => pick(options.features[n], n, dd)), extra: dateFeatureValues(rowDates[dd] || '2000-01-01', rowDates[dd] ? mode : 'none') };
    });
    const target = options.target ? pick(options.target, 'target', d) : undefined;
    for (let i = 0; i < pixels.length; i++) {
      const p = pixelAt(i);
      const yv = target ? target[p] : Number.NaN;
      if (drop && target && Number.isNaN(yv)) continue;
      let complete = true;
      for (let s = 0; s < steps; s++) {
        const { arrays, extra } = perStep[s];
        for (let f = 0; f < names.length; f++) {
          const v = arrays[f][p];
          if (Number.isNaN(v)) complete = false;
          row[s * nf + f] = v;
        }
        for (let e = 0; e < extra.length; e++) row[s * nf + names.length + e] = extra[e];
      }
      if (drop && !complete) continue;
      if (rows === cap) {
        cap *= 2;
        x = grow(x, cap * nc);
        y = grow(y, cap);
        dateIdx = grow(dateIdx, cap);
        pixIdx = grow(pixIdx, cap);
      }
      x.set(row, rows * nc);
      y[rows] = yv;
      dateIdx[rows] = d;
      pixIdx[rows] = p;
      rows++;
    }
  }
  const table: Table = {
    kind: 'table',
    columns: layout.columns,
    rows,
    x: x.slice(0, rows * nc),
    ...(options.target ? { y: y.slice(0, rows) } : {}),
    index: { date: dateIdx.slice(0, rows), pixel: pixIdx.slice(0, rows) },
    ...(steps > 1 ? { layout: { steps, features: layout.features } } : {}),
  };
  if (options.groupOf) table.index!.group = table.index!.pixel!.map(options.groupOf);
  return table;
}

function grow<T extends Float32Array | Int32Array>(a: T, length: number): T {
  const b = new (a.constructor as { new (n: number): T })(length);
  b.set(a);
  return b;
}
