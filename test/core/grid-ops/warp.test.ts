import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPixelMapper, DEFAULT_MAX_ERROR } from '../../../core/grid-ops/warp-coords.js';
import { warpBands, warpFootprint, warpScale } from '../../../core/grid-ops/warp.js';
import { SoilscaleError } from '../../../core/errors.js';
import { createGrid } from '../../../core/model/grid.js';
import { createWorkerPool } from '../../../core/services/worker-pool.js';
import { createRng } from '../../../core/util/random.js';
import { MODIS_SINUSOIDAL } from '../../support/native-grids.js';

// 16° E, 46° N: MODIS tile h19v04 territory, a UTM 33N target 2 000 px wide.
const modis = createGrid(1200, 1200, [1111950.5197, 463.3127165, 0, 5559752.5985, 0, -463.3127165], MODIS_SINUSOIDAL);
const utm = createGrid(2000, 40, [500000, 250, 0, 5150000, 0, -250], 'EPSG:32633');

test('the per-row approximation stays within 0.125 source px of the exact transform on every pixel', () => {
  for (const [from, to] of [
    [modis, utm],
    [createGrid(500, 400, [-2000000, 9008.055210146, 0, 6500000, 0, -9008.055210146], 'EPSG:6933'), createGrid(1500, 30, [200000, 1000, 0, 5400000, 0, -1000], 'EPSG:32633')],
  ] as const) {
    const approx = createPixelMapper(from, to, DEFAULT_MAX_ERROR);
    const exact = createPixelMapper(from, to, 0);
    const n = to.width + 1;
    const [ua, va, ue, ve] = [0, 0, 0, 0].map(() => new Float64Array(n));
    let worst = 0;
    for (let row = 0; row <= to.height; row += 0.5) {
      for (const offset of [0, 0.5]) {
        approx.mapRow(row, offset, n, ua, va);
        exact.mapRow(row, offset, n, ue, ve);
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(ua[i] - ue[i]), Math.abs(va[i] - ve[i]));
      }
    }
    assert.ok(worst <= DEFAULT_MAX_ERROR, `max error ${worst} px`);
    assert.ok(worst > 1e-6, `the rows were approximated (max error ${worst} px), not transformed point by point`);
  }
});

test('warping on worker threads gives the same bytes as inline, for every method family', async () => {
  const rng = createRng(5);
  const values = new Float32Array(modis.width * modis.height).map(() => (rng.next() < 0.02 ? Number.NaN : rng.next()));
  const to = createGrid(700, 600, [560000, 200, 0, 5130000, 0, -200], 'EPSG:32633');
  const pool = createWorkerPool(2);
  try {
    for (const method of ['bilinear', 'average', 'mode'] as const) {
      const [inline] = await warpBands([values], modis, to, { method });
      const [threaded] = await warpBands([values], modis, to, { method, workers: pool });
      assert.deepEqual(Buffer.from(threaded.buffer), Buffer.from(inline.buffer), method);
      assert.ok(inline.some((v) => !Number.isNaN(v)), `${method}: some values`);
    }
  } finally {
    await pool.close();
  }
});

test('warpScale and warpFootprint describe the target in source pixels', () => {
  const from = createGrid(100, 100, [0, 10, 0, 1000, 0, -10], 'EPSG:32633');
  const to = createGrid(10, 20, [100, 40, 0, 900, 0, -20], 'EPSG:32633');
  assert.deepEqual(warpScale(from, to), { scaleX: 0.25, scaleY: 0.5 });
  assert.deepEqual(warpFootprint(from, to), { colMin: 10, colMax: 50, rowMin: 10, rowMax: 50 });
});

test('an unknown method is a usage error naming the methods', async () => {
  const g = createGrid(2, 2, [0, 1, 0, 2, 0, -1], 'EPSG:32633');
  await assert.rejects(
    warpBands([new Float32Array(4)], g, g, { method: 'lanczos' as never }),
    (e: unknown) => e instanceof SoilscaleError && /unknown warp method 'lanczos'.*nearest, bilinear, cubic, average, mode, min, max/.test(e.message),
  );
});
