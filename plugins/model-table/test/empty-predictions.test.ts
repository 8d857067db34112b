/** A fit whose held-out predictions are all NaN fails; a partly NaN one is a run warning, never a quiet table. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createPluginContext, recordTable, resolveParams, type PluginContext, type Regressor, type Table } from '../../../core/index.js';
import { tableModel } from '../index.js';
import { createTableModel } from '../src/table-model.js';

/** Predicts NaN on rows whose `a` is at least `from` (all rows when from = 0), the mean target elsewhere. */
function nanRegressor(from: number): Regressor {
  const fitted = (mean: number) => ({
    featureNames: ['a'],
    async predict(t: Table) {
      return { mean: Float32Array.from({ length: t.rows }, (_, i) => (t.x[i * t.columns.length] >= from ? Number.NaN : mean)) };
    },
    save: () => ({ pluginId: 'regressor:nan', pluginVersion: '1.0.0', data: {} }),
  });
  return {
    async fit(t: Table) {
      return fitted(t.y!.reduce((s, v) => s + v, 0) / t.rows) as never;
    },
    async load() {
      throw new Error('not used');
    },
  } as unknown as Regressor;
}

const table = recordTable(Array.from({ length: 20 }, (_, i) => ({ a: i % 10, y: 0.1 * (i % 10) })), ['a', 'y']);

function contextWith(regressor: Regressor, warnings: string[]): PluginContext {
  return { ...createPluginContext({}), instantiate: async () => regressor, warn: (code: string, message: string) => void warnings.push(`${code}: ${message}`) } as unknown as PluginContext;
}

const params = resolveParams(tableModel, { regressor: { uses: 'regressor:linear' }, target: 'y', features: ['a'], split: { kfold: 4 }, importance: false });

test('all held-out predictions NaN: the fit fails naming the regressor', async () => {
  const model = createTableModel(params as never, contextWith(nanRegressor(0), []));
  await assert.rejects(model.fit({ table }), (e: Error) => e.name === 'SoilscaleError' && /predicted no held-out row/.test(e.message) && /20 test rows, 0 finite/.test(e.message));
});

test('some held-out predictions NaN: a model-predictions-missing warning with the counts', async () => {
  const warnings: string[] = [];
  const model = createTableModel(params as never, contextWith(nanRegressor(8), warnings));
  await model.fit({ table });
  assert.deepEqual(warnings, ['model-predictions-missing: 4 of 20 held-out rows have no prediction (NaN); the metrics cover the other 16']);
});
