import { runtimeError } from '../errors.js';
import { checkNesting } from '../grid-ops/nesting.js';
import { pixelCount, sameGrid, type Grid } from '../model/grid.js';
import { isStatic, makeSeries, selectDates, type Series } from '../model/series.js';
import type { Stations, StationSeries } from '../model/stations.js';
import { recordTable, type RecordTable } from '../model/table.js';
import type { PartitionBy } from './types.js';
import { inRecurring } from './plan.js';

const SEASON_OF_MONTH = ['DJF', 'DJF', 'MAM', 'MAM', 'MAM', 'JJA', 'JJA', 'JJA', 'SON', 'SON', 'SON', 'DJF'];

/** A part of a time partition, as far as dates go. */
export interface TimePart {
  readonly name: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * The part owning each date: season (DJF/MAM/JJA/SON), month (`01`…`12`) or date ranges (inclusive,
 * full or recurring `MM-DD`); `*` takes every date no other part owns. Undefined: no part owns it.
 *
 * @example
 * ```ts
 * const owner = timeOwner('season', [{ name: 'JJA' }, { name: '*' }]);
 * owner('2024-07-01'); // 'JJA'
 * owner('2024-01-01'); // '*'
 * ```
 */
export function timeOwner(by: Exclude<PartitionBy, 'region'>, parts: readonly TimePart[]): (date: string) => string | undefined {
  const named = parts.filter((p) => p.name !== '*');
  const hasDefault = parts.some((p) => p.name === '*');
  const own = (p: TimePart, date: string): boolean => {
    const month = Number(date.slice(5, 7));
    if (by === 'season') return SEASON_OF_MONTH[month - 1] === p.name;
    if (by === 'month') return date.slice(5, 7) === p.name;
    if (p.from === undefined || p.to === undefined) return false;
    return p.from.length === 10 ? date >= p.from && date <= p.to : inRecurring(date.slice(5, 10), p.from, p.to);
  };
  return (date) => {
    const owners = named.filter((p) => own(p, date));
    if (owners.length > 1) {
      throw runtimeError(`date ${date} belongs to parts ${owners.map((p) => `'${p.name}'`).join(' and ')}`, { expected: 'each date in one part', found: 'overlapping parts' });
    }
    return owners[0]?.name ?? (hasDefault ? '*' : undefined);
  };
}

/** A series or stations filtered to the dates `keep` accepts (static series pass whole). */
export function filterDates<T extends Series | Stations>(a: T, keep: (date: string) => boolean): T {
  if (a.kind === 'series') return (isStatic(a) ? a : selectDates(a, (d) => keep(d))) as T;
  const observations = new Map<string, StationSeries>();
  for (const [id, s] of a.observations) {
    const idx = s.dates.map((d, i) => (keep(d) ? i : -1)).filter((i) => i >= 0);
    observations.set(id, {
      dates: idx.map((i) => s.dates[i]),
      values: Float32Array.from(idx, (i) => s.values[i]),
      ...(s.flags ? { flags: idx.map((i) => s.flags![i]) } : {}),
    });
  }
  return { ...a, observations } as T;
}

/** A series with pixels outside `keep` (a mask on its grid) set to NaN. Copies. */
export function maskSeries(series: Series, keep: (pixel: number) => boolean): Series {
  const n = pixelCount(series.grid);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = keep(i) ? 1 : 0;
  const values = series.values.map((v) => {
    const out = Float32Array.from(v);
    for (let i = 0; i < n; i++) if (!mask[i]) out[i] = Number.NaN;
    return out;
  });
  return makeSeries({ ...series, values });
}

export interface PartSeries {
  readonly part: string;
  readonly series: Series;
}

/** Result of a merge, with how many times each date (or pixel×date) was assigned, for checks and notes. */
export interface MergeResult {
  readonly series: Series;
  /** Per output value: number of parts that wrote it (0 = uncovered, 1 = assigned once). */
  readonly assigned: Uint8Array;
  /** Dates (time merge) or pixel count (region merge) no part covered. */
  readonly uncovered: number;
  /** Values a part produced outside what it owns, dropped. */
  readonly dropped: number;
}

/**
 * Merge temporal series from time parts: each date is taken from the part that owns it, and only
 * from that part. All parts must share one grid.
 */
export function mergeByDate(parts: readonly PartSeries[], owner: (date: string) => string | undefined, name: string): MergeResult {
  const first = parts[0].series;
  checkSameGrid(parts, name);
  const byDate = new Map<string, Float32Array>();
  let dropped = 0;
  for (const { part, series } of parts) {
    series.dates.forEach((d, i) => {
      if (owner(d) !== part) {
        dropped++;
        return;
      }
      if (byDate.has(d)) throw runtimeError(`partition merge: date ${d} of '${name}' produced by two parts`);
      byDate.set(d, series.values[i]);
    });
  }
  const dates = [...byDate.keys()].sort();
  const assigned = new Uint8Array(dates.length).fill(1);
  return {
    series: makeSeries({ variable: first.variable, grid: first.grid, dates, values: dates.map((d) => byDate.get(d)!), unit: first.unit, categorical: first.categorical }),
    assigned,
    uncovered: 0,
    dropped,
  };
}

/**
 * Merge series from region parts pixel by pixel: each pixel of each date comes from the part owning
 * it (`owner[pixel]` = index into `partNames`, -1 = none → NaN). Dates are the union over parts.
 */
export function mergeByRegion(parts: readonly PartSeries[], owner: Int32Array, partNames: readonly string[], name: string): MergeResult {
  const first = parts[0].series;
  checkSameGrid(parts, name);
  const n = pixelCount(first.grid);
  const statics = parts.every((p) => isStatic(p.series));
  const dates = statics ? [] : [...new Set(parts.flatMap((p) => p.series.dates))].sort();
  const count = statics ? 1 : dates.length;
  const values = Array.from({ length: count }, () => new Float32Array(n).fill(Number.NaN));
  const assigned = new Uint8Array(count * n);
  let dropped = 0;
  for (const { part, series } of parts) {
    const idx = partNames.indexOf(part);
    for (let k = 0; k < count; k++) {
      const src = statics ? series.values[0] : series.dates.indexOf(dates[k]) >= 0 ? series.values[series.dates.indexOf(dates[k])] : undefined;
      if (!src) continue;
      const dst = values[k];
      for (let i = 0; i < n; i++) {
        if (owner[i] === idx) {
          dst[i] = src[i];
          assigned[k * n + i]++;
        } else if (!Number.isNaN(src[i])) dropped++;
      }
    }
  }
  let uncovered = 0;
  for (let i = 0; i < n; i++) if (owner[i] < 0) uncovered++;
  return {
    series: makeSeries({ variable: first.variable, grid: first.grid, dates, values, unit: first.unit, categorical: first.categorical }),
    assigned,
    uncovered,
    dropped,
  };
}

/**
 * Coarse cell of each fine pixel (-1 outside the coarse grid); the fine grid must nest in the coarse one.
 *
 * @example
 * ```ts
 * const cellOf = cellIndex(grid, smCoarse.grid); // cellOf[pixel] = row × width + column of its coarse cell
 * ```
 */
export function cellIndex(fine: Grid, coarse: Grid): Int32Array {
  const { factorX, factorY, offsetCol, offsetRow } = checkNesting(coarse, fine);
  const cellOf = new Int32Array(fine.width * fine.height).fill(-1);
  for (let r = 0; r < fine.height; r++) {
    const R = Math.floor((r + offsetRow) / factorY);
    for (let c = 0; c < fine.width; c++) {
      const C = Math.floor((c + offsetCol) / factorX);
      if (R < coarse.height && C < coarse.width) cellOf[r * fine.width + c] = R * coarse.width + C;
    }
  }
  return cellOf;
}

/** A series shifted by one constant per group of pixels and date, and how far it moved. */
export interface ShiftResult {
  readonly series: Series;
  /** Mean |shift| over the (group, date) pairs that were shifted. */
  readonly meanAbsShift: number;
}

/** Result of {@link levelRegions} (groups: a region in a coarse cell). */
export interface LevelResult extends ShiftResult {
  /** Pixel-dates without a value from their part, filled from the levels product. */
  readonly filled: number;
  /** Dates the levels product lacks (left as they were). */
  readonly datesWithoutLevels: readonly string[];
}

/**
 * Give every region of every coarse cell the level of a reference product: the merged values of region
 * `owner[i]` in cell `cellOf[i]` are shifted by one constant per date so their mean equals `levels`' mean
 * over the same pixels, and pixels without a value take `levels`' value. The parts keep their detail
 * within each region; the contrast between regions inside a cell, and the cell mean, are the reference's.
 * `levels` must be on the series' grid.
 *
 * @example
 * ```ts
 * // Two regions (west and east halves): each region of each coarse cell takes the truth's mean there.
 * const owner = Int32Array.from(product.values[0], (_, i) => (i % product.grid.width < product.grid.width / 2 ? 0 : 1));
 * const { series, filled } = levelRegions(product, truth, owner, cellIndex(product.grid, smCoarse.grid));
 * ```
 */
export function levelRegions(series: Series, levels: Series, owner: Int32Array, cellOf: Int32Array): LevelResult {
  if (!sameGrid(series.grid, levels.grid)) {
    throw runtimeError('partition "levels": the levels product is on another grid than the merged product', { expected: 'the merged product\'s grid', found: 'a different grid' });
  }
  const nParts = maxOf(owner) + 1;
  const groupOf = Int32Array.from(cellOf, (c, i) => (c < 0 || owner[i] < 0 ? -1 : c * nParts + owner[i]));
  const groups = (maxOf(cellOf) + 1) * nParts;
  const datesWithoutLevels: string[] = [];
  const stats = new ShiftStats();
  let filled = 0;
  const values = series.values.map((v, d) => {
    const j = isStatic(levels) ? 0 : levels.dates.indexOf(series.dates[d]);
    if (j < 0) {
      datesWithoutLevels.push(series.dates[d]);
      return v;
    }
    const ref = levels.values[j];
    const both = (i: number) => !Number.isNaN(v[i]) && !Number.isNaN(ref[i]);
    const refMean = groupMeans(ref, groupOf, groups, both);
    const shift = groupMeans(v, groupOf, groups, both).map((m, k) => refMean[k] - m);
    stats.add(shift);
    const out = shifted(v, groupOf, shift);
    for (let i = 0; i < out.length; i++) {
      if (Number.isNaN(out[i]) && !Number.isNaN(ref[i]) && owner[i] >= 0) {
        out[i] = ref[i];
        filled++;
      }
    }
    return out;
  });
  return { series: makeSeries({ ...series, values }), filled, meanAbsShift: stats.mean(), datesWithoutLevels };
}

/** Mean of `v` per group over the pixels `valid` accepts (NaN for a group without any; group -1 = none). */
function groupMeans(v: ArrayLike<number>, groupOf: Int32Array, groups: number, valid: (i: number) => boolean): Float64Array {
  const sum = new Float64Array(groups);
  const count = new Int32Array(groups);
  for (let i = 0; i < groupOf.length; i++) {
    if (groupOf[i] >= 0 && valid(i)) {
      sum[groupOf[i]] += v[i];
      count[groupOf[i]]++;
    }
  }
  return sum.map((x, k) => (count[k] > 0 ? x / count[k] : Number.NaN));
}

/** `v` plus its group's shift (pixels without a group or with a NaN shift unchanged). */
function shifted(v: Float32Array, groupOf: Int32Array, shift: Float64Array): Float32Array {
  return Float32Array.from(v, (x, i) => (groupOf[i] >= 0 && !Number.isNaN(shift[groupOf[i]]) ? x + shift[groupOf[i]] : x));
}

/** Mean and max |shift| over the groups that were shifted (NaN shifts skipped). */
class ShiftStats {
  private sum = 0;
  private n = 0;
  private largest = 0;
  add(shift: Float64Array): void {
    for (const s of shift) {
      if (Number.isNaN(s)) continue;
      this.sum += Math.abs(s);
      this.n++;
      this.largest = Math.max(this.largest, Math.abs(s));
    }
  }
  get max(): number {
    return this.largest;
  }
  mean(): number {
    return this.n ? this.sum / this.n : 0;
  }
}

function maxOf(a: Int32Array): number {
  let m = -1;
  for (const x of a) if (x > m) m = x;
  return m;
}

/** Result of {@link conserveCellMeans} (groups: coarse cells). */
export interface ConserveResult extends ShiftResult {
  readonly maxAbsShift: number;
  /** Dates of the series the coarse field has no map for (left as they were). */
  readonly datesWithoutCoarse: readonly string[];
}

/**
 * Shift every pixel of `series` by one constant per coarse cell and date so that the cell's mean over
 * its valid pixels equals the `coarse` value (block residual correction). A region merge needs it when
 * neighbouring regions come from different methods: each method conserves the whole cell, their mix
 * does not. Cells with no coarse value or no valid pixel, and dates the coarse field lacks, are left as
 * they are (the dates are returned). `series` must nest in the coarse grid (else an input error).
 *
 * @example
 * ```ts
 * const { series, maxAbsShift } = conserveCellMeans(truth, smCoarse); // block means of series = smCoarse, per date
 * ```
 */
export function conserveCellMeans(series: Series, coarse: Series): ConserveResult {
  const cellOf = cellIndex(series.grid, coarse.grid);
  const nCells = coarse.grid.width * coarse.grid.height;
  const datesWithoutCoarse: string[] = [];
  const stats = new ShiftStats();
  const values = series.values.map((v, d) => {
    const j = isStatic(coarse) ? 0 : coarse.dates.indexOf(series.dates[d]);
    if (j < 0) {
      datesWithoutCoarse.push(series.dates[d]);
      return v;
    }
    const shift = groupMeans(v, cellOf, nCells, (i) => !Number.isNaN(v[i])).map((m, k) => coarse.values[j][k] - m);
    stats.add(shift);
    return shifted(v, cellOf, shift);
  });
  return { series: makeSeries({ ...series, values }), meanAbsShift: stats.mean(), maxAbsShift: stats.max, datesWithoutCoarse };
}

function checkSameGrid(parts: readonly PartSeries[], name: string): void {
  const g = parts[0].series.grid;
  for (const p of parts) {
    if (!sameGrid(g, p.series.grid)) {
      throw runtimeError(`partition merge: output '${name}' of part '${p.part}' is on another grid than part '${parts[0].part}'`, { expected: 'every part on one grid', found: 'different grids' });
    }
  }
}

/** The label column used when the tables already have a column named like the requested one. */
const LABEL_FALLBACK: Readonly<Record<string, string>> = { method: 'alternative', partition: 'part' };

/**
 * Concatenate record tables with a leading column (`partition` or `method`) naming where each row came from.
 * When a table already has a column of that name (e.g. an importance table whose `method` is
 * permutation/impurity), that column is kept and the label goes into a column named `fallback` instead
 * (`method` → `alternative`, `partition` → `part`; a trailing `_` is added while the name is still taken).
 *
 * @example
 * ```ts
 * concatTables([['rf', rfSummary], ['knn', knnSummary]], 'method').columns; // ['method', 'n', 'r', …]
 * concatTables([['rf', rfImportance]], 'method').columns;                  // ['alternative', 'method', 'feature', …]
 * ```
 */
export function concatTables(tables: ReadonlyArray<readonly [string, RecordTable]>, column: string, fallback = LABEL_FALLBACK[column] ?? `${column}Label`): RecordTable {
  const own = [...new Set(tables.flatMap(([, t]) => t.columns))];
  let label = column;
  if (own.includes(label)) for (label = fallback; own.includes(label); ) label += '_';
  const columns = [label, ...own];
  const rows = tables.flatMap(([name, t]) => t.rows.map((r) => ({ [label]: name, ...Object.fromEntries(own.map((c) => [c, r[c] ?? null])) })));
  const notes = tables.flatMap(([name, t]) => (t.notes ?? []).map((n) => `${name}: ${n}`));
  return recordTable(rows, columns, notes.length ? notes : undefined);
}
