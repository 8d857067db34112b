/**
 * The bit-plane similar-pixel search against the definition: for every centre, exactly the valid
 * window pixels within the threshold in every dimension, in row-major order, with their window
 * offsets — on data with ties, outliers, invalid pixels, windows wider than a 32-bit word and
 * thresholds wide enough to accept everything or too small to accept anything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../core/index.js';
import { buildSimilarityIndex, scanSimilar } from '../src/similar-pixels.js';

interface Case {
  readonly width: number;
  readonly height: number;
  readonly dims: number;
  readonly w: number;
  readonly thresholds: number[];
  /** Values are rounded to this step (ties between pixels and with bin edges). */
  readonly step: number;
}

function bruteForce(packed: Float32Array, valid: Uint8Array, c: Case, row: number, col: number): { q: number[]; off: number[] } {
  const q: number[] = [];
  const off: number[] = [];
  const side = 2 * c.w + 1;
  for (let r = Math.max(0, row - c.w); r <= Math.min(c.height - 1, row + c.w); r++) {
    for (let x = Math.max(0, col - c.w); x <= Math.min(c.width - 1, col + c.w); x++) {
      const p = r * c.width + x;
      if (!valid[p]) continue;
      let ok = true;
      for (let j = 0; j < c.dims; j++) ok &&= Math.abs(packed[p * c.dims + j] - packed[(row * c.width + col) * c.dims + j]) < c.thresholds[j];
      if (ok) {
        q.push(p);
        off.push((r - row + c.w) * side + x - col + c.w);
      }
    }
  }
  return { q, off };
}

function check(c: Case, seed: number): number {
  const rng = createRng(seed);
  const N = c.width * c.height;
  const packed = new Float32Array(N * c.dims);
  const valid = new Uint8Array(N);
  for (let p = 0; p < N; p++) {
    valid[p] = rng.next() < 0.9 ? 1 : 0;
    for (let j = 0; j < c.dims; j++) {
      // A smooth field plus noise, rounded (ties), with rare far outliers (extreme bins).
      const x = p % c.width;
      const y = Math.floor(p / c.width);
      let v = 100 * Math.sin(x / 7 + j) + 60 * Math.cos(y / 5 - j) + 30 * rng.next();
      if (rng.next() < 0.01) v = rng.next() < 0.5 ? -9999 : 1e6;
      packed[p * c.dims + j] = Math.round(v / c.step) * c.step;
    }
  }
  const order = Int32Array.from({ length: c.dims }, (_, j) => c.dims - 1 - j);
  const index = buildSimilarityIndex(packed, valid, c.dims, c.width, c.height, order);
  const thresholds = Float64Array.from(c.thresholds);
  const side = 2 * c.w + 1;
  const cand = new Int32Array(side * side);
  const candOff = new Int32Array(side * side);
  const centre = new Float64Array(c.dims);
  const scratch = new Int32Array(4 * c.dims);
  let total = 0;
  for (let row = 0; row < c.height; row++) {
    for (let col = 0; col < c.width; col++) {
      const p = row * c.width + col;
      if (!valid[p]) continue;
      for (let j = 0; j < c.dims; j++) centre[j] = packed[p * c.dims + j];
      const n = scanSimilar(index, packed, thresholds, centre, scratch, row, col, c.w, cand, candOff);
      const expected = bruteForce(packed, valid, c, row, col);
      assert.deepEqual(Array.from(cand.subarray(0, n)), expected.q, `pixel (${row}, ${col})`);
      assert.deepEqual(Array.from(candOff.subarray(0, n)), expected.off, `offsets at (${row}, ${col})`);
      total += n;
    }
  }
  return total;
}

test('the search returns exactly the similar pixels, in row-major order', () => {
  const cases: Array<[Case, (total: number, windows: number) => void]> = [
    // Three bands (six dimensions), the reference's window, image narrower than two words.
    [{ width: 61, height: 47, dims: 6, w: 25, thresholds: [40, 35, 50, 45, 30, 60], step: 1 }, (t, n) => assert.ok(t > n && t < n * 500)],
    // One band, a window wider than a word, coarse value steps (many ties with bin edges).
    [{ width: 97, height: 23, dims: 2, w: 40, thresholds: [20, 20], step: 10 }, (t, n) => assert.ok(t > n)],
    // Thresholds spanning every value: every valid window pixel is similar.
    [{ width: 40, height: 30, dims: 2, w: 6, thresholds: [1e7, 1e7], step: 0.5 }, (t, n) => assert.ok(t > 100 * n)],
    // A threshold of 0: |d| < 0 never holds, not even for the centre.
    [{ width: 20, height: 20, dims: 2, w: 3, thresholds: [0, 50], step: 1 }, (t) => assert.equal(t, 0)],
  ];
  cases.forEach(([c, verify], i) => {
    const windows = c.width * c.height;
    verify(check(c, 100 + i), windows);
  });
});
