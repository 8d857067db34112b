import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, makeSeries, transformCoordinates, type Series, type Stations } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../../../lib/regression-engine/index.js';
import { subGridCorrelation, syntheticScene, testContext } from '../../../test/support/regression-scene.js';
import { ensembleDownscaler } from '../index.js';
import { combineAnomalies, fitStationWeights, stationAnomalies } from '../src/station-stacking.js';
import { memoriser } from './learners.js';

const NNLS = { method: 'nnls', ridge: 0 } as const;
const FILTER = { flags: ['G'], depthMax: 0.05 };

/** Stations at `pixels` of `series`' grid reading `value(d, pixel, station)` on every date. */
function stationsAt(series: Series, pixels: readonly number[], value: (d: number, pixel: number, s: number) => number): Stations {
  const { grid } = series;
  const [x0, dx, , y0, , dy] = grid.transform;
  const xs = Float64Array.from(pixels, (p) => x0 + ((p % grid.width) + 0.5) * dx);
  const ys = Float64Array.from(pixels, (p) => y0 + (Math.floor(p / grid.width) + 0.5) * dy);
  const { x: lon, y: lat } = transformCoordinates(grid.crs, 'EPSG:4326', xs, ys);
  return {
    kind: 'stations',
    stations: pixels.map((_, s) => ({ id: `S${s}`, lon: lon[s], lat: lat[s], depth: 0.05 })),
    observations: new Map(pixels.map((p, s) => [`S${s}`, { dates: series.dates, values: Float32Array.from(series.dates, (_, d) => value(d, p, s)) }])),
  };
}

/** A conserving member: the coarse value plus a random within-cell anomaly field (zero mean in every cell). */
function member(coarse: Series, fine: Series, seed: number): { product: Series; anomaly: Float32Array[] } {
  const rng = createRng(seed);
  const layout = blockLayout(coarse.grid, fine.grid);
  const anomaly = coarse.values.map(() => {
    const raw = Float32Array.from({ length: fine.grid.width * fine.grid.height }, () => 0.03 * rng.normal());
    const means = blockMeans(raw, layout);
    return Float32Array.from(raw, (v, p) => v - means[cellOf(fine, coarse, p)]);
  });
  const values = anomaly.map((a, d) => Float32Array.from(a, (v, p) => coarse.values[d][cellOf(fine, coarse, p)] + v));
  return { product: makeSeries({ variable: 'sm', grid: fine.grid, dates: coarse.dates, values }), anomaly };
}

function cellOf(fine: Series, coarse: Series, p: number): number {
  const f = fine.grid.width / coarse.grid.width;
  return Math.floor(Math.floor(p / fine.grid.width) / f) * coarse.grid.width + Math.floor((p % fine.grid.width) / f);
}

test('station stacking recovers the weights of a known mixture of within-cell anomalies, despite station biases; the product conserves', () => {
  const scene = syntheticScene({ days: 6 });
  const a = member(scene.smCoarse, scene.truth, 1);
  const b = member(scene.smCoarse, scene.truth, 2);
  const rng = createRng(3);
  const pixels = Array.from({ length: 30 }, () => Math.floor(rng.next() * scene.fine.width * scene.fine.height));
  const bias = pixels.map(() => 0.02 * rng.normal());
  const observed = (noise: number, withBias: boolean) =>
    stationsAt(scene.truth, pixels, (d, p, s) => scene.smCoarse.values[d][cellOf(scene.truth, scene.smCoarse, p)] + 0.3 * a.anomaly[d][p] + 0.7 * b.anomaly[d][p] + (withBias ? bias[s] : 0) + noise * rng.normal());
  const rows = stationAnomalies([a.product, b.product], scene.smCoarse, observed(0.005, true), FILTER);
  assert.equal(rows.ids.length, 30);
  assert.equal(rows.y.length, 30 * 6);
  const { weights, table } = fitStationWeights(rows, NNLS, ['a', 'b']);
  assert.ok(Math.abs(weights[0] - 0.3) < 0.06 && Math.abs(weights[1] - 0.7) < 0.06, `weights ${weights}`);
  assert.deepEqual(table.rows.map((r) => r.learner), ['a', 'b', 'ensemble']);
  // Noise- and bias-free: exact to solver precision.
  const exact = fitStationWeights(stationAnomalies([a.product, b.product], scene.smCoarse, observed(0, false), FILTER), NNLS, ['a', 'b']).weights;
  assert.ok(Math.abs(exact[0] - 0.3) < 1e-4 && Math.abs(exact[1] - 0.7) < 1e-4, `exact ${exact}`);
  // Any weights (here summing to 2.1): every cell's mean is the coarse value; the anomaly is the weighted one.
  const product = combineAnomalies([a.product, b.product], scene.smCoarse, Float64Array.from([1.7, 0.4]));
  const layout = blockLayout(scene.coarse, scene.fine);
  product.values.forEach((z, d) => {
    blockMeans(z, layout).forEach((m, k) => assert.ok(Math.abs(m - scene.smCoarse.values[d][k]) < 1e-6, `date ${d} cell ${k}`));
    for (let p = 0; p < z.length; p += 53) assert.ok(Math.abs(z[p] - (a.product.values[d][p] + 1.7 * a.anomaly[d][p] - a.anomaly[d][p] + 0.4 * b.anomaly[d][p])) < 1e-6);
  });
});

test('station stacking: too few stations, a deeper sensor or a rejected flag are left out and named', () => {
  const scene = syntheticScene({ days: 3 });
  const a = member(scene.smCoarse, scene.truth, 1);
  const stations = stationsAt(scene.truth, [5, 400, 900], (d, p) => scene.truth.values[d][p]);
  const deep: Stations = { ...stations, stations: stations.stations.map((s, i) => (i === 0 ? { ...s, depth: 0.2 } : s)) };
  const flagged: Stations = { ...deep, observations: new Map([...deep.observations].map(([id, o]) => [id, id === 'S1' ? { ...o, flags: o.dates.map(() => 'D01') } : o])) };
  const rows = stationAnomalies([a.product, a.product], scene.smCoarse, flagged, FILTER);
  assert.deepEqual(rows.ids, ['S2']);
  assert.throws(() => fitStationWeights(rows, NNLS, ['a', 'b'], 'net.csv'), (e: Error) => /too few stations/.test(e.message) && /net\.csv/.test(JSON.stringify(e)) && /1 stations/.test(JSON.stringify(e)));
});

test('downscaler:ensemble with stacking.scale stations: a learner that memorises its coarse rows gets no weight, the product conserves', async () => {
  const scene = syntheticScene({ days: 4 });
  const rng = createRng(8);
  const pixels = Array.from({ length: 20 }, () => Math.floor(rng.next() * scene.fine.width * scene.fine.height));
  const stations = stationsAt(scene.truth, pixels, (d, p) => scene.truth.values[d][p] + 0.01 * rng.normal());
  const context = testContext({ 'regressor:test-memoriser': () => memoriser });
  const params = { learners: { memoriser: { uses: 'regressor:test-memoriser' }, linear: { uses: 'regressor:linear' } }, cv: { scheme: 'none' as const }, importance: false, stacking: { scale: 'stations' as const } };
  const ds = await ensembleDownscaler.create(params, context);
  const r = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst }, stations });
  const [wMem, wLin] = r.tables!.weights.rows.map((w) => w.weight as number);
  // In sample at the coarse scale the memoriser is exact; at 1 km it has no within-cell skill at all.
  assert.ok(wMem < 0.02 && Math.abs(wLin - 1) < 0.15, `memoriser ${wMem}, linear ${wLin}`);
  const layout = blockLayout(scene.coarse, scene.fine);
  r.product.values.forEach((z, d) => blockMeans(z, layout).forEach((m, k) => assert.ok(Math.abs(m - scene.smCoarse.values[d][k]) < 1e-6, `date ${d} cell ${k}`)));
  assert.ok(subGridCorrelation(r.product, scene.truth, 5) > 0.9);
  assert.ok(r.tables!.linear_conservation && r.tables!.memoriser_multiScale === undefined);
  await assert.rejects(ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } }), /needs in-situ stations/);
  await assert.rejects(ensembleDownscaler.create({ ...params, intervals: { method: 'conformal' as const } }, context), /no conformal interval/);
});
