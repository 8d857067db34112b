/**
 * A feature matrix for regressors: `rows × columns`, row-major `Float32Array`, plus an optional
 * target. Built from rasters (pixels), stations (points) or a CSV. `NaN` marks a missing value.
 *
 * Sequence models read `layout`: when present, each row holds `steps` time steps of `features`,
 * step-major (`x[row*columns.length + step*features.length + f]`), oldest step first.
 *
 * @example
 * ```ts
 * const t = createTable(['ndvi', 'lst'], 2);
 * t.x.set([0.4, 301.2, 0.6, 296.0]);
 * t.y = Float32Array.of(0.21, 0.33);
 * ```
 */
export interface Table {
  readonly kind: 'table';
  readonly columns: readonly string[];
  readonly rows: number;
  readonly x: Float32Array;
  y?: Float32Array;
  weights?: Float32Array;
  /** Per-row bookkeeping: date index, pixel index, and a group id (spatial block, station) for CV. */
  index?: { date?: Int32Array; pixel?: Int32Array; group?: Int32Array };
  readonly layout?: { readonly steps: number; readonly features: readonly string[] };
}

export function createTable(columns: readonly string[], rows: number, withTarget = false): Table {
  const t: Table = { kind: 'table', columns: [...columns], rows, x: new Float32Array(rows * columns.length) };
  if (withTarget) t.y = new Float32Array(rows);
  return t;
}

/** Rows `indices` of `table` as a new table (copies). */
export function takeRows(table: Table, indices: ArrayLike<number>): Table {
  const nc = table.columns.length;
  const out = createTable(table.columns, indices.length, table.y !== undefined);
  const layout = table.layout;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    out.x.set(table.x.subarray(r * nc, r * nc + nc), i * nc);
    if (table.y && out.y) out.y[i] = table.y[r];
  }
  if (table.weights) out.weights = Float32Array.from(indices, (r) => table.weights![r]);
  if (table.index) {
    out.index = {};
    for (const k of ['date', 'pixel', 'group'] as const) {
      const col = table.index[k];
      if (col) out.index[k] = Int32Array.from(indices, (r) => col[r]);
    }
  }
  return layout ? { ...out, layout } : out;
}

/**
 * A small result table (metrics, calibration reports): a list of records with fixed columns.
 * Written as `<name>.csv` and `<name>.json`. Not for pixels.
 */
export interface RecordTable {
  readonly kind: 'records';
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Readonly<Record<string, string | number | boolean | null>>>;
  /** Remarks a reader should see next to the table (skipped stations, fallbacks taken). */
  readonly notes?: readonly string[];
}

export function recordTable(
  rows: ReadonlyArray<Readonly<Record<string, string | number | boolean | null>>>,
  columns?: readonly string[],
  notes?: readonly string[],
): RecordTable {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return { kind: 'records', columns: cols, rows, notes };
}
