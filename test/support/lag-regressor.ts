import type { AnyPluginManifest, FittedRegressor, Regressor, SavedModel, Table } from '../../core/index.js';

/** Every table `regressor:lag` was fitted on or asked to predict, in order (its tile workers run inline, in this process). */
export const seenTables: Table[] = [];

const saved: SavedModel = { kind: 'model', format: 'soilscale-model', formatVersion: 1, pluginId: 'regressor:lag', pluginVersion: '0.0.0', params: {}, data: null };

function fitted(columns: readonly string[]): FittedRegressor {
  return {
    featureNames: columns,
    async predict(t: Table) {
      seenTables.push({ ...t, x: t.x.slice() }); // prediction buffers are reused between chunks
      return { mean: Float32Array.from({ length: t.rows }, () => 0.3) };
    },
    save: () => ({ ...saved, featureNames: columns }),
  };
}

/** A sequence regressor (2 steps) that records the rows it sees and predicts 0.3: a plugin module, so tile workers can load its model. */
export const lagRegressor = {
  id: 'regressor:lag',
  version: '0.0.0',
  title: 'Lag recorder',
  description: 'Test regressor: records its tables.',
  params: { type: 'object', properties: {}, additionalProperties: false },
  async create(): Promise<Regressor> {
    return {
      capabilities: { sequenceSteps: 2 },
      async fit(train) {
        seenTables.push(train);
        return fitted(train.columns);
      },
      async load(model) {
        return fitted(model.featureNames ?? []);
      },
    };
  },
} as unknown as AnyPluginManifest;

export default lagRegressor;
