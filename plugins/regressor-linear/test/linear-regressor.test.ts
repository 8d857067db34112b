import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginContext, createRng, createTable, type Regressor, type Table } from '../../../core/index.js';
import { linearRegressor, type LinearParams } from '../index.js';

async function make(params: Partial<LinearParams> = {}): Promise<Regressor> {
  return linearRegressor.create(params, createPluginContext());
}

function exactTable(n: number, seed: number): Table {
  const rng = createRng(seed);
  const t = createTable(['a', 'b', 'c'], n, true);
  for (let r = 0; r < n; r++) {
    const a = rng.normal() * 3;
    const b = rng.next() * 100;
    const c = rng.normal();
    t.x.set([a, b, c], r * 3);
    t.y![r] = 1.5 + 2 * a - 0.03 * b + 0.5 * c;
  }
  return t;
}

test('OLS recovers the coefficients of an exactly linear target', async () => {
  const model = await (await make()).fit(exactTable(200, 1));
  const d = model.diagnostics!();
  assert.ok(Math.abs((d.intercept as number) - 1.5) < 1e-4, `intercept ${d.intercept}`);
  assert.ok(Math.abs((d.coef_a as number) - 2) < 1e-5);
  assert.ok(Math.abs((d.coef_b as number) + 0.03) < 1e-6);
  assert.ok(Math.abs((d.coef_c as number) - 0.5) < 1e-5);
  assert.ok((d.r2_train as number) > 0.999999);
});

test('ridge with one feature shrinks the OLS slope by 1/(1+λ) (standardised penalty)', async () => {
  const rng = createRng(3);
  const t = createTable(['x'], 100, true);
  for (let r = 0; r < 100; r++) {
    t.x[r] = rng.normal() * 2 + 5;
    t.y![r] = 0.7 * t.x[r] + rng.normal() * 0.3;
  }
  const ols = (await (await make()).fit(t)).diagnostics!().coef_x as number;
  const ridge = (await (await make({ ridge: 1.5 })).fit(t)).diagnostics!().coef_x as number;
  assert.ok(Math.abs(ridge - ols / 2.5) < 1e-9 * Math.abs(ols) + 1e-12, `ridge ${ridge} vs ${ols / 2.5}`);
});

test('rows with NaN are skipped in fitting and give NaN predictions', async () => {
  const t = exactTable(50, 2);
  t.x[3 * 3 + 1] = Number.NaN;
  t.y![7] = 1e6; // an outlier whose feature is missing must not count
  t.x[7 * 3] = Number.NaN;
  const model = await (await make()).fit(t);
  assert.equal(model.diagnostics!().rows, 48);
  const { mean } = await model.predict(t);
  assert.ok(Number.isNaN(mean[3]) && Number.isNaN(mean[7]));
  assert.ok(Math.abs(mean[0] - t.y![0]) < 1e-4);
});

test('a weight of 2 equals a duplicated row', async () => {
  const rng = createRng(9);
  const t = createTable(['x'], 20, true);
  for (let r = 0; r < 20; r++) {
    t.x[r] = rng.normal();
    t.y![r] = rng.normal();
  }
  const weighted = { ...t, weights: new Float32Array(20).fill(1) };
  weighted.weights[4] = 2;
  const dup = createTable(['x'], 21, true);
  dup.x.set(t.x);
  dup.x[20] = t.x[4];
  dup.y!.set(t.y!);
  dup.y![20] = t.y![4];
  const a = (await (await make()).fit(weighted)).diagnostics!();
  const b = (await (await make()).fit(dup)).diagnostics!();
  assert.ok(Math.abs((a.coef_x as number) - (b.coef_x as number)) < 1e-9);
  assert.ok(Math.abs((a.intercept as number) - (b.intercept as number)) < 1e-9);
});

test('collinear features do not crash and still predict the target', async () => {
  const t = createTable(['x', 'x2'], 30, true);
  for (let r = 0; r < 30; r++) {
    t.x[r * 2] = r;
    t.x[r * 2 + 1] = 2 * r;
    t.y![r] = 3 * r + 1;
  }
  const model = await (await make()).fit(t);
  const { mean } = await model.predict(t);
  for (let r = 0; r < 30; r++) assert.ok(Math.abs(mean[r] - t.y![r]) < 1e-3);
});

test('save → load gives identical predictions; wrong columns are an input error', async () => {
  const reg = await make({ ridge: 0.1 });
  const model = await reg.fit(exactTable(80, 4));
  const saved = JSON.parse(JSON.stringify(model.save()));
  const again = await reg.load(saved);
  const test = exactTable(10, 5);
  assert.deepEqual((await again.predict(test)).mean, (await model.predict(test)).mean);
  const wrong = createTable(['a', 'c', 'b'], 1);
  await assert.rejects(model.predict(wrong), (e: unknown) => (e as Error).name === 'SoilscaleError' && /table.columns/.test((e as Error).message));
});
