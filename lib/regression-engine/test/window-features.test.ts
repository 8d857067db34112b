import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createRng, isSoilscaleError, makeSeries } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../index.js';
import { boxMean } from '../../../core/index.js';
import { withWindowFeatures } from '../src/window-features.js';
import { downscaler, subGridCorrelation, testContext } from '../../../test/support/regression-scene.js';

test('boxMean: hand-computed 3 × 3 means over valid pixels, cut at the edges, NaN centre stays NaN', () => {
  // 4 × 3 raster:  1  2  3  4 /  5 NaN 7  8 /  9 10 11 12
  const v = Float32Array.from([1, 2, 3, 4, 5, Number.NaN, 7, 8, 9, 10, 11, 12]);
  const m = boxMean(v, 4, 3, 3);
  const expected = [8 / 3, 18 / 5, 24 / 5, 22 / 4, 27 / 5, Number.NaN, 57 / 8, 45 / 6, 24 / 3, 42 / 5, 48 / 5, 38 / 4];
  expected.forEach((e, i) => assert.ok(Number.isNaN(e) ? Number.isNaN(m[i]) : Math.abs(m[i] - e) < 1e-6, `pixel ${i}: ${m[i]} vs ${e}`));
  // Side 1 is the raster itself; a window covering everything is the mean of the valid pixels.
  assert.deepEqual(Array.from(boxMean(v, 4, 3, 1)), Array.from(v));
  boxMean(v, 4, 3, 7).forEach((x, i) => assert.ok(i === 5 ? Number.isNaN(x) : Math.abs(x - 72 / 11) < 1e-6));
});

test('boxMean equals a direct window sum on a random raster with gaps (5 × 5, non-square raster)', () => {
  const rng = createRng(3);
  const w = 13;
  const h = 9;
  const v = Float32Array.from({ length: w * h }, () => (rng.next() < 0.15 ? Number.NaN : rng.normal()));
  const m = boxMean(v, w, h, 5);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      let s = 0;
      let n = 0;
      for (let i = Math.max(0, r - 2); i <= Math.min(h - 1, r + 2); i++)
        for (let j = Math.max(0, c - 2); j <= Math.min(w - 1, c + 2); j++) if (!Number.isNaN(v[i * w + j])) (s += v[i * w + j]), n++;
      const e = Number.isNaN(v[r * w + c]) ? Number.NaN : s / n;
      const got = m[r * w + c];
      assert.ok(Number.isNaN(e) ? Number.isNaN(got) : Math.abs(got - e) < 1e-5, `(${r}, ${c}): ${got} vs ${e}`);
    }
});

test('withWindowFeatures: names after the predictors, static and temporal window series; a name clash or an even side is a usage error', () => {
  const grid = createGrid(4, 3, [0, 10, 0, 30, 0, -10], 'EPSG:32633');
  const raster = Float32Array.from({ length: 12 }, (_, i) => i);
  const stat = makeSeries({ variable: 'dem', grid, dates: [], values: [raster] });
  const temp = makeSeries({ variable: 'lst', grid, dates: ['2024-01-01'], values: [raster] });
  const aligner = (s: typeof stat) => () => ({ values: s.values[0] as Float32Array, source: 'x', validBefore: 1, validAfter: 1, owned: false });
  const out = withWindowFeatures({ names: ['dem', 'lst'], predictors: { dem: stat, lst: temp }, aligners: [aligner(stat), aligner(temp)] }, 2, [3], grid);
  assert.deepEqual(out.names, ['dem', 'lst', 'dem_w3', 'lst_w3']);
  assert.equal(out.predictors.dem_w3.dates.length, 0);
  const want = Array.from(boxMean(raster, 4, 3, 3));
  assert.deepEqual(Array.from(out.predictors.dem_w3.values[0]), want);
  assert.deepEqual(Array.from(out.aligners[3]('2024-01-01').values), want);
  assert.throws(
    () => withWindowFeatures({ names: ['dem', 'dem_w3'], predictors: { dem: stat, dem_w3: stat }, aligners: [aligner(stat), aligner(stat)] }, 2, [3], grid),
    (e: unknown) => isSoilscaleError(e) && /window feature/.test((e as Error).message),
  );
  assert.throws(
    () => withWindowFeatures({ names: ['dem'], predictors: { dem: stat }, aligners: [aligner(stat)] }, 1, [4], grid),
    (e: unknown) => isSoilscaleError(e) && /must be odd/.test((e as Error).message),
  );
});

/**
 * Truth = a smooth field `s` plus a date offset; the only predictor sees `s` with independent pixel noise as
 * large as its within-cell variation (like the generator's observed texture). Window means average the noise
 * away, so the sub-grid correlation rises; conservation stays exact.
 */
test('downscaler:regression with windows: window columns, exact conservation, higher sub-grid r on a noisy predictor', async () => {
  const size = 40;
  const factor = 5;
  const fine = createGrid(size, size, [500000, 100, 0, 4000000, 0, -100], 'EPSG:32633');
  const coarse = createGrid(size / factor, size / factor, [500000, 500, 0, 4000000, 0, -500], 'EPSG:32633');
  const rng = createRng(8);
  const s = Float32Array.from({ length: size * size }, (_, p) => Math.sin((p % size) / 3.5) + Math.cos(Math.floor(p / size) / 4.5));
  const dates = ['2024-06-01', '2024-06-03', '2024-06-05', '2024-06-07'];
  const truth = dates.map((_, d) => Float32Array.from(s, (v) => 0.25 + 0.04 * v + 0.01 * d));
  const layout = blockLayout(coarse, fine);
  const sm = makeSeries({ variable: 'sm', grid: coarse, dates, values: truth.map((t) => Float32Array.from(blockMeans(t, layout))) });
  const x = makeSeries({ variable: 'x', grid: fine, dates: [], values: [Float32Array.from(s, (v) => v + 0.6 * rng.normal())] });
  const truthSeries = makeSeries({ variable: 'sm', grid: fine, dates, values: truth });
  const run = async (windows: number[]) => {
    const ds = await downscaler(
      { regressor: { uses: 'regressor:rf', with: { trees: 20, seed: 1 } }, cv: { scheme: 'none' }, importance: false, multiScale: { levels: [3], anomalies: true }, windows },
      testContext(),
    );
    return ds.downscale({ coarse: sm, predictors: { x } });
  };
  const plain = await run([]);
  const windowed = await run([3]);
  assert.deepEqual(windowed.model!.featureNames, ['x', 'x_w3']);
  windowed.product.values.forEach((z, d) => blockMeans(z, layout).forEach((m, k) => assert.ok(Math.abs(m - sm.values[d][k]) < 1e-6, `date ${d} cell ${k}`)));
  const rPlain = subGridCorrelation(plain.product, truthSeries, factor);
  const rWindowed = subGridCorrelation(windowed.product, truthSeries, factor);
  assert.ok(rWindowed > rPlain + 0.1, `sub-grid r: windows ${rWindowed}, none ${rPlain}`);
});
