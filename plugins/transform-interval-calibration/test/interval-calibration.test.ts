import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createGrid, createPluginContext, createRng, makeSeries, type Series, type Stations } from '../../../core/index.js';
import { intervalCalibrationTransform, type IntervalCalibrationParams } from '../index.js';
import { pooledGroupQuantile } from '../src/conformal-scale.js';

// 20 × 20 pixels of 0.1° from (10 E, 50 N); one station per pixel of a 5-pixel lattice (16 stations),
// 60 dates. The product is 0.3 with a half-width h(p) between 0.01 and 0.04 (its shape); each station
// observes 0.3 + h(p)·C·N(0, 1): the normalised scores are |N(0, C)|, so the calibrated scale is the
// quantile of |N(0, C)| at level·(1 + 1/16) = 0.95625 (16 stations are 16 exchangeable units), 2.016·C.
const C = 1.5;
const grid = createGrid(20, 20, [10, 0.1, 0, 50, 0, -0.1], 'EPSG:4326');
const dates = Array.from({ length: 60 }, (_, t) => new Date(Date.UTC(2023, 5, 1 + t)).toISOString().slice(0, 10));
const half = Float32Array.from({ length: 400 }, (_, k) => 0.01 + 0.03 * ((k * 7) % 13) / 12);
const series = (f: (k: number) => number): Series => makeSeries({ variable: 'sm', grid, dates, values: dates.map(() => Float32Array.from({ length: 400 }, (_, k) => f(k))) });
const product = series(() => 0.3);
const lower = series((k) => 0.3 - half[k]);
const upper = series((k) => 0.3 + half[k]);

function stations(count: number, seed: number): Stations {
  const rng = createRng(seed);
  const list = Array.from({ length: count }, (_, i) => {
    const col = 2 + 5 * (i % 4);
    const row = 2 + 5 * Math.floor(i / 4);
    const k = row * 20 + col;
    return { station: { id: `S${i}`, lon: 10 + 0.1 * col + 0.05, lat: 50 - 0.1 * row - 0.05, depth: 0.05 }, obs: { dates, values: Float32Array.from(dates, () => 0.3 + half[k] * C * rng.normal()) } };
  });
  return { kind: 'stations', stations: list.map((s) => s.station), observations: new Map(list.map((s) => [s.station.id, s.obs])) };
}

const params: IntervalCalibrationParams = { level: 0.9, minStations: 5, flags: ['G'], depthMax: 0.05, area: 'coverage', areaFraction: 0.25, unit: 'cell-date', minBlocks: 20 };

test('pooled group quantile: every group weighs the same, rank level·(1 + 1/J)', () => {
  // Two groups: {1, 2, 3, 4} (weights 1/8 each) and {10} (weight 1/2). level 0.5 → target 0.75.
  assert.equal(pooledGroupQuantile([Float64Array.of(1, 2, 3, 4), Float64Array.of(10)], 0.5), 10);
  // level 0.3 → target 0.45: 1, 2, 3 reach 0.375, 4 reaches 0.5.
  assert.equal(pooledGroupQuantile([Float64Array.of(1, 2, 3, 4), Float64Array.of(10)], 0.3), 4);
  assert.equal(pooledGroupQuantile([Float64Array.of(1), Float64Array.of(2)], 0.9), Number.POSITIVE_INFINITY); // 0.9·1.5 > 1
});

test('transform:interval-calibration: κ is the corrected quantile of the simulated normalised error, bounds = product ± κ·h, LOSO coverage ≥ level', async () => {
  const t = await intervalCalibrationTransform.create(params, createPluginContext());
  const r = (await t.apply({ product, lower, upper, stations: stations(16, 3) })) as unknown as {
    lower: Series;
    upper: Series;
    tables: Record<string, { rows: Record<string, number | string | null>[] }>;
  };
  const cal = r.tables.calibration.rows[0];
  const kappa = cal.scale as number;
  assert.equal(cal.stations, 16);
  assert.equal(cal.samples, 16 * 60);
  // 960 samples: the sample quantile of |N(0, C)| at 0.956 has sd ≈ 0.08·C; ± 3 sd.
  assert.ok(Math.abs(kappa - 2.016 * C) < 0.25 * C, `κ ${kappa}, expected ≈ ${2.016 * C}`);
  for (const k of [0, 57, 399]) {
    assert.ok(Math.abs(r.upper.values[5][k] - (0.3 + kappa * half[k])) < 1e-6 && Math.abs(r.lower.values[5][k] - (0.3 - kappa * half[k])) < 1e-6);
  }
  const loso = cal.losoCoverage as number;
  // Each held-out station is covered at ≈ 0.96 (level·(1 + 1/15)); 60 samples per station.
  assert.ok(loso >= 0.9 && loso < 0.99, `leave-one-station-out coverage ${loso}`);
  assert.equal(r.tables.loso.rows.length, 16);
});

test('transform:interval-calibration refuses too few usable stations (count, depth, flags), naming the count', async () => {
  const t = await intervalCalibrationTransform.create(params, createPluginContext());
  await assert.rejects(t.apply({ product, lower, upper, stations: stations(3, 4) }), /too few stations[\s\S]*at least 5[\s\S]*found 3\)/);
  // Deep sensors and flagged observations do not count: 16 stations, all too deep → none.
  const deep = stations(16, 4);
  await assert.rejects(t.apply({ product, lower, upper, stations: { ...deep, stations: deep.stations.map((s) => ({ ...s, depth: 0.2 })) } }), /too few stations[\s\S]*no deeper than 0.05 m[\s\S]*found 0\)/);
  const flagged = stations(16, 4);
  const bad = new Map([...flagged.observations].map(([id, o]) => [id, { ...o, flags: o.dates.map(() => 'D01') }]));
  await assert.rejects(t.apply({ product, lower, upper, stations: { ...flagged, observations: bad } }), /too few stations[\s\S]*found 0\)/);
  const tight = await intervalCalibrationTransform.create({ ...params, level: 0.95, minStations: 2 }, createPluginContext());
  await assert.rejects(tight.apply({ product, lower, upper, stations: stations(8, 4) }), /too few stations for the interval level/);
});
