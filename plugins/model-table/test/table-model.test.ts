import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import { createMemoryLogger, createPluginContext, createTable, dateFeatureValues, type RecordTable } from '../../../core/index.js';
import { runPipeline } from '../../../host/index.js';
import { tempDir } from '../../../test/core/pipeline/helpers.js';
import { sharedDataPath } from '../../../test/support/shared-data.js';
import { linearRegressor } from '../../regressor-linear/index.js';

const DEOS = sharedDataPath('real', 'deos-delaware-warnerdl', 'deos_daily_vwc.csv');

/** DEOS daily VWC (28 stations, 2018) long, a linear model on day-of-year features with a given split. */
function deosPipeline(split: object): object {
  return {
    schemaVersion: '1.0',
    id: 'deos-table',
    nodes: {
      vwc: { uses: 'source:csv', with: { path: DEOS, columns: { Time: 'date', vwc: 'number' }, na: ['NaN'], wide: { keep: ['Time'], nameColumn: 'station', valueColumn: 'vwc' } } },
      fit: { uses: 'model:table', with: { table: { $node: 'vwc' }, regressor: { uses: 'regressor:linear' }, target: 'vwc', features: [], dateColumn: 'Time', dateFeatures: 'doy', groupBy: 'station', split } },
    },
    outputs: { predictions: { $node: 'fit' }, metrics: { $node: 'fit', output: 'metrics' }, model: { $node: 'fit', output: 'model' } },
  };
}

const num = (v: unknown) => v as number;

/** RMSE, bias and Pearson R computed here, independently of core/metrics. */
function byHand(p: readonly number[], o: readonly number[]) {
  const n = p.length;
  const mp = p.reduce((a, b) => a + b, 0) / n;
  const mo = o.reduce((a, b) => a + b, 0) / n;
  let sse = 0, spo = 0, spp = 0, soo = 0;
  for (let i = 0; i < n; i++) {
    sse += (p[i] - o[i]) ** 2;
    spo += (p[i] - mp) * (o[i] - mo);
    spp += (p[i] - mp) ** 2;
    soo += (o[i] - mo) ** 2;
  }
  return { n, rmse: Math.sqrt(sse / n), bias: mp - mo, r: spo / Math.sqrt(spp * soo) };
}

describe('model:table on the real DEOS station data', { concurrency: 1 }, () => {
  let predictions: RecordTable;
  let metrics: RecordTable;
  let out: string;
  before(async () => {
    const r = await runPipeline(deosPipeline({ leaveGroupOut: true }), { out: join(tempDir(), 'run'), logger: createMemoryLogger(), report: false });
    predictions = r.artifacts.get('predictions') as RecordTable;
    metrics = r.artifacts.get('metrics') as RecordTable;
    out = r.outDir;
  });

  it('leave-station-out: each station is its own fold, and only rows with a value are evaluated', () => {
    const text = readFileSync(DEOS, 'utf8').trim().split('\n');
    const observed = text.slice(1).reduce((n, l) => n + l.split(',').slice(1).filter((c) => c !== 'NaN').length, 0);
    assert.equal(predictions.rows.length, observed);
    assert.ok(predictions.rows.every((r) => r.fold === r.station));
    assert.deepEqual(predictions.columns, ['Time', 'station', 'vwc', 'fold', 'predicted']);
  });

  it('a station\'s predictions are those of the model fitted without it (refitted here on the other stations)', async () => {
    const station = 'DCLY';
    const others = predictions.rows.filter((r) => r.station !== station);
    const train = createTable(['doy_sin', 'doy_cos'], others.length, true);
    others.forEach((r, i) => {
      train.x.set(dateFeatureValues(r.Time as string, 'doy'), 2 * i);
      train.y![i] = num(r.vwc);
    });
    const model = await (await linearRegressor.create({}, createPluginContext())).fit(train);
    const mine = predictions.rows.filter((r) => r.station === station);
    const test = createTable(['doy_sin', 'doy_cos'], mine.length);
    mine.forEach((r, i) => test.x.set(dateFeatureValues(r.Time as string, 'doy'), 2 * i));
    const { mean } = await model.predict(test);
    mine.forEach((r, i) => assert.equal(r.predicted, mean[i]));
    // Had the station been in training, its own mean would pull the predictions: they differ from the pooled fit.
    const pooled = await (await linearRegressor.create({}, createPluginContext())).fit((() => {
      const all = createTable(['doy_sin', 'doy_cos'], predictions.rows.length, true);
      predictions.rows.forEach((r, i) => (all.x.set(dateFeatureValues(r.Time as string, 'doy'), 2 * i), (all.y![i] = num(r.vwc))));
      return all;
    })());
    assert.notEqual((await pooled.predict(test)).mean[0], mean[0]);
  });

  it('metrics, pooled and per station, equal a recomputation from the predictions', () => {
    const check = (row: Readonly<Record<string, unknown>>, rows: readonly Readonly<Record<string, unknown>>[]) => {
      const h = byHand(rows.map((r) => num(r.predicted)), rows.map((r) => num(r.vwc)));
      assert.equal(row.n, h.n);
      for (const k of ['rmse', 'bias', 'r'] as const) assert.ok(Math.abs(num(row[k]) - h[k]) < 1e-9, `${String(row.id)} ${k}: ${String(row[k])} vs ${h[k]}`);
    };
    const all = metrics.rows.find((r) => r.scope === 'all')!;
    check(all, predictions.rows);
    const groups = metrics.rows.filter((r) => r.scope === 'group');
    assert.equal(groups.length, new Set(predictions.rows.map((r) => r.station)).size); // 26: two stations have no value in 2018
    for (const g of groups) check(g, predictions.rows.filter((r) => r.station === g.id));
    assert.equal(metrics.rows.filter((r) => r.scope === 'fold').length, 0, 'leave-group-out folds are the groups: not repeated');
  });

  it('writes the fitted model: the regressor\'s own, its features named', async () => {
    const saved = JSON.parse(readFileSync(join(out, 'model.model.json'), 'utf8')) as { pluginId: string; featureNames: string[] };
    assert.equal(saved.pluginId, 'regressor:linear');
    assert.deepEqual(saved.featureNames, ['doy_sin', 'doy_cos']);
  });

  it('testWhere trains on the other stations and tests exactly the selected ones; the same seed gives the same bytes', async () => {
    const split = { testWhere: { station: ['DCLY', 'DFHM'] } };
    const a = await runPipeline(deosPipeline(split), { out: join(tempDir(), 'a'), logger: createMemoryLogger(), report: false });
    const p = a.artifacts.get('predictions') as RecordTable;
    assert.deepEqual([...new Set(p.rows.map((r) => r.station))].sort(), ['DCLY', 'DFHM']);
    assert.ok(p.rows.every((r) => r.fold === 'test'));
    const b = await runPipeline(deosPipeline({ kfold: 3 }), { out: join(tempDir(), 'b'), logger: createMemoryLogger(), report: false, seed: 5 });
    const c = await runPipeline(deosPipeline({ kfold: 3 }), { out: join(tempDir(), 'c'), logger: createMemoryLogger(), report: false, seed: 5 });
    assert.equal(readFileSync(join(b.outDir, 'predictions.csv'), 'utf8'), readFileSync(join(c.outDir, 'predictions.csv'), 'utf8'));
  });
});
