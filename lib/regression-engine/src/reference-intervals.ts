import { recordTable, runtimeError, usageError, takeRows, type RecordTable, type Regressor, type Rng, type Table } from '../../../core/index.js';
import { pooledGroupQuantile, type ConformalCalibration } from './conformal.js';
import { dealUnits, foldSplits } from './cross-validation.js';
import type { ReferenceAnomalies } from './reference-rows.js';

/** The fine-support calibration from a reference, with what it rests on. */
export interface ReferenceCalibration extends ConformalCalibration {
  /** Calibration units (cell-dates), reference pixel-dates scored, folds over the reference's cells. */
  readonly units: number;
  readonly pixels: number;
  readonly folds: number;
  /** The quantile's factor for the reference's error (1 without). */
  readonly errorFactor: number;
}

export interface ReferenceCalibrationInput {
  readonly regressor: Regressor;
  /** The refit's table; `fromReference` marks its reference rows (`multiScaleTable`). */
  readonly table: Table;
  readonly fromReference: Uint8Array;
  readonly reference: ReferenceAnomalies;
  /** Coarse values per date (row-major cells). */
  readonly coarse: readonly ArrayLike<number>[];
  readonly level: number;
  readonly folds: number;
  /** The reference's own error sd (its retrieval error), removed from the scores; 0 = none. */
  readonly errorSd: number;
  readonly rng: Rng;
  readonly where: string;
}

/**
 * A conformal half-width at the fine support from the reference (docs/ensembles.md, "Intervals from the
 * campaign, out of fold"). The reference's coarse cells are dealt into folds; for each fold the refit is fitted
 * without that fold's reference rows and predicts their anomalies `â`, so no reference pixel is scored by a model
 * that trained on its cell. The product there would be `C_V + â(p) − mean_V â` (block correction; the mean over
 * the cell's reference pixels, all of the cell's pixels when it is fully covered), the reference is
 * `y(p) + m_V` (its anomaly plus its cell mean), so the score is `|y(p) + m_V − C_V − â(p) + mean_V â|`. Scores
 * are pooled over cell-date units, each weighing 1, at `level·(1 + 1/J)` (`pooledGroupQuantile`).
 */
export async function referenceCalibration(input: ReferenceCalibrationInput): Promise<ReferenceCalibration> {
  const { table, fromReference, reference, coarse } = input;
  const date = table.index!.date!;
  const cell = table.index!.pixel!;
  const cells = [...new Set(Array.from(fromReference.keys()).filter((r) => fromReference[r]).map((r) => cell[r]))].sort((a, b) => a - b);
  const k = Math.min(input.folds, cells.length);
  if (k < 2) {
    throw runtimeError('out-of-fold calibration on the reference needs at least two of its coarse cells', { path: `${input.where}.referenceTraining.calibrateIntervals`, expected: '≥ 2 reference cells, or calibrateIntervals false', found: `${cells.length} cells` });
  }
  // Folds over the reference's cells; the sub-block rows (fold −1) train every fold model.
  const foldOf = dealUnits(cells, k, input.rng);
  const fold = Int32Array.from({ length: table.rows }, (_, r) => (fromReference[r] ? foldOf.get(cell[r])! : -1));
  const predicted = new Float64Array(table.rows).fill(Number.NaN);
  for (const { train, test } of foldSplits(fold, k)) {
    const model = await input.regressor.fit(takeRows(table, train));
    const { mean } = await model.predict(takeRows(table, test));
    test.forEach((r, i) => (predicted[r] = mean[i]));
  }
  // Units: one coarse cell on one date; the block correction subtracts the unit's mean prediction.
  const units = new Map<number, number[]>();
  const nc = coarse[0].length;
  for (let r = 0; r < table.rows; r++) {
    if (!fromReference[r] || !(predicted[r] === predicted[r])) continue;
    const key = date[r] * nc + cell[r];
    if (!units.has(key)) units.set(key, []);
    units.get(key)!.push(r);
  }
  const groups: Float64Array[] = [];
  let pixels = 0;
  for (const [key, rows] of units) {
    const d = Math.floor(key / nc);
    const c = key % nc;
    const offset = reference.cellMeans[d]![c] - coarse[d][c];
    const meanPrediction = rows.reduce((a, r) => a + predicted[r], 0) / rows.length;
    groups.push(Float64Array.from(rows, (r) => Math.abs(table.y![r] + offset - predicted[r] + meanPrediction)));
    pixels += rows.length;
  }
  const scoreQuantile = pooledGroupQuantile(groups, input.level);
  const errorFactor = withoutReferenceError(groups, input.errorSd, input.where);
  const quantile = scoreQuantile * errorFactor;
  if (!Number.isFinite(quantile)) {
    throw runtimeError('too few reference cell-dates for the interval level', { path: `${input.where}.intervals.level`, expected: `at least ${Math.ceil(input.level / (1 - input.level))} cell-dates for level ${input.level}`, found: `${groups.length}` });
  }
  return { level: input.level, n: pixels, quantile, scaled: false, scale: 1, units: groups.length, pixels, folds: k, errorFactor };
}

/**
 * The scores are `|e + η|`, `e` the product's error and `η` the reference's own (sd `errorSd`, independent of
 * `e`); the interval is for the truth, so the quantile is scaled by `sd(e) / sd(e + η) = √(1 − σ²_η / mean s²)`
 * (mean over units, each weighing 1). Exact when both are Gaussian — an assumption, not distribution-free (as
 * the variogram change of support). 1 when `errorSd` is 0.
 */
function withoutReferenceError(groups: readonly Float64Array[], errorSd: number, where: string): number {
  if (!(errorSd > 0)) return 1;
  let meanSquare = 0;
  for (const g of groups) meanSquare += g.reduce((a, v) => a + v * v, 0) / g.length / groups.length;
  // A stated error as large as the scores would leave no product error: a zero-width interval, never a calibration.
  if (!(errorSd * errorSd < meanSquare)) {
    throw usageError('the stated reference error is as large as the whole score against the reference, which would leave a zero-width interval', {
      path: `${where}.referenceTraining.referenceErrorSd`,
      expected: `an error sd below the scores' root mean square ${Math.sqrt(meanSquare).toPrecision(3)}`,
      found: `${errorSd}`,
    });
  }
  return Math.sqrt(1 - (errorSd * errorSd) / meanSquare);
}

/** The node table `intervals` for a calibration on the reference. */
export function referenceIntervalsTable(cal: ReferenceCalibration): RecordTable {
  return recordTable(
    [{ method: 'conformal', level: cal.level, changeOfSupport: 'reference', calibrationRows: cal.pixels, units: cal.units, folds: cal.folds, referenceErrorFactor: cal.errorFactor, quantile: cal.quantile, scale: 1, halfWidth: cal.quantile, scheme: 'reference cells' }],
    undefined,
    [
      `split-conformal at the fine support: |reference − out-of-fold product| at the reference pixels (folds over the reference's coarse cells: no pixel scored by a model trained on its cell), pooled over ${cal.units} cell-date units each weighing 1, quantile at level·(1 + 1/units); interval = product ± halfWidth (docs/ensembles.md)`,
      cal.errorFactor === 1
        ? 'the reference’s own error is in the scores: for the truth the interval is conservative by as much as that error is large against the product’s'
        : `the reference’s own error (referenceTraining.referenceErrorSd) removed from the scores by the factor referenceErrorFactor = √(1 − σ²/mean score²) (Gaussian errors assumed)`,
    ],
  );
}
