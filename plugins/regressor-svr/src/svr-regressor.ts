import { completeRows, createRng, runRowChunks, fitFeatureScaling, inputError, standardiseFeatures, type FittedRegressor, type PluginContext, type Prediction, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel } from '../../../core/index.js';
import { checkTrainingTable, featureMatrix } from '../../../lib/tree-engine/index.js';
import type { SvrParams } from '../index.js';
import { fitWithLibsvm } from './libsvm-fit.js';
import { fitWithSmo } from './smo-fit.js';
import { KERNEL_CODES, predictSvrRowsTask, type KernelCode, type SvrKernelModel } from './svr-kernel.js';

/** Version of the `data`/`binary` layout this plugin saves; `load` accepts this and older. */
const MODEL_LAYOUT = 1;

interface SvrData {
  readonly layout: number;
  readonly kernel: SvrParams['kernel'];
  readonly gamma: number;
  readonly degree: number;
  readonly coef0: number;
  readonly rho: number;
  readonly center: readonly number[];
  readonly scale: readonly number[];
  readonly yCenter: number;
  readonly yScale: number;
  readonly trainingRows: number;
  /** libsvm's own text model, when `solver: 'libsvm'` trained (its rho and gamma are rounded to 6 digits there; `rho`/`gamma` above are exact). */
  readonly libsvmModel?: string;
}

function shared(a: ArrayLike<number>): Float64Array {
  const out = typeof SharedArrayBuffer === 'function' ? new Float64Array(new SharedArrayBuffer(Math.max(8, a.length * 8)), 0, a.length) : new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  return out;
}

/** γ from the `gamma` param: 'scale' = 1 / (features × variance of all entries of z), 'auto' = 1 / features (scikit-learn). */
export function resolveGamma(gamma: SvrParams['gamma'], z: Float64Array, dims: number): number {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / dims;
  let mean = 0;
  for (const v of z) mean += v;
  mean /= z.length;
  let v2 = 0;
  for (const v of z) v2 += (v - mean) ** 2;
  const variance = v2 / z.length;
  return variance > 0 ? 1 / (dims * variance) : 1;
}

export function createSvrRegressor(params: SvrParams, context: PluginContext, plugin: { id: string; version: string }): Regressor {
  const seed = params.seed ?? context.seed;

  const fitted = (featureNames: readonly string[], data: SvrData, sv: Float64Array, coef: Float64Array): FittedRegressor => {
    const dims = featureNames.length;
    const model: SvrKernelModel = {
      dims,
      nSV: coef.length,
      sv: shared(sv),
      coef: shared(coef),
      rho: data.rho,
      kernel: KERNEL_CODES[data.kernel] as KernelCode,
      gamma: data.gamma,
      degree: data.degree,
      coef0: data.coef0,
      center: shared(data.center),
      scale: shared(data.scale),
      yCenter: data.yCenter,
      yScale: data.yScale,
    };
    return {
      featureNames,
      async predict(table: Table): Promise<Prediction> {
        const x = featureMatrix(table, featureNames, 'prediction table');
        return { mean: await predictRows(model, x, table.rows, context) };
      },
      diagnostics() {
        return { supportVectors: coef.length, trainingRows: data.trainingRows, gamma: data.gamma, rho: data.rho };
      },
      save(): SavedModel {
        return createSavedModel(plugin, { params: { ...params }, featureNames: [...featureNames], data, binary: { supportVectors: sv, coefficients: coef } });
      },
    };
  };

  return {
    async fit(train: Table): Promise<FittedRegressor> {
      const yAll = checkTrainingTable(train, plugin.id);
      const dims = train.columns.length;
      const xAll = featureMatrix(train, train.columns, 'training table');
      let keep = completeRows(xAll, train.rows, dims);
      if (keep.length < 2) throw inputError('too few training rows without missing features', { file: 'training table', path: 'x', expected: '≥ 2 complete rows', found: String(keep.length) });
      if (keep.length < train.rows) context.logger.warn(`${plugin.id}: ${train.rows - keep.length} of ${train.rows} training rows have a missing feature and are left out`);
      if (params.maxRows !== null && keep.length > params.maxRows) {
        const rng = createRng(seed);
        const perm = rng.shuffle(Int32Array.from(keep));
        keep = Array.from(perm.subarray(0, params.maxRows)).sort((a, b) => a - b);
        context.logger.info(`${plugin.id}: training on a random subsample of ${keep.length} rows (maxRows)`);
      }
      const rows = keep.length;
      const x = new Float32Array(rows * dims);
      const y = new Float64Array(rows);
      keep.forEach((r, i) => {
        x.set(xAll.subarray(r * dims, r * dims + dims), i * dims);
        y[i] = yAll[r];
      });
      const scaling = fitFeatureScaling(x, rows, dims, params.standardize);
      const { center, scale } = scaling;
      const z = standardiseFeatures(x, rows, dims, scaling);
      let yCenter = 0;
      let yScale = 1;
      if (params.standardizeTarget) {
        for (const v of y) yCenter += v;
        yCenter /= rows;
        let v2 = 0;
        for (const v of y) v2 += (v - yCenter) ** 2;
        yScale = v2 > 0 ? Math.sqrt(v2 / rows) : 1;
      }
      const yt = y.map((v) => (v - yCenter) / yScale);
      const gamma = resolveGamma(params.gamma, z, dims);

      const cacheMB = params.cacheSizeMB ?? Math.min(1024, Math.ceil((4 * rows * rows) / 2 ** 20) + 16);
      const trained = params.solver === 'libsvm' ? await fitWithLibsvm(params, z, yt, rows, dims, gamma, cacheMB) : fitWithSmo(params, z, yt, rows, dims, gamma, cacheMB, context.logger, plugin.id);
      const { indices, coef } = trained;
      const sv = new Float64Array(indices.length * dims);
      indices.forEach((row, i) => sv.set(z.subarray(row * dims, row * dims + dims), i * dims));
      const data: SvrData = {
        layout: MODEL_LAYOUT,
        kernel: params.kernel,
        gamma,
        degree: params.degree,
        coef0: params.coef0,
        rho: trained.rho,
        center: Array.from(center),
        scale: Array.from(scale),
        yCenter,
        yScale,
        trainingRows: rows,
        ...(trained.libsvmModel === undefined ? {} : { libsvmModel: trained.libsvmModel }),
      };
      context.logger.debug(`${plugin.id}: ${indices.length} support vectors of ${rows} rows`);
      return fitted([...train.columns], data, sv, coef);
    },

    async load(saved: SavedModel): Promise<FittedRegressor> {
      const file = `saved model (${saved?.pluginId ?? 'unknown plugin'})`;
      checkSavedModel(saved, plugin, file);
      const data = saved.data as SvrData | undefined;
      if (!data || typeof data.layout !== 'number' || data.layout > MODEL_LAYOUT) throw inputError('unsupported SVR model layout', { file, path: 'data.layout', expected: `≤ ${MODEL_LAYOUT}`, found: String(data?.layout) });
      if (!(data.kernel in KERNEL_CODES)) throw inputError('unknown kernel', { file, path: 'data.kernel', expected: Object.keys(KERNEL_CODES).join(' | '), found: String(data.kernel) });
      const names = saved.featureNames;
      if (!names?.length) throw inputError('model has no feature names', { file, path: 'featureNames', expected: 'the training columns', found: 'none' });
      const sv = saved.binary?.supportVectors;
      const coef = saved.binary?.coefficients;
      if (!(coef instanceof Float64Array)) throw inputError('saved SVR lacks its coefficients', { file, path: 'binary.coefficients', expected: 'Float64Array', found: describe(coef) });
      if (!(sv instanceof Float64Array) || sv.length !== coef.length * names.length) throw inputError('saved support vectors do not match the coefficients', { file, path: 'binary.supportVectors', expected: `Float64Array of ${coef.length} × ${names.length}`, found: sv instanceof Float64Array ? `${sv.length} values` : describe(sv) });
      if (data.center?.length !== names.length || data.scale?.length !== names.length) throw inputError('saved scaling does not match the features', { file, path: 'data.center', expected: `${names.length} values`, found: String(data.center?.length) });
      for (const k of ['rho', 'gamma', 'yCenter', 'yScale'] as const) {
        if (!Number.isFinite(data[k])) throw inputError('saved SVR parameter is not a number', { file, path: `data.${k}`, expected: 'a finite number', found: String(data[k]) });
      }
      return fitted([...names], data, sv, coef);
    },
  };
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : ArrayBuffer.isView(v) ? v.constructor.name : typeof v;
}

function chunkRows(rows: number, threads: number): number {
  if (threads <= 1) return Math.max(1, rows);
  return Math.max(1024, Math.min(65536, Math.ceil(rows / (threads * 4))));
}

async function predictRows(model: SvrKernelModel, x: Float32Array, rows: number, context: PluginContext): Promise<Float32Array> {
  const pool = context.workers;
  const dims = model.dims;
  const step = chunkRows(rows, pool.size);
  const out = new Float32Array(rows);
  await runRowChunks(pool, x, rows, dims, step, (part, n, transfer) => pool.run(predictSvrRowsTask, [model, part, n], transfer), (res, r0) => out.set(res, r0));
  return out;
}
