import { inputError, type FeatureImportance, type FittedRegressor, type PluginContext, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel } from '../../../core/index.js';
import {
  checkTrainingTable,
  featureMatrix,
  fitForest,
  packForest,
  predictForestRows,
  treesFromBinary,
  treesToBinary,
  type PackedForest,
  type TreeArrays,
} from '../../../lib/tree-engine/index.js';
import type { RandomForestParams } from '../index.js';

/** Version of the `data`/`binary` layout this plugin saves; `load` accepts this and older. */
const MODEL_LAYOUT = 1;

interface ForestData {
  readonly layout: number;
  readonly trees: number;
  readonly oob: { readonly r2: number | null; readonly mse: number | null; readonly rows: number };
  readonly impurity: readonly number[];
  readonly permutation?: { readonly incMse: readonly number[]; readonly meanIncrease: readonly number[]; readonly standardError: readonly number[] };
}

/** Features per split from the `maxFeatures` param (sklearn/R conventions). */
export function resolveMaxFeatures(value: RandomForestParams['maxFeatures'], cols: number): number {
  let k: number;
  if (value === 'all') k = cols;
  else if (value === 'sqrt') k = Math.floor(Math.sqrt(cols));
  else if (value === 'log2') k = Math.floor(Math.log2(cols));
  else if (value === 'third') k = Math.floor(cols / 3);
  else if (value < 1) k = Math.floor(value * cols + 1e-9);
  else k = Math.floor(value);
  return Math.max(1, Math.min(cols, k));
}

export function createRandomForest(params: RandomForestParams, context: PluginContext, plugin: { id: string; version: string }): Regressor {
  const seed = params.seed ?? context.seed;

  const fitted = (featureNames: readonly string[], trees: TreeArrays[], data: ForestData): FittedRegressor => {
    let packed: PackedForest | undefined;
    return {
      featureNames,
      async predict(table: Table) {
        const x = featureMatrix(table, featureNames, 'prediction table');
        packed ??= packForest(trees, featureNames.length);
        return predictForestRows(packed, x, table.rows, featureNames.length, { kind: 'mean', spread: true }, context.workers);
      },
      importance() {
        const byName = (v: readonly number[]) => Object.fromEntries(featureNames.map((n, i) => [n, v[i]]));
        const out: FeatureImportance[] = [{ method: 'impurity', values: byName(data.impurity) }];
        if (data.permutation) out.push({ method: 'permutation', values: byName(data.permutation.incMse) });
        return out;
      },
      diagnostics() {
        let nodes = 0;
        for (const t of trees) nodes += t.feature.length;
        return {
          trees: trees.length,
          meanNodesPerTree: nodes / Math.max(1, trees.length),
          oobR2: data.oob.r2 ?? Number.NaN,
          oobMse: data.oob.mse ?? Number.NaN,
          oobRows: data.oob.rows,
        };
      },
      save(): SavedModel {
        return createSavedModel(plugin, { params: { ...params, seed }, featureNames: [...featureNames], data, binary: treesToBinary(trees) });
      },
    };
  };

  return {
    async fit(train: Table): Promise<FittedRegressor> {
      const y = checkTrainingTable(train, plugin.id);
      const cols = train.columns.length;
      const rows = train.rows;
      const samples = params.maxSamples <= 1 ? Math.max(1, Math.round(params.maxSamples * rows)) : Math.min(rows * (params.bootstrap ? 1e6 : 1), Math.floor(params.maxSamples));
      const log = context.logger;
      const fit = await fitForest(
        train.x,
        y,
        train.weights ?? null,
        rows,
        cols,
        {
          trees: params.trees,
          minLeaf: params.minLeaf,
          maxDepth: params.maxDepth ?? Infinity,
          featuresPerSplit: resolveMaxFeatures(params.maxFeatures, cols),
          bootstrap: params.bootstrap,
          samplesPerTree: samples,
          permutationImportance: params.permutationImportance,
          maxBins: params.maxBins,
          seed,
        },
        context.workers,
        context.progress,
      );
      log.debug('random forest fitted', { trees: params.trees, oobR2: fit.oobR2 });
      const finite = (v: number) => (Number.isFinite(v) ? v : null);
      const data: ForestData = {
        layout: MODEL_LAYOUT,
        trees: fit.trees.length,
        oob: { r2: finite(fit.oobR2), mse: finite(fit.oobMse), rows: fit.oobRows },
        impurity: Array.from(fit.impurity),
        permutation: fit.permutation && {
          incMse: Array.from(fit.permutation.incMse),
          meanIncrease: Array.from(fit.permutation.meanIncrease),
          standardError: Array.from(fit.permutation.standardError),
        },
      };
      return fitted(train.columns, fit.trees, data);
    },

    async load(saved: SavedModel): Promise<FittedRegressor> {
      const file = `saved model (${saved?.pluginId ?? 'unknown plugin'})`;
      checkSavedModel(saved, plugin, file);
      const data = saved.data as ForestData | undefined;
      if (!data || typeof data.layout !== 'number' || data.layout > MODEL_LAYOUT) throw inputError('unsupported random-forest model layout', { file, path: 'data.layout', expected: `≤ ${MODEL_LAYOUT}`, found: String(data?.layout) });
      const names = saved.featureNames;
      if (!names?.length) throw inputError('model has no feature names', { file, path: 'featureNames', expected: 'the training columns', found: 'none' });
      const trees = treesFromBinary(saved.binary, names.length, file);
      if (trees.length !== data.trees) throw inputError('tree count differs from the saved data', { file, path: 'binary.treeSizes', expected: String(data.trees), found: String(trees.length) });
      return fitted(names, trees, data);
    },
  };
}
