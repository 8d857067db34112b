import { recordTable, type FittedRegressor, type RecordTable, type Rng, type Table } from '../../../core/index.js';

/**
 * Feature importance: the regressor's own measures when it has them, otherwise permutation
 * importance on `table` (%IncMSE: increase of the mean squared error when one column is shuffled).
 */
export async function importanceTable(model: FittedRegressor, table: Table, rng: Rng): Promise<RecordTable> {
  const own = model.importance?.();
  if (own && own.length > 0) {
    return recordTable(own.flatMap((imp) => Object.entries(imp.values).map(([feature, value]) => ({ method: imp.method, feature, value }))), ['method', 'feature', 'value']);
  }
  const y = table.y!;
  const mse = (pred: Float32Array): number => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < pred.length; i++) {
      const d = pred[i] - y[i];
      if (d === d) (s += d * d), n++;
    }
    return n > 0 ? s / n : Number.NaN;
  };
  const base = mse((await model.predict(table)).mean);
  // An interpolator (KNN with distance weights) reproduces its training rows (MSE 0), where %IncMSE is
  // undefined: the increase is then expressed relative to the target's variance instead.
  const denominator = base > 0 ? base : variance(y);
  const nc = table.columns.length;
  const rows = [];
  for (let j = 0; j < nc; j++) {
    const x = table.x.slice();
    const perm = rng.shuffle(Int32Array.from({ length: table.rows }, (_, i) => i));
    for (let r = 0; r < table.rows; r++) x[r * nc + j] = table.x[perm[r] * nc + j];
    const m = mse((await model.predict({ ...table, x })).mean);
    rows.push({ method: 'permutation', feature: table.columns[j], value: denominator > 0 ? (100 * (m - base)) / denominator : 0 });
  }
  const note =
    base > 0
      ? 'permutation importance at the coarse scale: %IncMSE when the column is shuffled'
      : 'permutation importance at the coarse scale: the model reproduces its training rows (MSE 0), so values are the MSE increase in % of the target variance';
  return recordTable(rows, ['method', 'feature', 'value'], [note]);
}

function variance(y: Float32Array): number {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === v) (s += v), (s2 += v * v), n++;
  }
  return n > 1 ? (s2 - (s * s) / n) / n : 0;
}
