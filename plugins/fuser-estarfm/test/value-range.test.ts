/**
 * The value range without dnMin/dnMax, through the whole fuser on the reference case (green/red/NIR,
 * int16 reflectance × 10000): inferred from the data as [0, 10000] — reproducing the reference
 * outputs — with a run warning, or an error where the host has no warnings. Names alone used to pick
 * [0, 1] for green/red/nir and put 94 % of the pixels > 0.5 DN off the reference.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGrid, createPluginContext, createWorkerPool, makeSeries, type PluginContext, type Series } from '../../../core/index.js';
import { estarfmFuser } from '../index.js';
import { valueRange } from '../src/value-range.js';
import { paramsWith } from './params.js';
import { loadCase, loadReference } from './reference-data.js';

const [T1, T0, T2] = ['2001-05-24', '2001-07-11', '2001-08-12'];
const NAMES = ['green', 'red', 'nir'];
const c = loadCase('crop100_3band');
const grid = createGrid(c.width, c.height, [0, 30, 0, 0, 0, -30], 'EPSG:32633');
const workers = createWorkerPool(2);

function inputs(scale = 1): { fine: Series[]; coarse: Series[] } {
  const s = (a: Float32Array) => (scale === 1 ? a : Float32Array.from(a, (v) => v * scale));
  return {
    fine: NAMES.map((variable, b) => makeSeries({ variable, grid, dates: [T1, T2], values: [s(c.fine1[b]), s(c.fine2[b])] })),
    coarse: NAMES.map((variable, b) => makeSeries({ variable, grid, dates: [T1, T0, T2], values: [s(c.coarse1[b]), s(c.coarse0[b]), s(c.coarse2[b])] })),
  };
}

/** Pixels (over all bands) further than `tolerance` DN from the reference prediction. */
function offReference(product: readonly Series[], unscale: number, tolerance: number): number {
  const pred = loadReference(c, 'pred_float64').data;
  const n = c.width * c.height;
  let off = 0;
  product.forEach((p, b) => p.values[0].forEach((v, i) => (Math.abs(v * unscale - pred[b * n + i]) > tolerance ? off++ : 0)));
  return off;
}

test('zhu2018 on 0–10000 int data named green/red/nir: range [0, 10000] inferred with a warning, reference reproduced', async () => {
  const warnings: Array<{ code: string; message: string }> = [];
  const context = { ...createPluginContext({ workers }), warn: (code: string, message: string) => void warnings.push({ code, message }) } as PluginContext;
  const fuser = await estarfmFuser.create(paramsWith({ compat: 'zhu2018' }), context);
  const { fine, coarse } = inputs();
  const { product, notes } = await fuser.fuse({ coarse, fine, dates: [T0] });
  assert.equal(offReference(product, 1, 0.2), 0);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].code, 'estarfm-range-inferred');
  assert.match(warnings[0].message, /green, red, nir hold integer values in \[-?\d+, \d+\].*\[0, 10000\].*dnMin\/dnMax/);
  assert.ok(notes!.some((n) => /\[0, 10000\] inferred from the data/.test(n)), notes!.join('; '));
});

test('without run warnings the inferred range is an error naming dnMin/dnMax', async () => {
  // A host whose context cannot carry warnings (an older or third-party host).
  const bare: Record<string, unknown> = { ...createPluginContext({ workers }) };
  delete bare.warn;
  const fuser = await estarfmFuser.create(paramsWith({ compat: 'zhu2018' }), bare as unknown as PluginContext);
  const { fine, coarse } = inputs();
  await assert.rejects(fuser.fuse({ coarse, fine, dates: [T0] }), (e: Error) => e.name === 'SoilscaleError' && /dnMin/.test(e.message) && /\[0, 10000\]/.test(e.message));
});

test('the same data as 0–1 reflectance use the physical range [0, 1] without a warning and give the same prediction', async () => {
  const warnings: string[] = [];
  const context = { ...createPluginContext({ workers }), warn: (code: string) => void warnings.push(code) } as PluginContext;
  const fuser = await estarfmFuser.create(paramsWith({ compat: 'zhu2018' }), context);
  const { fine, coarse } = inputs(1e-4);
  const { product, notes } = await fuser.fuse({ coarse, fine, dates: [T0] });
  assert.deepEqual(warnings, []);
  assert.ok(notes!.some((n) => /\[0, 1\] from the physical range of green, red, nir/.test(n)), notes!.join('; '));
  // float32 inputs ÷ 10000: thresholds and gates scale with the range, so the prediction does too.
  const off = offReference(product, 1e4, 0.2);
  assert.ok(off < 0.001 * 3 * c.width * c.height, `${off} pixels off the reference`);
});

test('explicit dnMin/dnMax win; data fitting no known range are an error, not a guess', () => {
  const { fine, coarse } = inputs();
  assert.deepEqual(valueRange({ dnMin: -5, dnMax: 20000 }, fine, coarse, -9999), { min: -5, max: 20000 });
  const lst = inputs(1e-4).fine.map((s) => makeSeries({ ...s, variable: 'mystery_index' }));
  assert.throws(() => valueRange({}, lst, lst, -9999), (e: Error) => e.name === 'SoilscaleError' && /set dnMin and dnMax/.test(e.message) && /mystery_index/.test(e.message));
  const sm = fine.map((s) => makeSeries({ ...s, variable: 'sm' }));
  assert.throws(() => valueRange({}, sm, sm, -9999), /physical range of sm/);
});
