import { createRng, inputError, recordTable, usageError, type Downscaler, type DownscaleInput, type DownscaleResult, type PluginContext, type PluginSpec, type RecordTable, type Regressor } from '../../../core/index.js';
import { blockLayout, blockMeans, createRegressionDownscaler } from '../../../lib/regression-engine/index.js';
import type { EnsembleDownscalerParams } from '../index.js';
import { createStacking } from './stacking.js';
import { combineAnomalies, fitStationWeights, stationAnomalies } from './station-stacking.js';

const ID = 'downscaler:ensemble';
const VERSION = '1.1.0';

interface Member {
  readonly name: string;
  readonly regressor: Regressor;
}

/** The ensemble downscaler (see the manifest in `../index.ts`): weights at the coarse scale, or on the stations. */
export async function createEnsembleDownscaler(params: EnsembleDownscalerParams, context: PluginContext): Promise<Downscaler> {
  const names = Object.keys(params.learners);
  const members = await Promise.all(names.map(async (name) => ({ name, regressor: await context.instantiate(params.learners[name] as PluginSpec, 'regressor') })));
  if (members.some((m) => (m.regressor.capabilities?.sequenceSteps ?? 1) > 1)) {
    throw usageError('sequence regressors cannot be stacked (their rows differ from the others’)', { path: `${ID}.learners`, expected: 'regressors of one row per cell and date', found: names.join(', ') });
  }
  return params.stacking.scale === 'stations' ? stationStacked(params, members, context) : coarseStacked(params, members, context);
}

/** Weights on the learners' out-of-fold predictions of the coarse training rows, one engine run around the stacked learner. */
function coarseStacked(params: EnsembleDownscalerParams, members: readonly Member[], context: PluginContext): Downscaler {
  const { scheme, folds } = params.cv;
  if (scheme === 'none') {
    throw usageError('stacking at the coarse scale needs out-of-fold predictions', { path: `${ID}.cv.scheme`, expected: 'kfold, dates or blocks (or stacking.scale stations)', found: 'none' });
  }
  const stacking = createStacking(members, params.stacking, { scheme, folds, rng: createRng(params.seed ?? context.seed).fork(7) });
  return createRegressionDownscaler(
    params,
    {
      id: ID,
      version: VERSION,
      regressor: stacking.regressor,
      outOfFold: stacking.outOfFold,
      learner: `a stacked ensemble of ${members.map((m) => m.name).join(', ')}`,
      tables: (): Record<string, RecordTable> => {
        const cv = stacking.weightsTable();
        return cv ? { weights: recordTable(cv.rows.filter((r) => r.learner !== 'ensemble').map((r) => ({ learner: r.learner, weight: r.weight, oofRmse: r.rmse ?? null })), ['learner', 'weight', 'oofRmse'], [cv.notes?.[0] ?? '']) } : {};
      },
    },
    context,
  );
}

/**
 * Weights at the scale of the product: every learner runs the whole engine as its own downscaler (its own
 * first pass, multi-scale refit, residual correction), and the weights are fitted on the stations'
 * within-cell anomalies (`station-stacking.ts`).
 */
function stationStacked(params: EnsembleDownscalerParams, members: readonly Member[], context: PluginContext): Downscaler {
  if (params.intervals.method !== 'none') {
    throw usageError('station-fitted stacking has no conformal interval (the members’ coarse-scale intervals do not combine)', { path: `${ID}.intervals.method`, expected: 'none with stacking.scale stations', found: params.intervals.method });
  }
  return {
    async downscale(input: DownscaleInput): Promise<DownscaleResult> {
      if (!input.stations || input.stations.kind !== 'stations') {
        throw inputError('stacking on stations needs in-situ stations', { path: `${ID}.stations`, expected: 'the stations input (e.g. { "$node": "scene", "output": "stations" })', found: 'none' });
      }
      const tables: Record<string, RecordTable> = {};
      const notes: string[] = [];
      const products = [];
      for (const m of members) {
        const r = await createRegressionDownscaler(params, { id: ID, version: VERSION, regressor: m.regressor, learner: `${m.name} (${(params.learners[m.name] as PluginSpec).uses})` }, context).downscale(input);
        products.push(r.product);
        for (const [key, t] of Object.entries(r.tables ?? {})) tables[`${m.name}_${key}`] = t;
        notes.push(...(r.notes ?? []).map((n) => `${m.name}: ${n}`));
      }
      const coarse = input.coarse;
      const rows = stationAnomalies(products, coarse, input.stations, params.stacking);
      const fit = fitStationWeights(rows, params.stacking, members.map((m) => m.name), input.stations.source);
      if (fit.weights.every((w) => w === 0)) {
        context.warn('stacking-no-skill', `no learner's within-cell anomalies match the ${rows.ids.length} stations (all weights 0): the product is the coarse field, constant in every cell`);
      }
      const product = combineAnomalies(products, coarse, fit.weights);
      tables.weights = fit.table;
      const layout = blockLayout(coarse.grid, product.grid, ID);
      tables.conservation = recordTable(
        product.values.map((z, d) => {
          const errors = Array.from(blockMeans(z, layout, 0), (m, k) => Math.abs(m - coarse.values[d][k])).filter((e) => e === e);
          return { date: product.dates[d], cells: errors.length, maxAbsError: errors.length ? Math.max(...errors) : null };
        }),
        ['date', 'cells', 'maxAbsError'],
        ['block mean of the stacked product minus the coarse value (exact when every member conserves)'],
      );
      notes.push(`stacked ${members.map((m, i) => `${m.name} ${fit.weights[i].toFixed(3)}`).join(', ')} on the within-cell anomalies of ${rows.ids.length} stations; no saved model (the product combines whole engine runs)`);
      return { product, tables, notes };
    },
  };
}
