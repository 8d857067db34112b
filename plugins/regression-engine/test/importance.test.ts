import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng, createSavedModel, createTable, type FittedRegressor, type Table } from '../../../core/index.js';
import { importanceTable } from '../src/importance.js';

/** A model that is exact on its training rows: y = 3·x0 (x1 is ignored). */
const exact: FittedRegressor = {
  featureNames: ['x0', 'x1'],
  async predict(t: Table) {
    return { mean: Float32Array.from({ length: t.rows }, (_, r) => 3 * t.x[r * 2]) };
  },
  save: () => createSavedModel({ id: 'regressor:exact', version: '1.0.0' }, { params: {}, data: null }),
};

describe('permutation importance', () => {
  const rng = createRng(3);
  const n = 4000;
  const table = createTable(['x0', 'x1'], n, true);
  for (let r = 0; r < n; r++) {
    table.x[2 * r] = rng.normal();
    table.x[2 * r + 1] = rng.normal();
    table.y![r] = 3 * table.x[2 * r];
  }

  it('stays informative for a model with zero training error (values in % of the target variance)', async () => {
    const t = await importanceTable(exact, table, createRng(1));
    const v = Object.fromEntries(t.rows.map((r) => [r.feature, r.value as number]));
    // Shuffling x0 gives MSE = 2·var(y) in expectation: 200 % of the variance.
    assert.ok(Math.abs(v.x0 - 200) < 15, `x0: ${v.x0}`);
    assert.equal(v.x1, 0);
    assert.match(t.notes![0], /% of the target variance/);
  });
});
