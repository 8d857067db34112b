import { createSavedModel, registerCompositeModel, type FittedRegressor, type Regressor, type SavedModel, type Table } from '../../../core/index.js';

/** A learner whose prediction is one column of the table, whatever it was trained on. */
export function columnLearner(column: number): Regressor {
  const fitted: FittedRegressor = {
    featureNames: [],
    predict: async (x: Table) => ({ mean: Float32Array.from({ length: x.rows }, (_, r) => x.x[r * x.columns.length + column]) }),
    save: () => ({}) as SavedModel,
  };
  return { fit: async () => fitted, load: async () => fitted };
}

const MEMORISER = 'regressor:test-memoriser';

/** A learner that memorises its training rows (exact on them) and answers the training mean elsewhere; tile workers in this process can load it. */
export const memoriser: Regressor = {
  async fit(train: Table) {
    const nc = train.columns.length;
    const rows = Array.from({ length: train.rows }, (_, r) => [Array.from(train.x.subarray(r * nc, r * nc + nc)).join(','), train.y![r]] as const);
    return memorised(train.columns, rows, rows.reduce((s, [, y]) => s + y, 0) / rows.length);
  },
  load: async (saved: SavedModel) => loadMemorised(saved),
};

function memorised(featureNames: readonly string[], rows: readonly (readonly [string, number])[], mean: number): FittedRegressor {
  const seen = new Map(rows);
  const nc = featureNames.length;
  return {
    featureNames,
    predict: async (x: Table) => ({ mean: Float32Array.from({ length: x.rows }, (_, r) => seen.get(Array.from(x.x.subarray(r * nc, r * nc + nc)).join(',')) ?? mean) }),
    save: () => createSavedModel({ id: MEMORISER, version: '1.0.0' }, { params: {}, featureNames: [...featureNames], data: { rows, mean } }),
  };
}

function loadMemorised(saved: SavedModel): FittedRegressor {
  const { rows, mean } = saved.data as { rows: [string, number][]; mean: number };
  return memorised(saved.featureNames ?? [], rows, mean);
}

registerCompositeModel(MEMORISER, async (saved) => loadMemorised(saved));
