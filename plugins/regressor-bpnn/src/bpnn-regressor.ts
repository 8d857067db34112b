import { inputError, type FittedRegressor, type PluginContext, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel } from '../../../core/index.js';
import { epochReporter } from '../../../lib/nn-runtime/index.js';
import type { BpnnParams } from '../index.js';
import { fitMlp, type FitSummary } from './fit-mlp.js';
import type { Activation } from './mlp.js';
import { predictClaimedTask, predictRows, type MlpModel } from './predict-kernel.js';

/** Version of the saved `data`/`binary` layout. */
const MODEL_LAYOUT = 1;
/** Below this many rows prediction runs inline: a worker round trip costs more. */
const PARALLEL_ROWS = 65536;

interface BpnnData {
  readonly layout: number;
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly yMean: number;
  readonly yScale: number;
  readonly summary: FitSummary;
}

export function createBpnn(params: BpnnParams, context: PluginContext, plugin: { id: string; version: string }): Regressor {
  const seed = params.seed ?? context.seed;

  const fitted = (featureNames: readonly string[], model: MlpModel, summary: FitSummary): FittedRegressor => ({
    featureNames,
    async predict(table: Table) {
      checkColumns(table, featureNames);
      const threads = context.workers.size;
      if (threads <= 1 || table.rows < PARALLEL_ROWS) return { mean: predictRows(model, table.x, table.rows) };
      return { mean: await predictParallel(model, table, context.workers) };
    },
    diagnostics() {
      return {
        solver: summary.solver,
        epochs: summary.epochs,
        bestEpoch: summary.bestEpoch,
        trainLoss: summary.trainLoss,
        validationLoss: summary.validationLoss ?? Number.NaN,
        trainRows: summary.trainRows,
        validationRows: summary.validationRows,
        parameters: summary.parameters,
        fitSeconds: summary.fitSeconds,
        twoThreadShare: summary.twoThreadShare ?? 0,
      };
    },
    save(): SavedModel {
      const data: BpnnData = { layout: MODEL_LAYOUT, sizes: model.sizes, activation: model.activation, yMean: model.yMean, yScale: model.yScale, summary };
      return createSavedModel(plugin, { params: { ...params, seed }, featureNames: [...featureNames], data, binary: { theta: model.theta, xMean: model.xMean, xScale: model.xScale } });
    },
  });

  return {
    async fit(train, options) {
      const reporter = epochReporter(context, plugin.id, params.maxEpochs);
      const { model, summary } = await fitMlp(train, params, seed, reporter, options?.validation, context.workers);
      return fitted([...train.columns], model, summary);
    },
    async load(saved) {
      const where = `saved model ${saved.pluginId}@${saved.pluginVersion}`;
      checkSavedModel(saved, plugin, where);
      const data = saved.data as BpnnData;
      if (!data || data.layout !== MODEL_LAYOUT) throw inputError('unknown BPNN model layout', { file: where, path: 'data.layout', expected: String(MODEL_LAYOUT), found: String(data?.layout) });
      const names = saved.featureNames ?? [];
      const { theta, xMean, xScale } = saved.binary ?? {};
      const sizes = data.sizes;
      let parameters = 0;
      for (let l = 1; l < sizes.length; l++) parameters += sizes[l] * (sizes[l - 1] + 1);
      const check = (name: string, a: unknown, n: number) => {
        if (!(a instanceof Float64Array) || a.length !== n) {
          throw inputError('saved BPNN array is missing or has the wrong size', { file: where, path: `binary.${name}`, expected: `Float64Array(${n})`, found: a ? `${(a as object).constructor.name}(${(a as ArrayLike<number>).length})` : 'missing' });
        }
      };
      if (sizes[0] !== names.length) throw inputError('saved BPNN inputs differ from its feature names', { file: where, path: 'data.sizes[0]', expected: String(names.length), found: String(sizes[0]) });
      check('theta', theta, parameters);
      check('xMean', xMean, names.length);
      check('xScale', xScale, names.length);
      const model: MlpModel = { sizes, activation: data.activation, theta: theta as Float64Array, xMean: xMean as Float64Array, xScale: xScale as Float64Array, yMean: data.yMean, yScale: data.yScale };
      return fitted(names, model, data.summary);
    },
  };
}

/**
 * Prediction over the pool's threads: the features (copied once into a SharedArrayBuffer unless they
 * already live in one) and the output are shared; one task per thread claims row blocks from an atomic
 * counter. Each row's arithmetic does not depend on its block or thread, so neither do the bytes.
 */
async function predictParallel(model: MlpModel, table: Table, workers: PluginContext['workers']): Promise<Float32Array> {
  const n = table.rows * model.sizes[0];
  let x = table.x.subarray(0, n);
  if (!(x.buffer instanceof SharedArrayBuffer)) {
    x = new Float32Array(new SharedArrayBuffer(n * 4));
    x.set(table.x.subarray(0, n));
  }
  const out = new Float32Array(new SharedArrayBuffer(table.rows * 4));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  await Promise.all(Array.from({ length: workers.size }, () => workers.run(predictClaimedTask, [model, x, table.rows, out, counter])));
  // Callers own a plain (transferable) array.
  return out.slice();
}

function checkColumns(table: Table, names: readonly string[]): void {
  if (table.columns.length !== names.length || table.columns.some((c, i) => c !== names[i])) {
    throw inputError('prediction table columns differ from the fitted features', { path: 'table.columns', expected: names.join(','), found: table.columns.join(',') });
  }
}
