import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../src/block-layout.js';
import { createAtpk, DEFAULT_ATPK, deconvolveRange } from '../src/residual/atpk.js';
import { correctResiduals, type ResidualMethod } from '../src/residual/correct.js';

// Test vectors of ../shared/docs/methods/residual-correction.md §7: 3×3 coarse, 3×3 fine per cell.
const coarseGrid = createGrid(3, 3, [0, 3, 0, 9, 0, -3], 'EPSG:32633');
const fineGrid = createGrid(9, 9, [0, 1, 0, 9, 0, -1], 'EPSG:32633');
const layout = blockLayout(coarseGrid, fineGrid);
const Zc = Float32Array.of(0.23, 0.26, 0.3, 0.21, 0.25, 0.28, 0.18, 0.22, 0.27);
const prediction = new Float32Array(81);
for (let I = 0; I < 9; I++) for (let J = 0; J < 9; J++) {
  prediction[I * 9 + J] = Math.round((0.2 + 0.01 * J - 0.005 * I + 0.02 * Math.sin((I * J) / 7)) * 1e6) / 1e6;
}

const row0: Record<string, number[]> = {
  block: [0.222229, 0.232229, 0.242229, 0.245517, 0.255517, 0.265517, 0.28353, 0.29353, 0.30353],
  bilinear: [0.222229, 0.232229, 0.239992, 0.247755, 0.255517, 0.268188, 0.280859, 0.29353, 0.30353],
  'bilinear-fix': [0.224104, 0.234104, 0.241867, 0.245881, 0.253644, 0.266315, 0.280197, 0.292867, 0.302867],
  ratio: [0.221398, 0.232468, 0.243537, 0.244598, 0.255233, 0.265868, 0.282128, 0.29298, 0.303831],
  atpk: [0.224461, 0.234075, 0.241363, 0.247031, 0.254752, 0.264908, 0.276895, 0.289354, 0.301603],
};
// Exponential C(h) = exp(−h/6 fine px) = range 2 coarse cells; all 9 blocks in every system.
const atpk = createAtpk(layout, { ...DEFAULT_ATPK, range: 2, radius: 2 });

function conservationError(product: Float32Array): number {
  const agg = blockMeans(product, layout);
  return Math.max(...Array.from(agg, (m, k) => Math.abs(m - Zc[k])));
}

for (const method of Object.keys(row0) as ResidualMethod[]) {
  test(`${method}: row 0 matches the reference vector`, () => {
    const { product } = correctResiduals({ prediction, coarse: Zc, layout, method, residual: 'conservation', atpk });
    row0[method].forEach((v, j) => assert.ok(Math.abs(product[j] - v) < 2e-6, `${method} [0,${j}] = ${product[j]}, expected ${v}`));
    const err = conservationError(product);
    if (method === 'bilinear') assert.ok(Math.abs(err - 0.004984) < 2e-6, `bilinear error ${err}`);
    else assert.ok(err < 1e-7, `${method} conserves, error ${err}`);
  });
}

test('conservation residuals match the spec', () => {
  const { residual } = correctResiduals({ prediction, coarse: Zc, layout, method: 'block', residual: 'conservation' });
  const expected = [0.022229, 0.015517, 0.02353, 0.010517, 0.017732, 0.038978, -0.00647, 0.023978, 0.029373];
  expected.forEach((v, k) => assert.ok(Math.abs(residual[k] - v) < 2e-6));
});

test('ATPK residual field is coherent without a fix and matches rows 0 and 8', () => {
  const { residual } = correctResiduals({ prediction, coarse: Zc, layout, method: 'none', residual: 'conservation' });
  const field = atpk.krige(residual, new Float32Array(81));
  const r0 = [0.024461, 0.024075, 0.021363, 0.017031, 0.014752, 0.014908, 0.016895, 0.019354, 0.021603];
  const r8 = [-0.012271, -0.00967, -0.000174, 0.014882, 0.02514, 0.028977, 0.02676, 0.02504, 0.024579];
  r0.forEach((v, j) => assert.ok(Math.abs(field[j] - v) < 2e-6, `row 0 col ${j}: ${field[j]} vs ${v}`));
  r8.forEach((v, j) => assert.ok(Math.abs(field[72 + j] - v) < 2e-6, `row 8 col ${j}: ${field[72 + j]} vs ${v}`));
  const agg = blockMeans(field, layout);
  agg.forEach((m, k) => assert.ok(Math.abs(m - residual[k]) < 1e-7, `coherence at cell ${k}`));
});

test('missing coarse cells: their fine pixels are NaN, the others still conserve', () => {
  const gap = Zc.slice();
  gap[4] = Number.NaN;
  for (const method of ['block', 'bilinear-fix', 'atpk'] as const) {
    const { product } = correctResiduals({ prediction, coarse: gap, layout, method, residual: 'conservation', atpk });
    assert.ok(Number.isNaN(product[4 * 9 + 4]) && Number.isNaN(product[3 * 9 + 3]));
    const agg = blockMeans(product, layout);
    for (let k = 0; k < 9; k++) if (k !== 4) assert.ok(Math.abs(agg[k] - gap[k]) < 1e-7, `${method} cell ${k}`);
  }
});

test('model residual with block operator adds Z_C − f(X_C) per cell', () => {
  const modelCoarse = Float64Array.from(Zc, (v) => v - 0.01);
  const { product } = correctResiduals({ prediction, coarse: Zc, layout, method: 'block', residual: 'model', modelCoarse });
  for (let i = 0; i < 81; i++) assert.ok(Math.abs(product[i] - prediction[i] - 0.01) < 1e-7);
});

test('deconvolution recovers a longer range for smooth residuals than for white noise', () => {
  const cg = createGrid(24, 24, [0, 4, 0, 96, 0, -4], 'EPSG:32633');
  const fg = createGrid(96, 96, [0, 1, 0, 96, 0, -1], 'EPSG:32633');
  const big = blockLayout(cg, fg);
  const smooth = Float64Array.from({ length: 576 }, (_, k) => Math.sin((k % 24) / 4) + Math.cos(Math.floor(k / 24) / 5));
  let s = 12345;
  const noise = Float64Array.from({ length: 576 }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5);
  const a = deconvolveRange([smooth], big, 'exponential');
  const b = deconvolveRange([noise], big, 'exponential');
  assert.ok(a.range > 3 * b.range, `smooth ${a.range} vs noise ${b.range}`);
  assert.ok(b.range < 0.5);
});
