/**
 * Time-series fusion: base-pair selection, span edges, single pair, fine pass-through, and the
 * Fuser end to end on a series whose fine truth is known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGrid, createPluginContext, createWorkerPool, makeSeries, type Series } from '../../../core/index.js';
import { estarfmFuser } from '../index.js';
import { planFusion } from '../src/time-series.js';
import { paramsWith } from './params.js';

test('planFusion: nearest pair before and after; fine dates pass through', () => {
  const plan = planFusion(['01', '02', '03', '04', '05', '06'].map((d) => `2024-06-${d}`), ['2024-06-01', '2024-06-03', '2024-06-06'], ['2024-06-01', '2024-06-03', '2024-06-06'], 'nearest-two');
  assert.deepEqual(
    plan.map((e) => [e.date.slice(8), e.method, e.base1?.slice(8), e.base2?.slice(8)]),
    [
      ['01', 'fine', undefined, undefined],
      ['02', 'pair', '01', '03'],
      ['03', 'fine', undefined, undefined],
      ['04', 'pair', '03', '06'],
      ['05', 'pair', '03', '06'],
      ['06', 'fine', undefined, undefined],
    ],
  );
});

test('planFusion: outside the span, each policy', () => {
  const pairs = ['2024-06-03', '2024-06-05', '2024-06-08'];
  const targets = ['2024-06-01', '2024-06-10'];
  const two = planFusion(targets, pairs, pairs, 'nearest-two');
  assert.deepEqual(two.map((e) => [e.method, e.base1, e.base2]), [
    ['extrapolate', '2024-06-03', '2024-06-05'],
    ['extrapolate', '2024-06-05', '2024-06-08'],
  ]);
  const one = planFusion(targets, pairs, pairs, 'nearest-one');
  assert.deepEqual(one.map((e) => [e.method, e.base1, e.base2]), [
    ['single-pair', '2024-06-03', '2024-06-03'],
    ['single-pair', '2024-06-08', '2024-06-08'],
  ]);
  const none = planFusion(targets, pairs, pairs, 'nodata');
  assert.deepEqual(none.map((e) => e.method), ['nodata', 'nodata']);
  assert.ok(none.every((e) => e.note && /base pair/.test(e.note)));
});

test('planFusion: a single usable pair predicts every date from it; none gives nodata', () => {
  const plan = planFusion(['2024-06-01', '2024-06-04', '2024-06-09'], ['2024-06-04'], ['2024-06-04'], 'nearest-two');
  assert.deepEqual(plan.map((e) => e.method), ['single-pair', 'fine', 'single-pair']);
  assert.match(plan[0].note!, /only one usable base pair/);
  // A fine date that is not a usable pair (e.g. cloudy) still passes through, but is not a base.
  const cloudy = planFusion(['2024-06-01', '2024-06-04'], ['2024-06-04'], [], 'nearest-two');
  assert.deepEqual(cloudy.map((e) => e.method), ['nodata', 'fine']);
});

// A scene whose fine truth is known: fine(t) = base + a(t), coarse(t) = smooth(base) + a(t), with
// day-to-day changes below the regression gate (V = 1). ESTARFM then predicts base + a(t0) exactly
// from any two pairs, because every similar pixel sees the same coarse change.
const W = 24;
const H = 20;
const grid = createGrid(W, H, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
const dates = ['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => `2024-06-${d}`);
const shift = [0.2, 0.203, 0.207, 0.205, 0.201, 0.204, 0.208, 0.206];
const base = Float32Array.from({ length: W * H }, (_, p) => 0.05 * Math.sin((p % W) / 3) + 0.04 * Math.cos(Math.floor(p / W) / 2.5) + ((p * 7919) % 13) * 0.002);
const smooth = Float32Array.from({ length: W * H }, (_, p) => 0.01 * Math.sin((p % W) / 9));
const truthOn = (t: number) => Float32Array.from(base, (v) => v + shift[t]);
const fineDates = [1, 3, 6]; // 06-02, 06-04, 06-07

function scene(fineOffsetOnFirst = 0): { coarse: Series; fine: Series } {
  const coarse = makeSeries({ variable: 'sm', grid, dates, values: dates.map((_, t) => Float32Array.from(smooth, (v) => v + shift[t])), unit: 'm3/m3' });
  const fine = makeSeries({
    variable: 'sm',
    grid,
    dates: fineDates.map((t) => dates[t]),
    values: fineDates.map((t, i) => Float32Array.from(truthOn(t), (v) => v + (i === 0 ? fineOffsetOnFirst : 0))),
    unit: 'm3/m3',
  });
  return { coarse, fine };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('fuse: every coarse date on the fine grid, exact on a known-truth series, pairs table', async () => {
  const { coarse, fine } = scene();
  const fuser = await estarfmFuser.create(paramsWith({ halfWindow: 4 }), createPluginContext({ workers: createWorkerPool(1) }));
  const { product, tables, notes } = await fuser.fuse({ coarse: [coarse], fine: [fine] });
  assert.equal(product.length, 1);
  assert.deepEqual(product[0].dates, dates);
  dates.forEach((_, t) => assert.ok(maxAbsDiff(product[0].values[t], truthOn(t)) < 2e-6, `date ${dates[t]}: ${maxAbsDiff(product[0].values[t], truthOn(t))}`));
  // Fine dates pass through bit for bit.
  fineDates.forEach((t, i) => assert.deepEqual(product[0].values[t], fine.values[i]));
  const rows = tables!.pairs.rows;
  assert.deepEqual(rows.map((r) => r.method), ['extrapolate', 'fine', 'pair', 'fine', 'pair', 'pair', 'fine', 'extrapolate']);
  assert.deepEqual([rows[2].base1, rows[2].base2, rows[2].days1, rows[2].days2], ['2024-06-02', '2024-06-04', 1, -1]);
  assert.deepEqual([rows[7].base1, rows[7].base2], ['2024-06-04', '2024-06-07']);
  assert.ok(notes!.some((n) => /physical range of sm/.test(n)), notes!.join('; '));
});

test('fuse: the pair chosen matters — a biased first fine image only affects dates that use it', async () => {
  const { coarse, fine } = scene(0.05);
  const fuser = await estarfmFuser.create(paramsWith({ halfWindow: 4 }), createPluginContext({ workers: createWorkerPool(1) }));
  const { product } = await fuser.fuse({ coarse: [coarse], fine: [fine] });
  // 06-05 and 06-06 use (06-04, 06-07): unaffected. 06-03 uses (06-02, 06-04): biased by T1·0.05.
  for (const t of [4, 5]) assert.ok(maxAbsDiff(product[0].values[t], truthOn(t)) < 2e-6);
  const bias = product[0].values[2][0] - truthOn(2)[0];
  assert.ok(bias > 0.005 && bias < 0.05, `bias ${bias}`);
  // outsideSpan nearest-one: 06-08 from 06-07 alone, still exact.
  const one = await estarfmFuser.create(paramsWith({ halfWindow: 4, outsideSpan: 'nearest-one' }), createPluginContext({ workers: createWorkerPool(1) }));
  const r = await one.fuse({ coarse: [coarse], fine: [fine], dates: ['2024-06-08'] });
  assert.equal(r.tables!.pairs.rows[0].method, 'single-pair');
  assert.ok(maxAbsDiff(r.product[0].values[0], truthOn(7)) < 2e-6);
});

test('fuse: outsideSpan nodata writes NaN; unknown target dates are a usage error', async () => {
  const { coarse, fine } = scene();
  const fuser = await estarfmFuser.create(paramsWith({ halfWindow: 4, outsideSpan: 'nodata' }), createPluginContext({ workers: createWorkerPool(1) }));
  const { product } = await fuser.fuse({ coarse: [coarse], fine: [fine], dates: ['2024-06-01', '2024-06-03'] });
  assert.ok(product[0].values[0].every(Number.isNaN));
  assert.ok(product[0].values[1].every(Number.isFinite));
  await assert.rejects(fuser.fuse({ coarse: [coarse], fine: [fine], dates: ['2024-07-01'] }), (e: Error) => e.name === 'SoilscaleError' && /dates/.test(e.message) && /2024-07-01/.test(e.message));
  await assert.rejects(fuser.fuse({ coarse: [coarse, coarse], fine: [fine] }), (e: Error) => e.name === 'SoilscaleError' && /same bands/.test(e.message));
});

test('fuse: a coarse series on a coarser grid is resampled to the fine grid first', async () => {
  const { fine } = scene();
  const coarseGrid = createGrid(W / 4, H / 4, [500000, 120, 0, 4200000, 0, -120], 'EPSG:32633');
  const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: dates.map((_, t) => new Float32Array((W / 4) * (H / 4)).fill(0.1 + shift[t])) });
  const fuser = await estarfmFuser.create(paramsWith({ halfWindow: 4 }), createPluginContext({ workers: createWorkerPool(1) }));
  const { product, notes } = await fuser.fuse({ coarse: [coarse], fine: [fine] });
  assert.deepEqual(product[0].grid, fine.grid);
  assert.ok(notes!.some((n) => /resampled/.test(n)));
  // Uniform coarse fields: the prediction is again base + a(t0).
  assert.ok(maxAbsDiff(product[0].values[2], truthOn(2)) < 2e-6);
});
