import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createRng } from '../../../core/index.js';
import { blockLayout } from '../src/block-layout.js';
import { levelRows, subBlocks } from '../src/multi-scale.js';
import { downscaler, syntheticScene } from '../../../test/support/regression-scene.js';
import { blockMeans } from '../index.js';

// Coarse 3 × 2 cells of 6 × 6 fine pixels (18 × 12 fine); sub-blocks of side 4 leave 4 × 4, 4 × 2, 2 × 4, 2 × 2 pieces.
const fine = createGrid(18, 12, [0, 10, 0, 120, 0, -10], 'EPSG:32633');
const coarse = createGrid(3, 2, [0, 60, 0, 120, 0, -60], 'EPSG:32633');

test('multi-scale rows equal the sub-block means computed directly (non-dividing side, NaN pixels, anomalies)', () => {
  const layout = blockLayout(coarse, fine);
  const rng = createRng(4);
  const n = 18 * 12;
  const a = Float32Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.normal()));
  const b = Float32Array.from({ length: n }, () => 0.3 + 0.1 * rng.normal());
  const t = Float32Array.from({ length: n }, () => (rng.next() < 0.05 ? Number.NaN : 0.2 + 0.05 * rng.normal()));
  const side = 4;
  const coarseA = [1, 2, 3, 4, 5, 6];
  const coarseT = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
  for (const anomalies of [false, true]) {
    const rows = levelRows(subBlocks(layout, side), [a, b], t, 0.5, anomalies ? { coarseFeatures: [coarseA, [0, 0, 0, 0, 0, 0]], coarseTarget: coarseT } : undefined);
    // Direct: walk cells, then sub-blocks by their fine-pixel rectangles.
    const expected: number[][] = [];
    for (let cr = 0; cr < 2; cr++)
      for (let cc = 0; cc < 3; cc++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            let sa = 0, sb = 0, st = 0, valid = 0, total = 0;
            for (let r = cr * 6 + i * 4; r < Math.min(cr * 6 + 6, cr * 6 + i * 4 + 4); r++)
              for (let c = cc * 6 + j * 4; c < Math.min(cc * 6 + 6, cc * 6 + j * 4 + 4); c++) {
                total++;
                const p = r * 18 + c;
                if (Number.isNaN(a[p]) || Number.isNaN(t[p])) continue;
                (sa += a[p]), (sb += b[p]), (st += t[p]), valid++;
              }
            if (valid === 0 || valid < 0.5 * total) continue;
            const k = cr * 3 + cc;
            expected.push([sa / valid - (anomalies ? coarseA[k] : 0), sb / valid, st / valid - (anomalies ? coarseT[k] : 0), k]);
          }
    assert.equal(rows.rows, expected.length);
    assert.ok(expected.length >= 20, `only ${expected.length} sub-blocks kept`);
    expected.forEach(([ea, eb, et, k], r) => {
      assert.ok(Math.abs(rows.x[2 * r] - ea) < 1e-9 && Math.abs(rows.x[2 * r + 1] - eb) < 1e-9, `row ${r} features`);
      assert.ok(Math.abs(rows.y[r] - et) < 1e-9, `row ${r} target`);
      assert.equal(rows.parent[r], k);
    });
  }
  // Side 1 reproduces the fine pixels; the cell side reproduces the coarse block means.
  const whole = levelRows(subBlocks(layout, 6), [b], b, 0);
  const means = blockMeans(b, layout);
  assert.deepEqual(Array.from(whole.x, (v) => +v.toFixed(9)), Array.from(means, (v) => +v.toFixed(9)));
});

test('downscaler:regression with multi-scale training: table sizes, conservation exact, anomalies predicted around the coarse value', async () => {
  const scene = syntheticScene({ days: 3 });
  for (const anomalies of [false, true]) {
    const ds = await downscaler({ cv: { scheme: 'none' }, importance: false, multiScale: { levels: [1, 5], anomalies, scaleFeature: true } });
    const r = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
    const row = r.tables!.multiScale.rows[0];
    // 8 × 8 coarse cells of 5 × 5 pixels, 3 dates: 192 coarse rows; side 1: 1600 per date; side 5 (= the cell): 64 per date.
    assert.equal(row.rows, (anomalies ? 0 : 192) + 3 * (1600 + 64));
    const layout = blockLayout(scene.coarse, scene.fine);
    r.product.values.forEach((z, d) => blockMeans(z, layout).forEach((m, k) => assert.ok(Math.abs(m - scene.smCoarse.values[d][k]) < 1e-6)));
    assert.deepEqual(r.model!.featureNames, ['ndvi', 'lst', 'scale']);
  }
});
