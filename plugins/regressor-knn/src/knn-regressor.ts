import { completeRows, createRng, runRowChunks, fitFeatureScaling, inputError, standardiseFeatures, type FittedRegressor, type PluginContext, type Prediction, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel } from '../../../core/index.js';
import { checkTrainingTable, featureMatrix } from '../../../lib/tree-engine/index.js';
import type { KnnParams } from '../index.js';
import { buildSearchTree } from './kd-tree.js';
import { cvFoldTask, predictKnnRowsTask, type FoldTask, type KnnKernelModel } from './knn-kernel.js';
import type { Scaling } from './knn-search.js';
import type { Weighting } from './neighbour-weights.js';

/** Version of the `data`/`binary` layout this plugin saves; `load` accepts this and older. */
const MODEL_LAYOUT = 1;


interface KnnData {
  readonly layout: number;
  readonly k: number;
  readonly weights: KnnParams['weights'];
  readonly bandwidth: number | null;
  readonly leafSize: number;
  readonly center: readonly number[];
  readonly scale: readonly number[];
  readonly cv?: { readonly candidates: readonly number[]; readonly mse: readonly number[]; readonly folds: number; readonly seed: number };
}

function sharedCopy(a: ArrayLike<number>): Float64Array {
  const out = typeof SharedArrayBuffer === 'function' ? new Float64Array(new SharedArrayBuffer(Math.max(8, a.length * 8)), 0, a.length) : new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  return out;
}

/** A fitted KNN: the kept training rows, their scaling and tree. */
interface KnnState {
  readonly featureNames: readonly string[];
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  readonly data: KnnData;
}

export function createKnnRegressor(params: KnnParams, context: PluginContext, plugin: { id: string; version: string }): Regressor {
  const seed = params.seed ?? context.seed;

  const prepare = (state: KnnState) => {
    const dims = state.featureNames.length;
    const scaling: Scaling = { center: sharedCopy(state.data.center), scale: sharedCopy(state.data.scale) };
    const z = standardiseFeatures(state.x, state.rows, dims, scaling);
    const tree = buildSearchTree(z, state.rows, dims, state.data.leafSize);
    return { scaling, z, tree, y: sharedCopy(state.y) };
  };

  const fitted = (state: KnnState): FittedRegressor => {
    const { tree, scaling, y } = prepare(state);
    const dims = state.featureNames.length;
    const model: KnnKernelModel = { tree, scaling, y, k: state.data.k, scheme: state.data.weights, bandwidth: state.data.bandwidth };
    return {
      featureNames: state.featureNames,
      async predict(table: Table): Promise<Prediction> {
        const x = featureMatrix(table, state.featureNames, 'prediction table');
        return predictRows(model, x, table.rows, dims, context);
      },
      diagnostics() {
        const d: Record<string, number | string> = { k: state.data.k, weights: state.data.weights, trainingRows: state.rows, treeNodes: tree.splitDim.length };
        if (state.data.cv) state.data.cv.candidates.forEach((k, i) => (d[`cvMse_k${k}`] = state.data.cv!.mse[i]));
        return d;
      },
      save(): SavedModel {
        return createSavedModel(plugin, { params: { ...params }, featureNames: [...state.featureNames], data: state.data, binary: { x: state.x, y: state.y } });
      },
    };
  };

  return {
    async fit(train: Table): Promise<FittedRegressor> {
      const yAll = checkTrainingTable(train, plugin.id);
      const dims = train.columns.length;
      const xAll = featureMatrix(train, train.columns, 'training table');
      const keep = completeRows(xAll, train.rows, dims);
      if (keep.length === 0) throw inputError('every training row has a missing feature', { file: 'training table', path: 'x', expected: 'rows with finite features', found: `${train.rows} rows, none complete` });
      if (keep.length < train.rows) context.logger.warn(`${plugin.id}: ${train.rows - keep.length} of ${train.rows} training rows have a missing feature and are left out`);
      const rows = keep.length;
      const x = rows === train.rows ? xAll.slice(0, rows * dims) : new Float32Array(rows * dims);
      const y = new Float32Array(rows);
      keep.forEach((r, i) => {
        if (rows !== train.rows) x.set(xAll.subarray(r * dims, r * dims + dims), i * dims);
        y[i] = yAll[r];
      });
      const scaling = fitFeatureScaling(x, rows, dims, params.standardize);
      let k = params.k;
      let cv: KnnData['cv'];
      if (params.autoK) {
        const candidates = [...new Set(params.kCandidates)].sort((a, b) => a - b);
        const mse = await crossValidate(standardiseFeatures(x, rows, dims, scaling), Float64Array.from(y), dims, candidates, params, seed, context);
        let best = 0;
        for (let c = 1; c < candidates.length; c++) if (mse[c] < mse[best]) best = c;
        k = candidates[best];
        cv = { candidates, mse, folds: Math.min(params.cvFolds, rows), seed };
        context.logger.info(`${plugin.id}: cross-validation chose k = ${k} (MSE ${mse[best].toPrecision(4)})`);
      }
      if (k > rows) context.logger.warn(`${plugin.id}: k = ${k} exceeds the ${rows} training rows; using all rows`);
      const data: KnnData = {
        layout: MODEL_LAYOUT,
        k: Math.min(k, rows),
        weights: params.weights,
        bandwidth: params.bandwidth,
        leafSize: params.leafSize,
        center: Array.from(scaling.center),
        scale: Array.from(scaling.scale),
        ...(cv ? { cv } : {}),
      };
      return fitted({ featureNames: [...train.columns], x, y, rows, data });
    },

    async load(saved: SavedModel): Promise<FittedRegressor> {
      const file = `saved model (${saved?.pluginId ?? 'unknown plugin'})`;
      checkSavedModel(saved, plugin, file);
      const data = saved.data as KnnData | undefined;
      if (!data || typeof data.layout !== 'number' || data.layout > MODEL_LAYOUT) throw inputError('unsupported KNN model layout', { file, path: 'data.layout', expected: `≤ ${MODEL_LAYOUT}`, found: String(data?.layout) });
      const names = saved.featureNames;
      if (!names?.length) throw inputError('model has no feature names', { file, path: 'featureNames', expected: 'the training columns', found: 'none' });
      const x = saved.binary?.x;
      const y = saved.binary?.y;
      if (!(x instanceof Float32Array)) throw inputError('saved KNN model lacks its training features', { file, path: 'binary.x', expected: 'Float32Array', found: describe(x) });
      if (!(y instanceof Float32Array)) throw inputError('saved KNN model lacks its training targets', { file, path: 'binary.y', expected: 'Float32Array', found: describe(y) });
      if (x.length !== y.length * names.length) throw inputError('saved training features do not match the targets', { file, path: 'binary.x', expected: `${y.length} rows × ${names.length} features = ${y.length * names.length} values`, found: `${x.length} values` });
      if (data.center?.length !== names.length || data.scale?.length !== names.length) throw inputError('saved scaling does not match the features', { file, path: 'data.center', expected: `${names.length} values`, found: String(data.center?.length) });
      if (!(data.k >= 1)) throw inputError('saved k is invalid', { file, path: 'data.k', expected: 'an integer ≥ 1', found: String(data.k) });
      return fitted({ featureNames: [...names], x, y, rows: y.length, data });
    },
  };
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : ArrayBuffer.isView(v) ? v.constructor.name : typeof v;
}

/** Query rows per task: big enough that a task's queries share neighbours, at least two tasks per thread. */
function chunkRows(rows: number, threads: number): number {
  if (threads <= 1) return Math.max(1, rows);
  return Math.max(4096, Math.min(131072, Math.ceil(rows / (threads * 2))));
}

async function predictRows(model: KnnKernelModel, x: Float32Array, rows: number, dims: number, context: PluginContext): Promise<Prediction> {
  const pool = context.workers;
  const step = chunkRows(rows, pool.size);
  const mean = new Float32Array(rows);
  const spread = new Float32Array(rows);
  await runRowChunks(pool, x, rows, dims, step, (part, n, transfer) => pool.run(predictKnnRowsTask, [model, part, n], transfer), (res, r0) => {
    mean.set(res.mean, r0);
    spread.set(res.spread, r0);
  });
  return { mean, spread };
}

/** Mean squared error of each candidate k by k-fold cross-validation (folds drawn from `seed`), folds in parallel. */
async function crossValidate(z: Float64Array, y: Float64Array, dims: number, candidates: readonly number[], params: KnnParams, seed: number, context: PluginContext): Promise<number[]> {
  const rows = y.length;
  const folds = Math.max(2, Math.min(params.cvFolds, rows));
  const perm = createRng(seed).shuffle(Int32Array.from({ length: rows }, (_, i) => i));
  const foldOf = new Int32Array(new SharedArrayBuffer(rows * 4));
  perm.forEach((row, i) => (foldOf[row] = i % folds));
  const zs = sharedCopy(z);
  const ys = sharedCopy(y);
  const weighting: Weighting = { scheme: params.weights, bandwidth: params.bandwidth };
  const results = await Promise.all(
    Array.from({ length: folds }, (_, fold) => {
      const task: FoldTask = { z: zs, y: ys, dims, foldOf, fold, candidates, leafSize: params.leafSize, ...weighting };
      return context.workers.run(cvFoldTask, [task]);
    }),
  );
  const sse = new Float64Array(candidates.length);
  let n = 0;
  for (const r of results) {
    for (let c = 0; c < candidates.length; c++) sse[c] += r.sse[c];
    n += r.rows;
  }
  return Array.from(sse, (s) => s / n);
}

