import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateToGrid } from '../../../core/grid-ops/aggregate.js';
import { planTargetGrid, sceneOnTargetGrid } from '../../../core/grid-ops/warp-scene.js';
import { resolveTargetGrid } from '../../../core/grid-ops/target-grid.js';
import { warpBands } from '../../../core/grid-ops/warp.js';
import { transformCoordinates } from '../../../core/crs/transform.js';
import { SoilscaleError } from '../../../core/errors.js';
import { createGrid, type Grid } from '../../../core/model/grid.js';
import type { Series } from '../../../core/model/series.js';
import { memoryScene } from '../../support/memory-scene.js';
import { EASE2_9KM, EASE2_ORIGIN, gridAround, MODIS_1KM, MODIS_ORIGIN, MODIS_SINUSOIDAL } from '../../support/native-grids.js';

const TARGET = createGrid(600, 600, [700000, 100, 0, 5050000, 0, -100], 'EPSG:32633'); // 60 km at 100 m, centred on 17.95° E 45.3° N

/** A grid around the target's centre (17.95° E, 45.3° N). */
const around = (crs: string, cell: number, cols: number, rows: number, origin?: [number, number]): Grid => gridAround(crs, 17.95, 45.3, cell, cols, rows, origin);

/** A smooth soil-moisture-like field over lon/lat (independent of the grid it is sampled on); `k` radians per degree. */
function smoothField(grid: Grid, k = 2): Float32Array {
  const n = grid.width * grid.height;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const t = grid.transform;
  for (let r = 0; r < grid.height; r++) for (let c = 0; c < grid.width; c++) [xs[r * grid.width + c], ys[r * grid.width + c]] = [t[0] + (c + 0.5) * t[1], t[3] + (r + 0.5) * t[5]];
  const ll = transformCoordinates(grid.crs, 'EPSG:4326', xs, ys);
  return Float32Array.from({ length: n }, (_, i) => 0.25 + 0.08 * Math.sin(ll.x[i] * k) * Math.cos(ll.y[i] * k));
}

const ease = around('EPSG:6933', EASE2_9KM, 12, 12, EASE2_ORIGIN);
const modis = around(MODIS_SINUSOIDAL, MODIS_1KM, 80, 80, MODIS_ORIGIN);
const sentinel = around('EPSG:32634', 20, 3400, 3400); // 68 km of 20 m pixels in the next zone
const landcover = around('EPSG:4326', 0.0025, 400, 300);

test('each asset gets its plan: finer → average, coarser → bilinear, class map → mode, non-nesting coarse SM → regridded', () => {
  const scene = memoryScene({
    sm_coarse: { grid: ease, values: smoothField(ease) },
    ndvi_1km: { grid: modis, values: smoothField(modis) },
    sigma0_vv_20m: { grid: sentinel, values: new Float32Array(sentinel.width * sentinel.height) },
    landcover_250m: { grid: landcover, values: new Float32Array(landcover.width * landcover.height), categorical: true },
    dem_100m: { grid: TARGET, values: new Float32Array(TARGET.width * TARGET.height) },
  });
  const { plans, decisions } = planTargetGrid(scene, TARGET);
  const byKey = Object.fromEntries(plans.map((p) => [p.key, p]));
  assert.deepEqual(byKey.dem_100m, { key: 'dem_100m', action: 'as-is', grid: TARGET });
  assert.deepEqual([byKey.ndvi_1km.action, byKey.ndvi_1km.method], ['warp', 'bilinear']);
  assert.deepEqual([byKey.sigma0_vv_20m.action, byKey.sigma0_vv_20m.method], ['warp', 'average']);
  assert.deepEqual([byKey.landcover_250m.action, byKey.landcover_250m.method], ['warp', 'mode']);
  assert.equal(byKey.sm_coarse.action, 'coarse');
  assert.equal(byKey.sm_coarse.method, 'average');
  // EASE 9 008 m cells → 90 target pixels: 9 km UTM cells from the target origin, covering it.
  assert.deepEqual(byKey.sm_coarse.grid, createGrid(7, 7, [700000, 9000, 0, 5050000, 0, -9000], 'EPSG:32633'));
  assert.deepEqual(decisions.map((d) => d.code).sort(), ['grid.coarse-regrid', 'grid.warp', 'grid.warp', 'grid.warp']);

  // Explicit choices win, and are named as the reason.
  const explicit = planTargetGrid(scene, TARGET, { resampling: { ndvi_1km: 'cubic' }, coarse: [], coarseResolution: 10000 });
  const ndvi = explicit.plans.find((p) => p.key === 'ndvi_1km')!;
  assert.equal(ndvi.method, 'cubic');
  assert.match(explicit.decisions.find((d) => d.message.startsWith('ndvi_1km'))!.message, /with cubic \(resampling\.ndvi_1km\)$/);
  assert.equal(explicit.plans.find((p) => p.key === 'sm_coarse')!.action, 'warp', 'coarse: [] makes sm_coarse a fine asset');
  const rounded = planTargetGrid(scene, TARGET, { coarseResolution: 9050 });
  assert.equal(rounded.plans.find((p) => p.key === 'sm_coarse')!.grid.transform[1], 9100);
  assert.ok(rounded.decisions.some((d) => d.code === 'grid.coarse-rounded' && /9050 .* using 9100/.test(d.message)));
});

test('a coarse product already nesting the target stays as it is; unknown keys in the options are usage errors', () => {
  const nesting = createGrid(7, 7, [700000, 9000, 0, 5050000, 0, -9000], 'EPSG:32633');
  const scene = memoryScene({ sm_coarse: { grid: nesting, values: new Float32Array(49) } });
  const { plans, decisions } = planTargetGrid(scene, TARGET);
  assert.deepEqual(plans, [{ key: 'sm_coarse', action: 'as-is', grid: nesting }]);
  assert.deepEqual(decisions, []);
  const usage = (pattern: RegExp) => (e: unknown) => e instanceof SoilscaleError && e.kind === 'usage' && pattern.test(e.message);
  assert.throws(() => planTargetGrid(scene, TARGET, { resampling: { ndvi: 'average' } }), usage(/resampling names assets the scene does not have.*found ndvi/));
  assert.throws(() => planTargetGrid(scene, TARGET, { coarse: ['sm'] }), usage(/coarse names assets .*found sm/));
  assert.throws(() => resolveTargetGrid({ like: 'ndvi' }, scene), usage(/grid\.like.*expected one of sm_coarse, found ndvi/));
  assert.throws(() => resolveTargetGrid({ crs: 'EPSG:32633', resolution: 100, bbox: [5, 0, 1, 10] }, scene), usage(/grid\.bbox is empty/));
  assert.throws(() => resolveTargetGrid({ crs: 'EPSG:999999', resolution: 100, bbox: [0, 0, 1000, 1000] }, scene), /unknown CRS EPSG:999999/);
  const extended = resolveTargetGrid({ crs: 'EPSG:32633', resolution: 30, bbox: [0, 0, 1000, 1000] }, scene);
  assert.deepEqual(extended.grid, createGrid(34, 34, [0, 30, 0, 1000, 0, -30], 'EPSG:32633'));
  assert.match(extended.decisions[0].message, /extended to \[0, -20, 1020, 1000\] \(34 × 34 px\)/);
});

/**
 * Native cell means after regridding `native` onto the coarse grid of the target: per native cell wholly
 * inside the target, the mean of the regridded field over it (drawn on the 100 m target) minus the native value.
 */
async function nativeMeanErrors(native: Float32Array, coarse: Series): Promise<{ worst: number; step: number; compared: number }> {
  const cells = coarse.grid;
  const factor = Math.round(cells.transform[1] / TARGET.transform[1]);
  const [nativeIndex] = await warpBands([Float32Array.from({ length: native.length }, (_, i) => i)], ease, TARGET, { method: 'nearest', maxError: 0 });
  const sum = new Float64Array(native.length);
  const count = new Float64Array(native.length);
  for (let p = 0; p < nativeIndex.length; p++) {
    const j = nativeIndex[p];
    if (Number.isNaN(j)) continue;
    sum[j] += coarse.values[0][Math.floor(Math.floor(p / TARGET.width) / factor) * cells.width + Math.floor((p % TARGET.width) / factor)];
    count[j]++;
  }
  let worst = 0;
  let compared = 0;
  let step = 0; // largest difference between a compared native cell and a neighbour
  for (let j = 0; j < native.length; j++) {
    if (count[j] < 0.99 * factor * factor) continue; // native cells only partly inside the target
    const error = sum[j] / count[j] - native[j];
    worst = Math.max(worst, Math.abs(error));
    compared++;
    const [c, r] = [j % ease.width, Math.floor(j / ease.width)];
    for (const [dc, dr] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      if (c + dc >= 0 && c + dc < ease.width && r + dr >= 0 && r + dr < ease.height) step = Math.max(step, Math.abs(native[j + dr * ease.width + dc] - native[j]));
    }
  }
  return { worst, step, compared };
}

test('coarse regridding is area-weighted: each new cell is the mean of the native field over it, and native cell means are kept', async () => {
  // k = 2: the field varies over ~20 native cells (a smooth SM pattern); k = 9: over ~4 (a rough one).
  for (const [k, share] of [[2, 0.2], [9, 0.35]] as const) {
    const native = smoothField(ease, k);
    const result = sceneOnTargetGrid(memoryScene({ sm_coarse: { grid: ease, values: native }, dem_100m: { grid: TARGET, values: new Float32Array(TARGET.width * TARGET.height) } }), { like: 'dem_100m' });
    const coarse = await result.scene.load('sm_coarse');
    const cells = coarse.grid;
    assert.deepEqual([cells.width, cells.height, cells.transform[1]], [7, 7, 9000]);

    // Reference: the native cells drawn exactly on the 100 m target (each pixel takes the native cell
    // under its centre), then averaged per new cell: the area-weighted mean up to 100 m discretisation.
    const [drawn] = await warpBands([native], ease, TARGET, { method: 'nearest', maxError: 0 });
    const reference = aggregateToGrid(drawn, TARGET, cells, { method: 'mean', minValidFraction: 0 });
    let worstCell = 0;
    let spread = 0;
    let drift = 0; // Σ (regridded − reference) over the cells: what the regrid adds or loses
    let n = 0;
    for (let i = 0; i < reference.length; i++) {
      // The last row and column of cells stick out of the target: the reference sees only part of them.
      if (i % cells.width === cells.width - 1 || Math.floor(i / cells.width) === cells.height - 1) continue;
      worstCell = Math.max(worstCell, Math.abs(coarse.values[0][i] - reference[i]));
      spread = Math.max(spread, Math.abs(reference[i] - reference[0]));
      drift += coarse.values[0][i] - reference[i];
      n++;
    }
    // GDAL-style footprints (the rectangle spanned by a cell's mapped corners) differ from the true,
    // slightly rotated cell by the grid convergence between EASE and UTM 33N (~2° here).
    assert.ok(worstCell <= 0.02 * spread, `k ${k}: each cell within 2 % of the field's spread of its area-weighted mean: worst ${worstCell}, spread ${spread}`);
    assert.ok(Math.abs(drift / n) <= 0.002 * spread, `k ${k}: the mean over the cells is conserved: drift ${drift / n}`);

    // A new cell straddles up to four native cells, so a native cell's mean cannot be kept exactly; it
    // moves by a fraction of the difference to its neighbours.
    const e = await nativeMeanErrors(native, coarse);
    if (process.env.SOILSCALE_WARP_STATS) console.log({ k, worstCell, spread, drift: drift / n, ...e });
    assert.ok(e.compared >= 25, `k ${k}: ${e.compared} native cells compared`);
    assert.ok(e.worst <= share * e.step, `k ${k}: native means within ${share} × the largest neighbour difference ${e.step}: worst ${e.worst}`);
  }
});

test('a windowed load reads only the source window it needs and gives the same pixels as the whole load', async () => {
  const values = smoothField(modis);
  const scene = memoryScene({ ndvi_1km: { grid: modis, values }, dem_100m: { grid: TARGET, values: new Float32Array(TARGET.width * TARGET.height) } });
  const { scene: onTarget } = sceneOnTargetGrid(scene, { like: 'dem_100m' });
  const window = { x: 100, y: 200, width: 50, height: 40 };
  const part = await onTarget.load('ndvi_1km', { window });
  const whole = await onTarget.load('ndvi_1km');
  const read = scene.windows[0]!;
  assert.ok(read.width * read.height < 0.05 * modis.width * modis.height, `read ${JSON.stringify(read)}`);
  for (let r = 0; r < window.height; r++) {
    for (let c = 0; c < window.width; c++) assert.equal(part.values[0][r * window.width + c], whole.values[0][(window.y + r) * TARGET.width + window.x + c]);
  }
});
