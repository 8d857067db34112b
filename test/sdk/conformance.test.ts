import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRng, createSavedModel, featureLayout, type AnyPluginManifest, type KindInterfaces, type Table } from '../../core/index.js';
import { conformanceProblems, type ConformanceFixture } from '../../core/testing/index.js';
import { builtinPlugins, linearRegressor, rfPlugin, syntheticSource } from '../../plugins/index.js';
import { tempDir } from '../core/pipeline/helpers.js';

/** Rows of 3 steps × (u, v) for the sequence regressor (it refuses plain tables). */
function sequenceTable(): Table {
  const rng = createRng(4);
  const layout = featureLayout(['u', 'v'], 'none', 3);
  const rows = 60;
  const x = Float32Array.from({ length: rows * 6 }, () => rng.next());
  const y = Float32Array.from({ length: rows }, (_, r) => 0.5 * x[r * 6 + 4] - 0.2 * x[r * 6 + 1]);
  return { kind: 'table', columns: layout.columns, rows, x, y, layout: { steps: 3, features: layout.features } };
}

const dir = tempDir();
const csv = join(dir, 'rows.csv');
writeFileSync(csv, 'id,a,b,y\n' + Array.from({ length: 24 }, (_, i) => `r${i},${i % 5},${(i * 3) % 7},${0.1 * (i % 5) - 0.05 * ((i * 3) % 7)}`).join('\n') + '\n');
const table = { kind: 'records', columns: ['id', 'a', 'b', 'y'], rows: Array.from({ length: 24 }, (_, i) => ({ id: `r${i}`, a: i % 5, b: (i * 3) % 7, y: 0.1 * (i % 5) })) } as const;

/**
 * Small, fast settings (CI runs the suite over every built-in) and what a plugin with required params
 * or inputs needs; the checks themselves are the suite's.
 */
const FIXTURES: Readonly<Record<string, ConformanceFixture>> = {
  'source:stac': { params: { path: 'demo' }, nested: [syntheticSource] },
  'source:csv': { params: { path: csv }, run: (s) => (s as KindInterfaces['source']).load() },
  'regressor:rf': { params: { trees: 8 } },
  'regressor:gbdt': { params: { rounds: 15 } },
  'regressor:bpnn': { params: { maxEpochs: 5 } },
  'regressor:cnn-gru': { params: { steps: 3, epochs: 2 }, table: sequenceTable() },
  'downscaler:regression': { params: { regressor: { uses: 'regressor:linear' }, cv: { scheme: 'none' } }, nested: [linearRegressor] },
  'downscaler:resnet': { params: { epochs: 1 } },
  'downscaler:ensemble': {
    params: { learners: { linear: { uses: 'regressor:linear' }, rf: { uses: 'regressor:rf', with: { trees: 5 } } }, cv: { scheme: 'kfold', folds: 3 } },
    nested: [linearRegressor, rfPlugin],
  },
  'model:table': {
    params: { regressor: { uses: 'regressor:rf', with: { trees: 5 } }, target: 'y', features: ['a', 'b'], split: { kfold: 3 } },
    nested: [rfPlugin],
    run: (m) => (m as KindInterfaces['model']).fit({ table }),
  },
  'transform:apply-model': { params: { path: join(dir, 'model.model.json') } },
};

describe('conformance suite (soilscale/testing)', () => {
  for (const m of builtinPlugins) {
    it(`${m.id} conforms`, async () => {
      assert.deepEqual(await conformanceProblems(m, FIXTURES[m.id]), []);
    });
  }

  it('finds what a non-conforming plugin gets wrong', async () => {
    let calls = 0;
    const sloppy: AnyPluginManifest = {
      id: 'regressor:sloppy',
      version: '1.0.0',
      title: 'Sloppy',
      description: 'Predicts a different constant each fit, forgets it on load, and crashes on bad tables.',
      params: { type: 'object', properties: {}, additionalProperties: false },
      create: () => ({
        async fit(t: Table) {
          const c = ++calls + t.y!.length * 0;
          return { featureNames: t.columns, predict: async (x: Table) => ({ mean: new Float32Array(x.rows).fill(c) }), save: () => createSavedModel({ id: 'regressor:sloppy', version: '1.0.0' }, { params: {}, data: null }) };
        },
        async load() {
          return { featureNames: [], predict: async (x: Table) => ({ mean: new Float32Array(x.rows) }), save: () => { throw new Error('no'); } };
        },
      }),
    };
    assert.deepEqual(await conformanceProblems(sloppy), [
      'not deterministic: two fits from the same seed predict differently',
      'save → files → load: the loaded model predicts differently',
      'fit on a table without a target: failed with TypeError "Cannot read properties of undefined (reading \'length\')", expected a soilscale error naming the problem',
      'predict on a table with other columns: accepted, expected a soilscale error',
    ]);
  });
});
