import { inputError, type FittedRegressor, type PluginContext, type Regressor, type SavedModel, type Table } from '../../../core/index.js';
import { epochReporter } from '../../nn-runtime/index.js';
import type { BpnnParams } from '../index.js';
import { fitMlp, type FitSummary } from './fit-mlp.js';
import type { Activation } from './mlp.js';
import { predictRows, type MlpModel } from './predict-kernel.js';

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
  const kernel = new URL('./predict-kernel.js', import.meta.url).href;

  const fitted = (featureNames: readonly string[], model: MlpModel, summary: FitSummary): FittedRegressor => ({
    featureNames,
    async predict(table: Table) {
      checkColumns(table, featureNames);
      const threads = context.workers.size;
      if (threads <= 1 || table.rows < PARALLEL_ROWS) return { mean: predictRows(model, table.x, table.rows) };
      // Tiles of whole rows; each row's arithmetic does not depend on its tile, so neither do the bytes.
      const p = featureNames.length;
      const tiles = threads * 2;
      const per = Math.ceil(table.rows / tiles);
      const parts = await Promise.all(
        Array.from({ length: tiles }, (_, t) => {
          const r0 = t * per;
          const r1 = Math.min(table.rows, r0 + per);
          if (r1 <= r0) return Promise.resolve(new Float32Array(0));
          return context.workers.run<Float32Array>({ module: kernel, fn: 'predictRows', args: [model, table.x.slice(r0 * p, r1 * p), r1 - r0] });
        }),
      );
      const mean = new Float32Array(table.rows);
      parts.forEach((part, t) => mean.set(part, t * per));
      return { mean };
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
      };
    },
    save(): SavedModel {
      const data: BpnnData = { layout: MODEL_LAYOUT, sizes: model.sizes, activation: model.activation, yMean: model.yMean, yScale: model.yScale, summary };
      return {
        kind: 'model',
        format: 'soilscale-model',
        formatVersion: 1,
        pluginId: plugin.id,
        pluginVersion: plugin.version,
        params: { ...params, seed },
        featureNames: [...featureNames],
        data,
        binary: { theta: model.theta, xMean: model.xMean, xScale: model.xScale },
      };
    },
  });

  return {
    async fit(train, options) {
      const reporter = epochReporter(context, plugin.id, params.maxEpochs);
      const { model, summary } = fitMlp(train, params, seed, reporter, options?.validation);
      return fitted([...train.columns], model, summary);
    },
    async load(saved) {
      const where = `saved model ${saved.pluginId}@${saved.pluginVersion}`;
      if (saved.pluginId !== plugin.id) throw inputError('saved model is not a BPNN', { file: where, path: 'pluginId', expected: plugin.id, found: saved.pluginId });
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

function checkColumns(table: Table, names: readonly string[]): void {
  if (table.columns.length !== names.length || table.columns.some((c, i) => c !== names[i])) {
    throw inputError('prediction table columns differ from the fitted features', { path: 'table.columns', expected: names.join(','), found: table.columns.join(',') });
  }
}
