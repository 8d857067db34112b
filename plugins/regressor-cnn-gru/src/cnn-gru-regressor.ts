import { createRng, inputError, type FittedRegressor, type PluginContext, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel } from '../../../core/index.js';
import {
  completeRows,
  epochReporter,
  loadTf,
  seedWeights,
  trainTf,
  validationSplit,
  weightsFromBinary,
  weightsToBinary,
  type Tf,
  type WeightsManifest,
} from '../../../lib/nn-runtime/index.js';
import type { CnnGruParams } from '../index.js';
import { buildCnnGru, type CnnGruArchitecture } from './network.js';

const MODEL_LAYOUT = 1;
/** Rows per prediction batch (tensor of batch × steps × features). */
const PREDICT_BATCH = 8192;

interface CnnGruData {
  readonly layout: number;
  readonly architecture: CnnGruArchitecture;
  /** Feature names of one step (the table's `layout.features`). */
  readonly stepFeatures: readonly string[];
  readonly xMean: readonly number[];
  readonly xScale: readonly number[];
  readonly yMean: number;
  readonly yScale: number;
  readonly weights: WeightsManifest;
  readonly summary: Readonly<Record<string, number | null>>;
}

/** The step layout of a table for a model of `steps` steps: plain tables are one step. */
function stepLayout(table: Table, steps: number, where: string): { steps: number; features: readonly string[] } {
  const layout = table.layout ?? { steps: 1, features: table.columns };
  if (layout.steps !== steps || layout.features.length * layout.steps !== table.columns.length) {
    throw inputError('the table does not hold the sequences this model needs', {
      path: `${where}.layout`,
      expected: `${steps} steps per row (capabilities.sequenceSteps; tables built with steps = ${steps})`,
      found: table.layout ? `${layout.steps} steps of ${layout.features.length} features in ${table.columns.length} columns` : `a plain table of ${table.columns.length} columns`,
    });
  }
  return layout;
}

export function createCnnGru(params: CnnGruParams, context: PluginContext, plugin: { id: string; version: string }): Regressor {
  const seed = params.seed ?? context.seed;
  const steps = params.steps;

  const fitted = (tf: Tf, model: import('@tensorflow/tfjs').LayersModel, featureNames: readonly string[], data: CnnGruData): FittedRegressor => {
    const a = data.architecture;
    const nf = a.features;
    return {
      featureNames,
      async predict(table: Table) {
        if (table.columns.length !== featureNames.length || table.columns.some((c, i) => c !== featureNames[i])) {
          throw inputError('prediction table columns differ from the fitted features', { path: 'table.columns', expected: featureNames.join(','), found: table.columns.join(',') });
        }
        stepLayout(table, steps, 'prediction table');
        const nc = table.columns.length;
        const mean = new Float32Array(table.rows).fill(Number.NaN);
        const ok = completeRows(table.x, nc, table.rows);
        const buf = new Float32Array(Math.min(PREDICT_BATCH, Math.max(1, ok.length)) * nc);
        for (let b0 = 0; b0 < ok.length; b0 += PREDICT_BATCH) {
          const m = Math.min(PREDICT_BATCH, ok.length - b0);
          fill(buf, table.x, ok.subarray(b0, b0 + m), nc, nf, data.xMean, data.xScale);
          const out = tf.tidy(() => model.predict(tf.tensor3d(buf.subarray(0, m * nc), [m, a.steps, nf])) as import('@tensorflow/tfjs').Tensor);
          const v = out.dataSync();
          out.dispose();
          for (let i = 0; i < m; i++) mean[ok[b0 + i]] = v[i] * data.yScale + data.yMean;
          await new Promise((r) => setImmediate(r));
        }
        return { mean };
      },
      diagnostics() {
        const d: Record<string, number | string> = { steps: a.steps, parameters: model.countParams() };
        for (const [k, v] of Object.entries(data.summary)) d[k] = v ?? Number.NaN;
        return d;
      },
      save(): SavedModel {
        const { binary, manifest } = weightsToBinary(model);
        return createSavedModel(plugin, { params: { ...params, seed }, featureNames: [...featureNames], data: { ...data, weights: manifest }, binary });
      },
    };
  };

  return {
    capabilities: { sequenceSteps: steps },
    async fit(train, options) {
      const { tf, backend } = await loadTf(context.logger);
      if (!train.y) throw inputError('the training table has no target', { path: 'table.y', expected: 'a Float32Array target', found: 'none' });
      const layout = stepLayout(train, steps, 'training table');
      const nf = layout.features.length;
      const nc = train.columns.length;
      const rng = createRng(seed);
      const complete = completeRows(train.x, nc, train.rows, train.y);
      if (complete.length < 2) throw inputError('too few complete rows to train the network', { path: 'table', expected: 'at least 2 rows without NaN', found: `${complete.length} of ${train.rows}` });
      let source = train;
      let trainIds = complete;
      let validIds: Int32Array = new Int32Array(0);
      if (options?.validation) {
        // Validation rows are appended after the training rows in one sample space.
        const v = options.validation;
        stepLayout(v, steps, 'options.validation');
        const vok = completeRows(v.x, nc, v.rows, v.y);
        const x = new Float32Array((train.rows + v.rows) * nc);
        x.set(train.x);
        x.set(v.x, train.rows * nc);
        const y = new Float32Array(train.rows + v.rows);
        y.set(train.y);
        y.set(v.y!, train.rows);
        source = { ...train, rows: train.rows + v.rows, x, y };
        validIds = Int32Array.from(vok, (r) => r + train.rows);
      } else if (params.validationFraction > 0) {
        ({ train: trainIds, valid: validIds } = validationSplit(complete, params.validationFraction, rng.fork(1)));
      }
      // Per-feature scalers pooled over the steps (one feature is one variable at every step).
      const xMean = new Array<number>(nf).fill(0);
      const xScale = new Array<number>(nf).fill(0);
      for (const r of trainIds) for (let s = 0; s < steps; s++) for (let f = 0; f < nf; f++) xMean[f] += source.x[r * nc + s * nf + f];
      for (let f = 0; f < nf; f++) xMean[f] /= trainIds.length * steps;
      for (const r of trainIds) for (let s = 0; s < steps; s++) for (let f = 0; f < nf; f++) xScale[f] += (source.x[r * nc + s * nf + f] - xMean[f]) ** 2;
      for (let f = 0; f < nf; f++) {
        const sd = Math.sqrt(xScale[f] / (trainIds.length * steps));
        xScale[f] = sd > 1e-12 ? sd : 1;
      }
      let yMean = 0;
      let yVar = 0;
      for (const r of trainIds) yMean += source.y![r];
      yMean /= trainIds.length;
      for (const r of trainIds) yVar += (source.y![r] - yMean) ** 2;
      const yScale = Math.sqrt(yVar / trainIds.length) || 1;

      const architecture: CnnGruArchitecture = { steps, features: nf, convLayers: params.convLayers, convFilters: params.convFilters, kernelSize: params.kernelSize, gruUnits: params.gruUnits, denseUnits: params.denseUnits };
      const model = buildCnnGru(tf, architecture);
      seedWeights(tf, model, rng.fork(2));
      const xb = new Float32Array(params.batchSize * nc);
      const yb = new Float32Array(params.batchSize);
      const result = await trainTf(tf, {
        model,
        train: trainIds,
        valid: validIds,
        batch: (ids) => {
          fill(xb, source.x, ids, nc, nf, xMean, xScale);
          for (let i = 0; i < ids.length; i++) yb[i] = (source.y![ids[i]] - yMean) / yScale;
          return { x: tf.tensor3d(xb.slice(0, ids.length * nc), [ids.length, steps, nf]), y: tf.tensor1d(yb.slice(0, ids.length)) };
        },
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate,
        l2: params.l2,
        patience: params.patience,
        minDelta: params.minDelta,
        rng: rng.fork(3),
        reporter: epochReporter(context, plugin.id, params.epochs),
        signal: context.signal,
      });
      const summary = {
        epochs: result.epochs,
        bestEpoch: result.bestEpoch,
        trainLoss: result.loss,
        validationLoss: result.validationLoss ?? null,
        trainRows: trainIds.length,
        validationRows: validIds.length,
        samplesPerSecond: result.samples / Math.max(1e-9, result.seconds),
        fitSeconds: result.seconds,
      };
      context.logger.debug(`${plugin.id} trained on tfjs-${backend}`, summary);
      const data: CnnGruData = { layout: MODEL_LAYOUT, architecture, stepFeatures: [...layout.features], xMean, xScale, yMean, yScale, weights: { shapes: [] }, summary };
      return fitted(tf, model, [...train.columns], data);
    },
    async load(saved) {
      const where = `saved model ${saved.pluginId}@${saved.pluginVersion}`;
      checkSavedModel(saved, plugin, where);
      const data = saved.data as CnnGruData;
      if (!data || data.layout !== MODEL_LAYOUT) throw inputError('unknown CNN-GRU model layout', { file: where, path: 'data.layout', expected: String(MODEL_LAYOUT), found: String(data?.layout) });
      if (data.architecture.steps !== steps) {
        throw inputError('saved CNN-GRU uses another sequence length than these params', { file: where, path: 'data.architecture.steps', expected: `${steps} (params.steps)`, found: String(data.architecture.steps) });
      }
      const { tf } = await loadTf(context.logger);
      const model = buildCnnGru(tf, data.architecture);
      weightsFromBinary(tf, model, saved.binary as Record<string, Float32Array>, data.weights, where);
      return fitted(tf, model, saved.featureNames ?? [], data);
    },
  };
}

/** Standardised rows `ids` of `x` into `out` (row-major, step-major within a row). */
function fill(out: Float32Array, x: Float32Array, ids: ArrayLike<number>, nc: number, nf: number, mean: readonly number[], scale: readonly number[]): void {
  for (let i = 0; i < ids.length; i++) {
    const o = ids[i] * nc;
    const d = i * nc;
    for (let c = 0; c < nc; c++) {
      const f = c % nf;
      out[d + c] = (x[o + c] - mean[f]) / scale[f];
    }
  }
}
