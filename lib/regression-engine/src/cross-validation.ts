import { metricsTableRow, pairedMetrics, recordTable, takeRows, type RecordTable, type Regressor, type Rng, type Table } from '../../../core/index.js';

export type CvScheme = 'none' | 'kfold' | 'dates' | 'blocks';

/**
 * Fold of every row: `kfold` shuffles rows, `dates` keeps each date in one fold (leave-dates-out),
 * `blocks` keeps each spatial group (`table.index.group`) in one fold. Units are shuffled with `rng`
 * and dealt round-robin, so fold sizes differ by at most one unit.
 */
export function assignFolds(table: Table, scheme: Exclude<CvScheme, 'none'>, folds: number, rng: Rng): { fold: Int32Array; folds: number } {
  const unitOf =
    scheme === 'kfold' ? (r: number) => r : scheme === 'dates' ? (r: number) => table.index!.date![r] : (r: number) => table.index!.group![r];
  const units = [...new Set(Array.from({ length: table.rows }, (_, r) => unitOf(r)))].sort((a, b) => a - b);
  const k = Math.max(1, Math.min(folds, units.length));
  const foldOfUnit = dealUnits(units, k, rng);
  return { fold: Int32Array.from({ length: table.rows }, (_, r) => foldOfUnit.get(unitOf(r))!), folds: k };
}

/** Units (ascending) shuffled with `rng` and dealt round-robin into `k` folds: unit → fold. */
export function dealUnits(units: readonly number[], k: number, rng: Rng): Map<number, number> {
  const foldOfUnit = new Map<number, number>();
  rng.shuffle(Int32Array.from(units)).forEach((u, i) => foldOfUnit.set(u, i % k));
  return foldOfUnit;
}

/**
 * The train/test splits of fold assignment `fold` (k folds): row indices of each fold and of the rest,
 * skipping folds that leave either side empty.
 */
export function* foldSplits(fold: Int32Array, k: number): Generator<{ fold: number; train: number[]; test: number[] }> {
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let r = 0; r < fold.length; r++) (fold[r] === f ? test : train).push(r);
    if (train.length > 0 && test.length > 0) yield { fold: f, train, test };
  }
}

/** Out-of-fold predictions (and spreads, when the learner has them) with the CV table: what stacking and conformal intervals use. */
export interface OutOfFoldResult {
  readonly table: RecordTable;
  readonly oof: Float32Array;
  readonly spread?: Float32Array;
}

/** A provider of out-of-fold predictions on `table` with the given folds. */
export type OutOfFold = (table: Table, scheme: Exclude<CvScheme, 'none'>, folds: number, rng: Rng) => Promise<OutOfFoldResult>;

/**
 * Cross validation at the coarse scale: refit the regressor on each training split and predict the
 * held-out rows. The table has one row per fold and an `all` row pooling the out-of-fold predictions,
 * with the validators' metrics (`pairedMetrics`).
 */
export async function crossValidate(
  regressor: Regressor,
  table: Table,
  scheme: Exclude<CvScheme, 'none'>,
  folds: number,
  rng: Rng,
): Promise<OutOfFoldResult> {
  const { fold, folds: k } = assignFolds(table, scheme, folds, rng);
  const oof = new Float32Array(table.rows).fill(Number.NaN);
  let spread: Float32Array | undefined;
  const rows: Record<string, string | number | null>[] = [];
  const notes: string[] = [];
  if (k < folds) notes.push(`only ${k} ${scheme === 'dates' ? 'dates' : scheme === 'blocks' ? 'spatial blocks' : 'rows'} available: ${k} folds instead of ${folds}`);
  for (const { fold: f, train, test } of foldSplits(fold, k)) {
    const testTable = takeRows(table, test);
    const model = await regressor.fit(takeRows(table, train));
    const { mean, spread: s } = await model.predict(testTable);
    test.forEach((r, i) => (oof[r] = mean[i]));
    if (s) {
      spread ??= new Float32Array(table.rows).fill(Number.NaN);
      test.forEach((r, i) => (spread![r] = s[i]));
    }
    rows.push({ scheme, fold: String(f + 1), trainRows: train.length, ...metricsTableRow(pairedMetrics(mean, testTable.y!)) });
  }
  rows.push({ scheme, fold: 'all', trainRows: null, ...metricsTableRow(pairedMetrics(oof, table.y!)) });
  return { table: recordTable(rows, undefined, notes), oof, spread };
}
