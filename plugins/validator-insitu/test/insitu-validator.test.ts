import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createPluginContext, createRng, gdown, makeSeries, pairedMetrics, type Station, type StationSeries, type Stations } from '../../../core/index.js';
import { insituValidator, type InsituParams } from '../index.js';

// 10×10 grid of 0.1° from (10 E, 50 N); a 2×2 coarse grid of 0.5° over it.
const grid = createGrid(10, 10, [10, 0.1, 0, 50, 0, -0.1], 'EPSG:4326');
const coarseGrid = createGrid(2, 2, [10, 0.5, 0, 50, 0, -0.5], 'EPSG:4326');
const T = 80;
const dates = Array.from({ length: T }, (_, t) => new Date(Date.UTC(2023, 3, 1 + t)).toISOString().slice(0, 10));
const rng = createRng(8);
const signal = Float64Array.from({ length: T }, (_, t) => 0.25 + 0.08 * Math.sin((2 * Math.PI * t) / 40));
const product = makeSeries({
  variable: 'sm',
  grid,
  dates,
  values: dates.map((_, t) => Float32Array.from({ length: 100 }, (_, k) => signal[t] + 0.002 * (k % 7) + 0.01 * rng.normal())),
});
const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: dates.map((_, t) => new Float32Array(4).fill(signal[t] - 0.03)) });
const at = (col: number, row: number) => Float64Array.from(product.values, (b) => b[row * 10 + col]);

function station(id: string, lon: number, lat: number, depth: number, ds: string[], values: number[], flags?: string[]): [Station, StationSeries] {
  return [{ id, lon, lat, depth }, { dates: ds, values: Float32Array.from(values), flags }];
}
const s1Values = dates.map((_, t) => signal[t] + 0.01 + 0.015 * rng.normal());
const s1Flags = dates.map((_, t) => (t % 10 === 3 ? 'D01' : 'G'));
const odd = dates.map((_, t) => t).filter((t) => t % 2 === 1);
const list = [
  station('S1', 10.25, 49.75, 0.05, dates, s1Values, s1Flags), // pixel (2, 2)
  station('S2', 10.55, 49.35, 0.05, dates.slice(0, 30), s1Values.slice(0, 30)), // too few pairs
  station('S3', 10.75, 49.15, 0.0, dates, dates.map((_, t) => 0.25 + 0.08 * Math.cos((2 * Math.PI * t) / 40) * (t < 40 ? 1 : -1))), // uncorrelated
  station('S4', 10.35, 49.45, 0.1, dates, s1Values), // too deep
  station('S5', 12.0, 49.5, 0.05, dates, s1Values), // outside
  station('S6', 10.05, 49.05, 0.05, odd.map((t) => dates[t]), odd.map((t) => s1Values[t])), // every other day
];
const stations: Stations = { kind: 'stations', stations: list.map(([s]) => s), observations: new Map(list.map(([s, o]) => [s.id, o])) };
const params: InsituParams = { minObservations: 50, maxDaysApart: 0, pThreshold: 0.05, requirePositiveR: false, flags: ['G'], depthMax: 0.05 };
const context = createPluginContext();

describe('validator:insitu', async () => {
  const v = await insituValidator.create(params, context);
  const { tables, notes } = await v.validate({ product, stations, coarse });
  const byId = new Map(tables.stations.rows.map((r) => [r.station, r]));

  it('S1: pixel containing the station, good flags only, metrics equal pairedMetrics on the matched pairs', () => {
    const r = byId.get('S1')!;
    assert.equal(r.col, 2);
    assert.equal(r.row, 2);
    const insitu = s1Values.map((v, t) => (s1Flags[t] === 'G' ? Math.fround(v) : Number.NaN));
    const m = pairedMetrics(at(2, 2), insitu);
    assert.equal(r.n, 72);
    assert.equal(m.n, 72);
    assert.equal(r.r, m.r);
    assert.equal(r.ubrmse, m.ubrmse);
    assert.equal(r.bias, m.bias);
    assert.equal(r.included, true);
    assert.equal(r.gdown, gdown(at(2, 2), dates.map((_, t) => Math.fround(signal[t] - 0.03)), insitu).gdown);
  });

  it('exclusion reasons: too few pairs, p ≥ 0.05, too deep, outside, too few same-date matches', () => {
    assert.match(byId.get('S2')!.reason as string, /^INSUFFICIENT_DATA: 30 pairs/);
    assert.match(byId.get('S3')!.reason as string, /not significant/);
    assert.ok((byId.get('S3')!.pValue as number) >= 0.05);
    assert.match(byId.get('S4')!.reason as string, /depth/);
    assert.equal(byId.get('S5')!.reason, 'outside the product grid');
    assert.equal(byId.get('S6')!.n, 40);
    assert.match(byId.get('S6')!.reason as string, /INSUFFICIENT_DATA/);
    for (const id of ['S2', 'S3', 'S4', 'S5', 'S6']) assert.equal(byId.get(id)!.included, false);
    assert.ok(notes!.some((n) => n.startsWith('1 of 6 stations')));
  });

  it('maxDaysApart = 1 fills the gaps from the nearest day (the earlier one on ties)', async () => {
    const v1 = await insituValidator.create({ ...params, maxDaysApart: 1 }, context);
    const s6 = (await v1.validate({ product, stations })).tables.stations.rows.find((r) => r.station === 'S6')!;
    // odd t: same day; even t > 0: tie between t−1 and t+1 → t−1; t = 0 → day 1
    assert.equal(s6.n, T);
    const insitu = dates.map((_, t) => Math.fround(s1Values[t % 2 === 1 ? t : Math.max(1, t - 1)]));
    assert.equal(s6.r, pairedMetrics(at(0, 9), insitu).r);
  });

  it('summary: median/IQR over included stations only', () => {
    const r = tables.summary.rows.find((x) => x.metric === 'r')!;
    assert.equal(r.stations, 1);
    assert.equal(r.median, byId.get('S1')!.r);
    assert.equal(r.iqr, 0);
    assert.equal(r.stationsTotal, 6);
    assert.ok(tables.summary.rows.some((x) => x.metric === 'gdown'));
  });

  it('rejects a missing station input with a SoilscaleError naming the port', async () => {
    await assert.rejects(v.validate({ product }), /inputs\.stations/);
  });
  it('intervals: per-station coverage and width, pooled over included stations; a lone bound is an error', async () => {
    const half = 0.02;
    const lower = makeSeries({ variable: 'sm_lower', grid, dates, values: product.values.map((b) => b.map((x) => x - half)) });
    const upper = makeSeries({ variable: 'sm_upper', grid, dates, values: product.values.map((b) => b.map((x) => x + 2 * half)) });
    const out = await v.validate({ product, stations, lower, upper });
    const s1 = out.tables.stations.rows.find((r) => r.station === 'S1')!;
    const insitu = s1Values.map((x, t) => (s1Flags[t] === 'G' ? Math.fround(x) : Number.NaN));
    const p = at(2, 2);
    const pairs = insitu.map((y, t) => [y, p[t]]).filter(([y]) => !Number.isNaN(y));
    const inside = pairs.filter(([y, x]) => y >= Math.fround(x - half) && y <= Math.fround(x + 2 * half)).length;
    assert.ok(Math.abs((s1.coverage as number) - inside / pairs.length) < 1e-12, `${s1.coverage} vs ${inside / pairs.length}`);
    assert.ok(Math.abs((s1.meanWidth as number) - 3 * half) < 1e-6);
    const pooled = out.tables.intervals.rows[0];
    const included = out.tables.stations.rows.filter((r) => r.included);
    assert.equal(pooled.stations, included.length);
    assert.equal(pooled.n, included.reduce((sum, r) => sum + (r.n as number), 0));
    await assert.rejects(v.validate({ product, stations, upper }), /interval bound 'lower' missing/);
  });
});
