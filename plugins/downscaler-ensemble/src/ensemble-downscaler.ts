import { createRng, recordTable, usageError, type Downscaler, type PluginContext, type PluginSpec, type RecordTable } from '../../../core/index.js';
import { createRegressionDownscaler } from '../../../lib/regression-engine/index.js';
import type { EnsembleDownscalerParams } from '../index.js';
import { createStacking } from './stacking.js';

const ID = 'downscaler:ensemble';

/** The ensemble downscaler: the regression engine around a stacked learner (see the manifest in `../index.ts`). */
export async function createEnsembleDownscaler(params: EnsembleDownscalerParams, context: PluginContext): Promise<Downscaler> {
  const { scheme, folds } = params.cv;
  if (scheme === 'none') {
    throw usageError('stacking needs out-of-fold predictions', { path: `${ID}.cv.scheme`, expected: 'kfold, dates or blocks', found: 'none' });
  }
  const names = Object.keys(params.learners);
  const members = await Promise.all(names.map(async (name) => ({ name, regressor: await context.instantiate(params.learners[name] as PluginSpec, 'regressor') })));
  if (members.some((m) => (m.regressor.capabilities?.sequenceSteps ?? 1) > 1)) {
    throw usageError('sequence regressors cannot be stacked (their rows differ from the others’)', { path: `${ID}.learners`, expected: 'regressors of one row per cell and date', found: names.join(', ') });
  }
  const stacking = createStacking(members, params.stacking, { scheme, folds, rng: createRng(params.seed ?? context.seed).fork(7) });
  return createRegressionDownscaler(
    params,
    {
      id: ID,
      version: '1.0.0',
      regressor: stacking.regressor,
      outOfFold: stacking.outOfFold,
      learner: `a stacked ensemble of ${names.join(', ')}`,
      tables: (): Record<string, RecordTable> => {
        const cv = stacking.weightsTable();
        return cv ? { weights: recordTable(cv.rows.filter((r) => r.learner !== 'ensemble').map((r) => ({ learner: r.learner, weight: r.weight, oofRmse: r.rmse ?? null })), ['learner', 'weight', 'oofRmse'], [cv.notes?.[0] ?? '']) } : {};
      },
    },
    context,
  );
}
