import { inputError, type FittedRegressor, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel, choleskySolve } from '../../../core/index.js';
import type { LinearParams } from '../index.js';

const ID = 'regressor:linear';
const VERSION = '1.0.0';

/** Coefficients on the original feature scale: `y = intercept + Σ coef[j]·x[j]`. */
export interface LinearModelData {
  readonly intercept: number;
  readonly coef: readonly number[];
  readonly rows: number;
  readonly r2: number;
  readonly rmse: number;
  /** Relative ridge added because the system was singular (collinear features), else 0. */
  readonly jitter: number;
}

export function createLinearRegressor(params: LinearParams): Regressor {
  return {
    async fit(train: Table) {
      return fitted(fitLinear(train, params), train.columns, params);
    },
    async load(saved: SavedModel) {
      checkSavedModel(saved, { id: ID, version: VERSION }, 'linear regression model');
      const data = saved.data as LinearModelData;
      const names = saved.featureNames ?? [];
      if (!Array.isArray(data?.coef) || data.coef.length !== names.length) {
        throw inputError('saved linear model is malformed', { path: 'data.coef', expected: `${names.length} coefficients`, found: String(data?.coef?.length) });
      }
      return fitted(data, names, { ...params, ...(saved.params as Partial<LinearParams>) });
    },
  };
}

/** Least squares on the complete rows (no NaN in features, target or weight). */
export function fitLinear(train: Table, params: LinearParams): LinearModelData {
  const y = train.y;
  if (!y) throw inputError('the training table has no target', { path: 'table.y', expected: 'a Float32Array target', found: 'none' });
  const p = train.columns.length;
  const x = train.x;
  const w = train.weights;
  // Pass 1: weighted means and scales over complete rows.
  const mean = new Float64Array(p);
  let ym = 0;
  let sw = 0;
  const complete = new Uint8Array(train.rows);
  for (let r = 0; r < train.rows; r++) {
    const wr = w ? w[r] : 1;
    if (!(wr > 0) || Number.isNaN(y[r])) continue;
    let ok = true;
    for (let j = 0; j < p; j++) if (Number.isNaN(x[r * p + j])) { ok = false; break; }
    if (!ok) continue;
    complete[r] = 1;
    sw += wr;
    ym += wr * y[r];
    for (let j = 0; j < p; j++) mean[j] += wr * x[r * p + j];
  }
  let n = 0;
  for (let r = 0; r < train.rows; r++) n += complete[r];
  if (n === 0) throw inputError('no complete rows to fit a linear regression', { path: 'table', expected: 'rows without NaN', found: `${train.rows} rows, all incomplete` });
  ym /= sw;
  for (let j = 0; j < p; j++) mean[j] /= sw;
  if (!params.fitIntercept) {
    mean.fill(0);
    ym = 0;
  }
  // Pass 2: centred cross products.
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const row = new Float64Array(p);
  for (let r = 0; r < train.rows; r++) {
    if (!complete[r]) continue;
    const wr = w ? w[r] : 1;
    for (let j = 0; j < p; j++) row[j] = x[r * p + j] - mean[j];
    const yr = y[r] - ym;
    for (let i = 0; i < p; i++) {
      const wi = wr * row[i];
      xty[i] += wi * yr;
      for (let j = 0; j <= i; j++) xtx[i * p + j] += wi * row[j];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) xtx[j * p + i] = xtx[i * p + j];
  // Scale to unit variance: the ridge penalty then weighs features alike; constant columns get 0.
  const scale = new Float64Array(p).fill(1);
  if (params.standardize) for (let j = 0; j < p; j++) scale[j] = xtx[j * p + j] > 0 ? Math.sqrt(xtx[j * p + j] / sw) : 0;
  const active = [...Array(p).keys()].filter((j) => scale[j] > 0 && xtx[j * p + j] > 0);
  const m = active.length;
  const beta = new Float64Array(p);
  let jitter = 0;
  if (m > 0) {
    const base = new Float64Array(m * m);
    const rhs = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      const i = active[a];
      rhs[a] = xty[i] / scale[i];
      for (let b = 0; b < m; b++) base[a * m + b] = xtx[i * p + active[b]] / (scale[i] * scale[active[b]]);
    }
    // λ is per unit weight so its effect does not depend on the number of rows.
    const lambda = params.ridge * sw;
    let trace = 0;
    for (let a = 0; a < m; a++) trace += base[a * m + a];
    for (const rel of [0, 1e-12, 1e-9, 1e-6]) {
      const A = base.slice();
      const b = rhs.slice();
      for (let a = 0; a < m; a++) A[a * m + a] += lambda + (rel * trace) / m;
      if (choleskySolve(A, b, m)) {
        for (let a = 0; a < m; a++) beta[active[a]] = b[a] / scale[active[a]];
        jitter = rel;
        break;
      }
    }
  }
  let intercept = ym;
  for (let j = 0; j < p; j++) intercept -= beta[j] * mean[j];
  // Training fit statistics.
  let sse = 0;
  let sst = 0;
  for (let r = 0; r < train.rows; r++) {
    if (!complete[r]) continue;
    const wr = w ? w[r] : 1;
    let f = intercept;
    for (let j = 0; j < p; j++) f += beta[j] * x[r * p + j];
    sse += wr * (y[r] - f) ** 2;
    sst += wr * (y[r] - ym) ** 2;
  }
  return { intercept, coef: Array.from(beta), rows: n, r2: sst > 0 ? 1 - sse / sst : Number.NaN, rmse: Math.sqrt(sse / sw), jitter };
}

function fitted(data: LinearModelData, featureNames: readonly string[], params: LinearParams): FittedRegressor {
  const names = [...featureNames];
  const coef = Float64Array.from(data.coef);
  return {
    featureNames: names,
    async predict(table: Table) {
      checkColumns(table, names);
      const p = names.length;
      const out = new Float32Array(table.rows);
      const x = table.x;
      for (let r = 0; r < table.rows; r++) {
        let f = data.intercept;
        const o = r * p;
        for (let j = 0; j < p; j++) f += coef[j] * x[o + j];
        out[r] = f; // NaN propagates from any missing feature
      }
      return { mean: out };
    },
    diagnostics() {
      const d: Record<string, number | string> = { rows: data.rows, r2_train: data.r2, rmse_train: data.rmse, intercept: data.intercept };
      names.forEach((n, j) => (d[`coef_${n}`] = data.coef[j]));
      if (data.jitter > 0) d.singular_jitter = data.jitter;
      return d;
    },
    save(): SavedModel {
      return createSavedModel({ id: ID, version: VERSION }, { params, featureNames: names, data });
    },
  };
}

function checkColumns(table: Table, names: readonly string[]): void {
  const same = table.columns.length === names.length && table.columns.every((c, i) => c === names[i]);
  if (!same) {
    throw inputError('prediction table columns differ from the fitted features', {
      path: 'table.columns',
      expected: names.join(','),
      found: table.columns.join(','),
    });
  }
}
