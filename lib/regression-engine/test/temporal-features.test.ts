import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createRng, isSoilscaleError, makeSeries, type Regressor, type Table } from '../../../core/index.js';
import { linearRegressor } from '../../../plugins/regressor-linear/index.js';
import { blockLayout, blockMeans } from '../index.js';
import { timeBoxMean, timeStatistic, withTemporalFeatures } from '../src/temporal-features.js';
import type { Aligner } from '../src/window-features.js';
import { defaultsOf, downscaler, subGridCorrelation, testContext } from '../../../test/support/regression-scene.js';
import { regressionHashes } from '../../../test/support/regression-tiles.js';

const near = (got: number, want: number, what: string) => assert.ok(Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) < 1e-6, `${what}: ${got} vs ${want}`);

/** Pixel 0 over five dates: 1 2 NaN 4 5; pixel 1: 0 10 20 30 40; pixel 2: never valid. */
const stack = [
  [1, 0, Number.NaN],
  [2, 10, Number.NaN],
  [Number.NaN, 20, Number.NaN],
  [4, 30, Number.NaN],
  [5, 40, Number.NaN],
].map((v) => Float32Array.from(v));

test('timeBoxMean: hand-computed means over the valid dates, the window cut at the first and last date, a NaN date stays NaN', () => {
  const want: Record<number, number[][]> = {
    3: [[1.5, 5], [1.5, 10], [Number.NaN, 20], [4.5, 30], [4.5, 35]],
    5: [[1.5, 10], [7 / 3, 15], [Number.NaN, 20], [11 / 3, 25], [4.5, 30]],
    // A window longer than the run is the mean of every valid date.
    11: [[3, 20], [3, 20], [Number.NaN, 20], [3, 20], [3, 20]],
  };
  for (const [side, rows] of Object.entries(want)) {
    const got = timeBoxMean(stack, Number(side));
    rows.forEach((row, d) => {
      row.forEach((w, p) => near(got[d][p], w, `side ${side} date ${d} pixel ${p}`));
      assert.ok(Number.isNaN(got[d][2]), 'a pixel never valid stays NaN');
    });
  }
  assert.deepEqual(timeBoxMean(stack, 1).map((a) => Array.from(a)), stack.map((a) => Array.from(a)));
});

test('timeBoxMean equals a direct sum over the window on a random stack with gaps', () => {
  const rng = createRng(4);
  const rasters = Array.from({ length: 17 }, () => Float32Array.from({ length: 30 }, () => (rng.next() < 0.2 ? Number.NaN : rng.normal())));
  const got = timeBoxMean(rasters, 7);
  for (let d = 0; d < rasters.length; d++)
    for (let p = 0; p < 30; p++) {
      let s = 0;
      let n = 0;
      for (let e = Math.max(0, d - 3); e <= Math.min(rasters.length - 1, d + 3); e++) if (!Number.isNaN(rasters[e][p])) (s += rasters[e][p]), n++;
      near(got[d][p], Number.isNaN(rasters[d][p]) ? Number.NaN : s / n, `date ${d} pixel ${p}`);
    }
});

test('timeStatistic: per-pixel mean and population sd over the valid dates; NaN where none is valid; no cancellation at 300 K', () => {
  const mean = timeStatistic(stack, 'mean');
  const sd = timeStatistic(stack, 'sd');
  [3, 20, Number.NaN].forEach((w, p) => near(mean[p], w, `mean pixel ${p}`));
  [Math.sqrt(2.5), Math.sqrt(200), Number.NaN].forEach((w, p) => near(sd[p], w, `sd pixel ${p}`));
  const warm = [300.25, 300.75, 300.25, 300.75].map((x) => Float32Array.of(x));
  near(timeStatistic(warm, 'sd')[0], 0.25, 'sd of LST-sized values');
});

const grid = createGrid(3, 1, [0, 10, 0, 10, 0, -10], 'EPSG:32633');
const dates = ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04', '2024-06-05'];

test('withTemporalFeatures: names after the set, the source aligned once per date, window and statistic series; static sources skipped', () => {
  const lst = makeSeries({ variable: 'lst', grid, dates, values: stack });
  const dem = makeSeries({ variable: 'dem', grid, dates: [], values: [Float32Array.of(1, 2, 3)] });
  const calls: string[] = [];
  const lstAligner: Aligner = (date) => (calls.push(date), { values: stack[dates.indexOf(date)], source: date, validBefore: 0.5, validAfter: 0.7, owned: true });
  const demAligner: Aligner = () => ({ values: dem.values[0], source: 'static', validBefore: 1, validAfter: 1, owned: false });
  const out = withTemporalFeatures({ names: ['lst', 'dem'], predictors: { lst, dem }, aligners: [lstAligner, demAligner] }, 2, dates, { windows: [3], statistics: ['mean', 'sd'] }, grid);
  assert.deepEqual(out.names, ['lst', 'dem', 'lst_t3', 'lst_tmean', 'lst_tsd']);
  assert.deepEqual(calls, dates, 'every date aligned once, in order');
  // Every later question is answered from the same arrays.
  const t3 = timeBoxMean(stack, 3);
  dates.forEach((date, d) => {
    assert.equal(out.aligners[0](date).values, stack[d]);
    assert.deepEqual(Array.from(out.aligners[2](date).values), Array.from(t3[d]));
    assert.equal(out.aligners[2](date).source, date);
  });
  assert.equal(calls.length, dates.length);
  assert.equal(out.predictors.lst_t3.dates.length, dates.length);
  assert.equal(out.predictors.lst_tmean.dates.length, 0);
  assert.deepEqual(Array.from(out.predictors.lst_tmean.values[0]), Array.from(timeStatistic(stack, 'mean')));
  near(out.aligners[3]('static').validAfter, 2 / 3, 'valid fraction of the mean');
  // Nothing asked, nothing changes (no alignment either).
  const none = withTemporalFeatures({ names: ['lst'], predictors: { lst }, aligners: [lstAligner] }, 1, dates, { windows: [], statistics: [] }, grid);
  assert.deepEqual(none.names, ['lst']);
  assert.equal(calls.length, dates.length);
  assert.throws(
    () => withTemporalFeatures({ names: ['lst'], predictors: { lst }, aligners: [lstAligner] }, 1, dates, { windows: [4], statistics: [] }, grid),
    (e: unknown) => isSoilscaleError(e) && /odd number of dates/.test((e as Error).message),
  );
  assert.throws(
    () => withTemporalFeatures({ names: ['lst', 'lst_t3'], predictors: { lst, lst_t3: dem }, aligners: [lstAligner, demAligner] }, 2, dates, { windows: [3], statistics: [] }, grid),
    (e: unknown) => isSoilscaleError(e) && /temporal feature has the name/.test((e as Error).message),
  );
});

/**
 * Truth = a static field `s` (persistently wet/dry places) plus a date offset; the only dynamic predictor sees
 * `s` each day under independent pixel noise as large as its within-cell variation (like the generator's
 * NDVI/LST). A temporal window and the per-pixel mean average that noise away without blurring in space.
 */
function noisyScene() {
  const size = 40;
  const factor = 5;
  const fine = createGrid(size, size, [500000, 100, 0, 4000000, 0, -100], 'EPSG:32633');
  const coarse = createGrid(size / factor, size / factor, [500000, 500, 0, 4000000, 0, -500], 'EPSG:32633');
  const rng = createRng(9);
  const s = Float32Array.from({ length: size * size }, (_, p) => Math.sin((p % size) / 2.5) + Math.cos(Math.floor(p / size) / 3));
  const days = Array.from({ length: 12 }, (_, d) => `2024-06-${String(1 + d).padStart(2, '0')}`);
  const truth = days.map((_, d) => Float32Array.from(s, (v) => 0.25 + 0.04 * v + 0.01 * Math.sin(d)));
  const layout = blockLayout(coarse, fine);
  const sm = makeSeries({ variable: 'sm', grid: coarse, dates: days, values: truth.map((t) => Float32Array.from(blockMeans(t, layout))) });
  // Clouds: a few NaN pixels each day, gap-filled by the engine before the temporal features.
  const x = makeSeries({ variable: 'x', grid: fine, dates: days, values: days.map((_, d) => Float32Array.from(s, (v) => (rng.next() < 0.05 ? Number.NaN : v + 0.01 * d + 0.7 * rng.normal()))) });
  return { factor, layout, sm, x, truth: makeSeries({ variable: 'sm', grid: fine, dates: days, values: truth }) };
}

test('downscaler:regression with temporal features: the coarse column is the cell mean of the fine feature, exact conservation, higher sub-grid r on a noisy predictor', async () => {
  const scene = noisyScene();
  const tables: Table[] = [];
  // The linear regressor, recording the tables it is fitted on (the first is the coarse training table).
  const recording = async (w: Record<string, unknown>): Promise<Regressor> => {
    const inner = await linearRegressor.create({ ...defaultsOf(linearRegressor.params), ...w } as never, testContext());
    return { ...inner, fit: (t: Table) => (tables.push(t), inner.fit(t)) };
  };
  const context = testContext({ 'regressor:recording': recording });
  const params = { regressor: { uses: 'regressor:recording' }, cv: { scheme: 'none' }, importance: false, temporal: { windows: [5], statistics: ['mean'] } };
  const result = await (await downscaler(params, context)).downscale({ coarse: scene.sm, predictors: { x: scene.x } });
  assert.deepEqual(result.model!.featureNames, ['x', 'x_t5', 'x_tmean']);
  // Expected fine features: the engine's gap filling (interpolation in time), then the time mean.
  const filled = scene.x.values.map((v, d) => Float32Array.from(v, (value, p) => (value === value ? value : interpolated(scene.x.values, d, p))));
  const t5 = timeBoxMean(filled, 5);
  const mean = timeStatistic(filled, 'mean');
  const train = tables[0];
  const width = train.columns.length;
  assert.deepEqual(train.columns, ['x', 'x_t5', 'x_tmean']);
  for (let r = 0; r < train.rows; r++) {
    const d = train.index!.date![r];
    const k = train.index!.pixel![r];
    assert.ok(Math.abs(train.x[r * width + 1] - blockMeans(t5[d], scene.layout)[k]) < 1e-5, `x_t5, row ${r}`);
    assert.ok(Math.abs(train.x[r * width + 2] - blockMeans(mean, scene.layout)[k]) < 1e-5, `x_tmean, row ${r}`);
  }
  result.product.values.forEach((z, d) => blockMeans(z, scene.layout).forEach((m, k) => assert.ok(Math.abs(m - scene.sm.values[d][k]) < 1e-6, `date ${d} cell ${k}`)));

  const run = async (temporal: Record<string, unknown>) => {
    const ds = await downscaler({ regressor: { uses: 'regressor:rf', with: { trees: 20, seed: 1 } }, cv: { scheme: 'none' }, importance: false, multiScale: { levels: [3], anomalies: true }, temporal }, testContext());
    return ds.downscale({ coarse: scene.sm, predictors: { x: scene.x } });
  };
  const rPlain = subGridCorrelation((await run({})).product, scene.truth, scene.factor);
  const windowed = await run({ windows: [7] });
  windowed.product.values.forEach((z, d) => blockMeans(z, scene.layout).forEach((m, k) => assert.ok(Math.abs(m - scene.sm.values[d][k]) < 1e-6, `t7: date ${d} cell ${k}`)));
  const rWindowed = subGridCorrelation(windowed.product, scene.truth, scene.factor);
  assert.ok(rWindowed > rPlain + 0.1, `sub-grid r: temporal window ${rWindowed}, none ${rPlain}`);
});

/** The engine's default gap filling of one pixel on day `d` of a daily stack: linear between the nearest valid days (≤ 16 days away). */
function interpolated(values: readonly Float32Array[], d: number, p: number): number {
  let before = d - 1;
  while (before >= 0 && Number.isNaN(values[before][p])) before--;
  let after = d + 1;
  while (after < values.length && Number.isNaN(values[after][p])) after++;
  if (before >= 0 && after < values.length) return values[before][p] + ((values[after][p] - values[before][p]) * (d - before)) / (after - before);
  return before >= 0 ? values[before][p] : values[after][p];
}

test('downscaler:regression with temporal features and windows: tiled outputs are the untiled bytes, whatever the tile size', async () => {
  const params = { regressor: { uses: 'regressor:rf', with: { trees: 8, seed: 3 } }, cv: { scheme: 'kfold', folds: 3 }, intervals: { method: 'conformal' }, multiScale: { levels: [3], anomalies: true, context: true }, windows: [3], temporal: { windows: [3], statistics: ['mean', 'sd'] } };
  const untiled = await regressionHashes(params);
  assert.notDeepEqual(untiled, await regressionHashes({ ...params, temporal: {} }), 'the temporal features change the product');
  for (const tileSize of [7, 16]) assert.deepEqual(await regressionHashes(params, tileSize), untiled, `tile size ${tileSize}`);
});
