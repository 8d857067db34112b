import {
  createRng,
  createSavedModel,
  registerCompositeModel,
  metricsTableRow,
  pairedMetrics,
  recordTable,
  runtimeError,
  takeRows,
  type FittedRegressor,
  type RecordTable,
  type Regressor,
  type Rng,
  type SavedModel,
  type Table,
} from '../../../core/index.js';
import { assignFolds, foldSplits, type CvScheme, type OutOfFoldResult } from '../../../lib/regression-engine/index.js';
import { nnlsNormal, ridgeNormal } from './nnls.js';

export interface StackingOptions {
  readonly method: 'nnls' | 'ridge';
  /** ridge: penalty relative to the mean squared prediction. */
  readonly ridge: number;
}

interface Member {
  readonly name: string;
  readonly regressor: Regressor;
}

/**
 * A stacked learner: every member's out-of-fold predictions on the engine's CV folds (so a row's
 * stacking input never comes from a model that saw it), combination weights fitted on them (NNLS or
 * ridge, no intercept: the residual correction absorbs a bias), members refitted on all rows.
 * `outOfFold` must run before `regressor.fit` on the same table (the engine does both in that order);
 * `fit` on another table computes its own out-of-fold predictions with `fallbackFolds`.
 */
export function createStacking(members: readonly Member[], options: StackingOptions, fallbackFolds: { scheme: Exclude<CvScheme, 'none'>; folds: number; rng: Rng }) {
  const weightsOf = new WeakMap<Table, { weights: Float64Array; table: RecordTable }>();
  let last: RecordTable | undefined;

  async function outOfFold(table: Table, scheme: Exclude<CvScheme, 'none'>, folds: number, rng: Rng): Promise<OutOfFoldResult> {
    const { fold, folds: k } = assignFolds(table, scheme, folds, rng);
    const preds = members.map(() => new Float32Array(table.rows).fill(Number.NaN));
    for (const { train, test } of foldSplits(fold, k)) {
      const trainTable = takeRows(table, train);
      const testTable = takeRows(table, test);
      for (let m = 0; m < members.length; m++) {
        const { mean } = await (await members[m].regressor.fit(trainTable)).predict(testTable);
        test.forEach((r, i) => (preds[m][r] = mean[i]));
      }
    }
    const weights = stackWeights(preds, table.y!, options);
    const oof = combine(preds.map((p) => ({ mean: p })), weights, table.rows);
    const rows = members.map((m, i) => ({ scheme, fold: 'all', learner: m.name, weight: weights[i], ...metricsTableRow(pairedMetrics(preds[i], table.y!)) }));
    rows.push({ scheme, fold: 'all', learner: 'ensemble', weight: weights.reduce((a, b) => a + b, 0), ...metricsTableRow(pairedMetrics(oof, table.y!)) });
    const out = recordTable(rows, undefined, [
      `out-of-fold predictions of each learner on the same ${k} ${scheme} folds; weights by ${options.method === 'nnls' ? 'non-negative least squares (Lawson–Hanson)' : `ridge (λ = ${options.ridge})`} on them, no intercept`,
      'the ensemble row uses weights fitted on these same out-of-fold predictions (a few weights: slightly optimistic)',
    ]);
    weightsOf.set(table, { weights, table: out });
    last = out;
    return { table: out, oof };
  }

  const regressor: Regressor = {
    async fit(train: Table): Promise<FittedRegressor> {
      let stacked = weightsOf.get(train);
      if (!stacked) {
        await outOfFold(train, fallbackFolds.scheme, fallbackFolds.folds, fallbackFolds.rng);
        stacked = weightsOf.get(train)!;
      }
      const weights = stacked.weights;
      const fitted = await Promise.all(members.map((m, i) => (weights[i] > 0 ? m.regressor.fit(train) : undefined)));
      return stackedModel(members, fitted, weights, train.columns, options);
    },
    async load(saved: SavedModel): Promise<FittedRegressor> {
      const data = saved.data as { weights: number[]; members: (SavedModel | null)[] };
      const weights = Float64Array.from(data.weights);
      const fitted = await Promise.all(members.map((m, i) => (data.members[i] ? m.regressor.load(data.members[i]!) : undefined)));
      return stackedModel(members, fitted, weights, saved.featureNames ?? [], options);
    },
  };
  return { regressor, outOfFold, weightsTable: () => last };
}

function stackedModel(members: readonly Member[], fitted: (FittedRegressor | undefined)[], weights: Float64Array, featureNames: readonly string[], options: StackingOptions): FittedRegressor {
  return {
    featureNames,
    async predict(x: Table) {
      const preds = await Promise.all(fitted.map((f) => (f ? f.predict(x) : undefined)));
      return { mean: combine(preds, weights, x.rows) };
    },
    diagnostics: () => Object.fromEntries(members.map((m, i) => [`weight_${m.name}`, weights[i]])),
    save(): SavedModel {
      return createSavedModel({ id: 'regressor:stacking', version: '1.0.0' }, {
        params: options,
        featureNames: [...featureNames],
        data: { learners: members.map((m) => m.name), weights: [...weights], members: fitted.map((f) => (f ? f.save() : null)) },
      });
    },
  };
}

/** Σ w_m · prediction_m per row (members with weight 0 are skipped; NaN when a weighted member is NaN). */
function combine(preds: readonly ({ mean: Float32Array } | undefined)[], weights: Float64Array, rows: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let m = 0; m < weights.length; m++) if (weights[m] > 0) s += weights[m] * preds[m]!.mean[r];
    out[r] = s;
  }
  return out;
}

/**
 * Stacking weights from out-of-fold predictions `preds[m][row]` and targets `y`, over the rows where all
 * are finite. Exported for tests.
 */
export function stackWeights(preds: readonly Float32Array[], y: Float32Array, options: StackingOptions): Float64Array {
  const k = preds.length;
  const gram = new Float64Array(k * k);
  const atb = new Float64Array(k);
  let n = 0;
  for (let r = 0; r < y.length; r++) {
    if (!(y[r] === y[r]) || preds.some((p) => !(p[r] === p[r]))) continue;
    n++;
    for (let i = 0; i < k; i++) {
      atb[i] += preds[i][r] * y[r];
      for (let j = 0; j < k; j++) gram[i * k + j] += preds[i][r] * preds[j][r];
    }
  }
  if (n < k + 1) {
    throw runtimeError('too few out-of-fold predictions to fit the stacking weights', { path: 'downscaler:ensemble.cv', expected: `at least ${k + 1} rows with every learner's prediction`, found: `${n}` });
  }
  return options.method === 'nnls' ? nnlsNormal(gram, atb, k) : ridgeNormal(gram, atb, k, options.ridge);
}

// Tile workers load a stacked model through its members' own plugins (core/tiles), once this module is imported.
registerCompositeModel('regressor:stacking', (saved, loader) => {
  const members = (saved.data as { learners: string[] }).learners.map((name) => ({ name, regressor: { fit: () => Promise.reject(new Error('a loaded member is not refitted')), load: (m: SavedModel) => loader.regressor(m) } }));
  // The fallback folds serve fitting only; loading never draws from them.
  return createStacking(members, saved.params as unknown as StackingOptions, { scheme: 'kfold', folds: 2, rng: createRng(0) }).regressor.load(saved);
});
