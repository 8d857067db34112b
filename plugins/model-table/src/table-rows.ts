import { createTable, dateFeatureColumns, dateFeatureValues, inputError, usageError, type DateFeatureMode, type RecordTable, type Table } from '../../../core/index.js';

/** The rows of a record table a regressor can use, as a feature table, with their group and date. */
export interface UsableRows {
  /** Feature table (features, then date features) with the target; row i is record `source[i]`. */
  readonly table: Table;
  /** The target of each usable row at full precision (the table's `y` is float32), for metrics. */
  readonly observed: Float64Array;
  /** Index into the record table of each usable row. */
  readonly source: Int32Array;
  /** Group of each usable row (`groupBy` as text), when grouped. */
  readonly groups?: readonly string[];
  readonly dates?: readonly string[];
  readonly notes: readonly string[];
}

export interface RowSpec {
  readonly target: string;
  readonly features: readonly string[];
  readonly groupBy?: string;
  readonly dateColumn?: string;
  readonly dateFeatures: DateFeatureMode;
}

/**
 * The records with a target and every feature present (null is missing), as a feature table.
 * A cell of the wrong type (text in a feature, a non-date in the date column) is an error naming the
 * row and column; rows left out for missing values are counted in a note.
 */
export function usableRows(records: RecordTable, spec: RowSpec): UsableRows {
  const needed = [spec.target, ...spec.features, spec.groupBy, spec.dateColumn].filter((c): c is string => c !== undefined);
  const missing = needed.filter((c) => !records.columns.includes(c));
  if (missing.length) throw usageError(`the table has no column ${missing.map((c) => `'${c}'`).join(', ')}`, { path: 'with', expected: `columns among ${records.columns.join(', ')}`, found: missing.join(', ') });
  if (spec.dateFeatures !== 'none' && !spec.dateColumn) throw usageError('dateFeatures needs dateColumn', { path: 'with.dateColumn', expected: 'the column of dates', found: 'none' });
  const dateColumns = dateFeatureColumns(spec.dateFeatures);
  const columns = [...spec.features, ...dateColumns];
  if (columns.length === 0) throw usageError('no feature', { path: 'with.features', expected: 'feature columns, or dateFeatures', found: 'none' });
  const numberAt = (row: number, column: string): number => {
    const v = records.rows[row][column];
    if (v === null || v === undefined) return Number.NaN;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw inputError('a feature or target cell is not a number', { path: `table row ${row + 1}, column ${column}`, expected: 'a number, a boolean or null (give the column a type in source:csv)', found: JSON.stringify(v) });
  };
  const keep: number[] = [];
  const values: number[][] = [];
  const groups: string[] = [];
  const dates: string[] = [];
  let incomplete = 0;
  let ungrouped = 0;
  for (let r = 0; r < records.rows.length; r++) {
    const row = records.rows[r];
    const date = spec.dateColumn === undefined ? undefined : dateAt(row[spec.dateColumn], r, spec.dateColumn);
    const v = [numberAt(r, spec.target), ...spec.features.map((f) => numberAt(r, f)), ...(date !== undefined ? dateFeatureValues(date, spec.dateFeatures) : [])];
    if (!v.every(Number.isFinite) || (spec.dateColumn !== undefined && date === undefined)) {
      incomplete++;
      continue;
    }
    const group = spec.groupBy === undefined ? undefined : row[spec.groupBy];
    if (spec.groupBy !== undefined && (group === null || group === undefined)) {
      ungrouped++;
      continue;
    }
    keep.push(r);
    values.push(v);
    if (group !== undefined && group !== null) groups.push(String(group));
    if (date !== undefined) dates.push(date);
  }
  if (keep.length === 0) throw inputError('no usable row: every row lacks the target or a feature', { path: 'table', expected: `rows with ${needed.join(', ')} present`, found: `${records.rows.length} rows, none complete` });
  const table = createTable(columns, keep.length, true);
  values.forEach((v, i) => {
    table.y![i] = v[0];
    table.x.set(v.slice(1), i * columns.length);
  });
  const notes: string[] = [];
  if (incomplete) notes.push(`${incomplete} of ${records.rows.length} rows left out: the target or a feature is missing`);
  if (ungrouped) notes.push(`${ungrouped} rows left out: no ${spec.groupBy}`);
  return { table, observed: Float64Array.from(values, (v) => v[0]), source: Int32Array.from(keep), groups: spec.groupBy ? groups : undefined, dates: spec.dateColumn ? dates : undefined, notes };
}

function dateAt(v: unknown, row: number, column: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  throw inputError('not a date', { path: `table row ${row + 1}, column ${column}`, expected: 'YYYY-MM-DD (type the column "date" in source:csv)', found: JSON.stringify(v) });
}
