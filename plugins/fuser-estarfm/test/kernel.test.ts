/**
 * Pair-fusion invariants on the reference crops: thread count and tiling do not change results; FAST
 * with a budget above the window size equals classic; FAST keeps at most its budget and stays close
 * to the truth; the default mode treats nodata as nodata.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createWorkerPool } from '../../../core/index.js';
import { assertKernelListing } from '../../../test/support/wasm-kernels.js';
import { fusePair, splitEven, type EstarfmOptions, type PairFusionInput } from '../src/pair-fusion.js';
import { tileKernel } from '../src/wasm-tile-kernel.js';
import { loadCase, type ReferenceCase } from './reference-data.js';

const OPTIONS: EstarfmOptions = { halfWindow: 25, numClasses: 4, dnMin: 0, dnMax: 10000, background: -9999, compat: 'zhu2018', blockSize: 500, similarPixels: 0, tileSize: 128 };
const pool = createWorkerPool(2);
after(() => pool.close());

const inputOf = (c: ReferenceCase): PairFusionInput => ({ width: c.width, height: c.height, fine1: c.fine1, coarse1: c.coarse1, fine2: c.fine2, coarse2: c.coarse2, targets: [c.coarse0] });

function rmse(a: Float32Array, b: Float32Array, mask?: (i: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && !mask(i)) continue;
    s += (a[i] - b[i]) ** 2;
    n++;
  }
  return Math.sqrt(s / n);
}

test('results do not depend on thread count or tile size', async () => {
  const c = loadCase('crop100_3band_nodata');
  const inline = await fusePair(inputOf(c), { ...OPTIONS, tileSize: 100 });
  const threaded = await fusePair(inputOf(c), { ...OPTIONS, tileSize: 23 }, { workers: pool });
  for (let b = 0; b < 3; b++) assert.deepEqual(threaded.values[0][b], inline.values[0][b]);
});

test('FAST: a budget above the window size is classic ESTARFM; 20 pixels stay close to the truth', async () => {
  const c = loadCase('crop100_3band');
  const classic = await fusePair(inputOf(c), OPTIONS, { workers: pool });
  const wide = await fusePair(inputOf(c), { ...OPTIONS, similarPixels: 51 * 51 }, { workers: pool });
  for (let b = 0; b < 3; b++) assert.deepEqual(wide.values[0][b], classic.values[0][b]);
  const fast = await fusePair(inputOf(c), { ...OPTIONS, similarPixels: 20 }, { workers: pool, diagnostics: true });
  assert.ok(fast.diagnostics!.nSimilar[0].every((n) => n >= 1 && n <= 20));
  let differs = false;
  for (let b = 0; b < 3; b++) {
    const eClassic = rmse(classic.values[0][b], c.truth[b]);
    const eFast = rmse(fast.values[0][b], c.truth[b]);
    // The reference RMSEs are 61, 43, 106 DN; FAST should be of the same quality.
    assert.ok(eFast < 1.5 * eClassic, `band ${b}: FAST RMSE ${eFast} vs classic ${eClassic}`);
    differs ||= rmse(fast.values[0][b], classic.values[0][b]) > 1;
  }
  assert.ok(differs, 'FAST with 20 pixels should differ from classic');
});

test('default mode: nodata excluded from thresholds and written as NaN', async () => {
  const c = loadCase('crop100_3band_nodata');
  const asNaN = (bands: Float32Array[]) => bands.map((a) => Float32Array.from(a, (v) => (v === -9999 ? Number.NaN : v)));
  const input: PairFusionInput = { ...inputOf(c), fine1: asNaN(c.fine1), coarse1: asNaN(c.coarse1), fine2: asNaN(c.fine2), coarse2: asNaN(c.coarse2), targets: [asNaN(c.coarse0)] };
  const clean = await fusePair({ ...inputOf(loadCase('crop100_3band')) }, { ...OPTIONS, compat: 'default' });
  const result = await fusePair(input, { ...OPTIONS, compat: 'default' }, { workers: pool });
  // Thresholds: std of valid values only, close to the hole-free crop's (~49), not ~1568.
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(result.thresholds[0][k] / clean.thresholds[0][k] - 1) < 0.1, `threshold ${k}: ${result.thresholds[0][k]} vs ${clean.thresholds[0][k]}`);
  const N = c.width * c.height;
  let holes = 0;
  for (let p = 0; p < N; p++) {
    const invalid = [input.fine1, input.coarse1, input.fine2, input.coarse2, input.targets[0]].some((img) => img.some((band) => Number.isNaN(band[p])));
    for (let b = 0; b < 3; b++) assert.equal(Number.isNaN(result.values[0][b][p]), invalid, `pixel ${p} band ${b}`);
    if (invalid) holes++;
  }
  // Rows 0–9 of fine1, a 20×20 C0 hole, 200 fine2 pixels, and the band-1/2 hole the reference misses.
  assert.ok(holes > 1000 + 400 + 100 && holes < 2000, `holes ${holes}`);
  // Away from the holes the prediction is as good as on the clean crop.
  const valid = (p: number) => !Number.isNaN(result.values[0][0][p]);
  for (let b = 0; b < 3; b++) {
    const e = rmse(result.values[0][b], c.truth[b], valid);
    const e0 = rmse(clean.values[0][b], c.truth[b], valid);
    assert.ok(e < 1.3 * e0, `band ${b}: RMSE ${e} vs clean ${e0}`);
  }
});

test('the WebAssembly kernel runs and gives the JS loops\' bytes (3 bands with nodata, 1 band; zhu2018 and default; two targets; odd tiles)', async () => {
  for (const name of ['crop100_3band_nodata', 'crop100_ndvi_1band']) {
    const c = loadCase(name);
    const range = name.includes('ndvi') ? { dnMin: -1, dnMax: 1 } : {};
    // A second target shares the similar-pixel lists (its sums use the first target's weights).
    const input = { ...inputOf(c), targets: [c.coarse0, c.coarse2] };
    for (const compat of ['zhu2018', 'default'] as const) {
      const options = { ...OPTIONS, ...range, compat, tileSize: 37 };
      const calls = tileKernel.calls;
      const wasm = await fusePair(input, options, { diagnostics: true });
      assert.ok(tileKernel.calls > calls, `${name} ${compat}: the WebAssembly kernel ran`);
      const afterWasm = tileKernel.calls;
      const js = await fusePair(input, options, { diagnostics: true, wasm: false });
      assert.equal(tileKernel.calls, afterWasm, 'wasm: false keeps to the JS loops');
      for (let t = 0; t < 2; t++) {
        for (let b = 0; b < c.fine1.length; b++) assert.deepEqual(Buffer.from(wasm.values[t][b].buffer), Buffer.from(js.values[t][b].buffer), `${name} ${compat} target ${t} band ${b}`);
        assert.deepEqual(wasm.diagnostics!.nSimilar[t], js.diagnostics!.nSimilar[t]);
        assert.deepEqual(wasm.diagnostics!.v[t], js.diagnostics!.v[t]);
      }
    }
  }
});

test('the tile kernel listing is in step with its bytes', () => {
  assertKernelListing(tileKernel, 'plugins/fuser-estarfm/src/wasm-tile-kernel.wat');
});

test('splitEven: near-equal tiles cover the rectangle once, at most size wide, at least minTiles of them', () => {
  const rect = { x: 3, y: 5, width: 400, height: 130 };
  for (const [size, minTiles] of [[128, 1], [128, 8], [500, 4], [16, 1]] as const) {
    const tiles = splitEven(rect, size, minTiles);
    assert.ok(tiles.length >= Math.min(minTiles, 25 * 8), `${tiles.length} tiles for size ${size}, min ${minTiles}`);
    let area = 0;
    const widths = new Set<number>();
    for (const t of tiles) {
      assert.ok(t.width <= size && t.height <= size && t.x >= rect.x && t.y >= rect.y && t.x + t.width <= rect.x + rect.width && t.y + t.height <= rect.y + rect.height);
      area += t.width * t.height;
      widths.add(t.width);
    }
    assert.equal(area, rect.width * rect.height, 'no overlap, no gap');
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 1, `near-equal widths: ${[...widths]}`);
  }
});
