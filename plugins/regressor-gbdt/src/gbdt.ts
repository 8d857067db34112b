import { createRng, inputError, takeRows, type FitOptions, type FittedRegressor, type PluginContext, type Regressor, type SavedModel, type Table, createSavedModel, checkSavedModel } from '../../../core/index.js';
import {
  checkTrainingTable,
  featureMatrix,
  fitBoosting,
  packForest,
  predictForestRows,
  treesFromBinary,
  treesToBinary,
  type PackedForest,
  type TreeArrays,
} from '../../../lib/tree-engine/index.js';
import type { GbdtParams } from '../index.js';

/** Version of the `data`/`binary` layout this plugin saves; `load` accepts this and older. */
const MODEL_LAYOUT = 1;

interface GbdtData {
  readonly layout: number;
  readonly base: number;
  readonly trees: number;
  readonly roundsKept: number;
  readonly gain: readonly number[];
  readonly splits: readonly number[];
  readonly finalTrainLoss: number | null;
  readonly bestValidLoss: number | null;
}

export function createGbdt(params: GbdtParams, context: PluginContext, plugin: { id: string; version: string }): Regressor {
  const seed = params.seed ?? context.seed;

  /** `threads`: threads the fit ran on (absent for a loaded model); reported, never saved (the trees do not depend on it). */
  const fitted = (featureNames: readonly string[], trees: TreeArrays[], data: GbdtData, threads?: number): FittedRegressor => {
    let packed: PackedForest | undefined;
    return {
      featureNames,
      async predict(table: Table) {
        const x = featureMatrix(table, featureNames, 'prediction table');
        packed ??= packForest(trees);
        return predictForestRows(packed, x, table.rows, featureNames.length, { kind: 'sum', base: data.base }, context.workers);
      },
      importance() {
        const byName = (v: readonly number[]) => Object.fromEntries(featureNames.map((n, i) => [n, v[i]]));
        return [
          { method: 'gain', values: byName(data.gain) },
          { method: 'split', values: byName(data.splits) },
        ];
      },
      diagnostics() {
        return {
          roundsKept: data.roundsKept,
          base: data.base,
          trainMse: data.finalTrainLoss ?? Number.NaN,
          bestValidationMse: data.bestValidLoss ?? Number.NaN,
          ...(threads === undefined ? {} : { fitThreads: threads }),
        };
      },
      save(): SavedModel {
        return createSavedModel(plugin, { params: { ...params, seed }, featureNames: [...featureNames], data, binary: treesToBinary(trees) });
      },
    };
  };

  return {
    async fit(train: Table, options?: FitOptions): Promise<FittedRegressor> {
      checkTrainingTable(train, plugin.id);
      let fitTable = train;
      let validation = options?.validation;
      if (validation) {
        checkTrainingTable(validation, `${plugin.id} (validation)`);
      } else if (params.earlyStoppingRounds > 0 && params.validationFraction > 0) {
        // Hold out a random validation split, reproducible from the seed.
        const ids = createRng(seed).fork(0x7a11d).shuffle(Int32Array.from({ length: train.rows }, (_, i) => i));
        const nVal = Math.max(1, Math.round(params.validationFraction * train.rows));
        validation = takeRows(train, ids.subarray(0, nVal).sort());
        fitTable = takeRows(train, ids.subarray(nVal).sort());
      }
      const cols = fitTable.columns.length;
      const fit = await fitBoosting(
        fitTable.x,
        fitTable.y!,
        fitTable.weights ?? null,
        fitTable.rows,
        cols,
        {
          rounds: params.rounds,
          learningRate: params.learningRate,
          growth: params.growth,
          numLeaves: params.numLeaves,
          maxDepth: params.maxDepth ?? Infinity,
          minDataInLeaf: params.minDataInLeaf,
          lambdaL2: params.lambdaL2,
          minGainToSplit: params.minGainToSplit,
          subsample: params.subsample,
          colsampleByTree: params.colsampleByTree,
          earlyStoppingRounds: params.earlyStoppingRounds,
          maxBins: params.maxBins,
          seed,
        },
        validation && { x: featureMatrix(validation, fitTable.columns, 'validation table'), y: validation.y!, rows: validation.rows },
        context.progress,
        context.signal,
        context.workers,
      );
      context.logger.debug('gbdt fitted', { rounds: fit.roundsKept, threads: fit.threads });
      const data: GbdtData = {
        layout: MODEL_LAYOUT,
        base: fit.base,
        trees: fit.trees.length,
        roundsKept: fit.roundsKept,
        gain: Array.from(fit.gain),
        splits: Array.from(fit.splits),
        finalTrainLoss: fit.trainLoss.length ? fit.trainLoss[fit.roundsKept - 1] : null,
        bestValidLoss: fit.validLoss.length ? Math.min(...fit.validLoss) : null,
      };
      return fitted(fitTable.columns, fit.trees, data, fit.threads);
    },

    async load(saved: SavedModel): Promise<FittedRegressor> {
      const file = `saved model (${saved?.pluginId ?? 'unknown plugin'})`;
      checkSavedModel(saved, plugin, file);
      const data = saved.data as GbdtData | undefined;
      if (!data || typeof data.layout !== 'number' || data.layout > MODEL_LAYOUT) throw inputError('unsupported gbdt model layout', { file, path: 'data.layout', expected: `≤ ${MODEL_LAYOUT}`, found: String(data?.layout) });
      if (!Number.isFinite(data.base)) throw inputError('model has no base score', { file, path: 'data.base', expected: 'a finite number', found: String(data.base) });
      const names = saved.featureNames;
      if (!names?.length) throw inputError('model has no feature names', { file, path: 'featureNames', expected: 'the training columns', found: 'none' });
      const trees = treesFromBinary(saved.binary, names.length, file);
      return fitted(names, trees, data);
    },
  };
}
