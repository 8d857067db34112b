import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng } from '../../../core/index.js';
import { assertKernelListing } from '../../../test/support/wasm-kernels.js';
import { binColumns, computeBinEdges, packForest, predictPacked, predictRaw, TreeGrower, type TreeArrays } from '../index.js';
import { forestWalkKernel } from '../src/wasm-forest-walk.js';

/** Trees grown on random data with missing values, ties and a constant column, `maxBins` bins. */
function forestOf(rows: number, cols: number, maxBins: number, nTrees: number, seed: number): { trees: TreeArrays[]; x: Float32Array } {
  const rng = createRng(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < cols; f++) {
      const u = rng.next();
      // Column 1 has few distinct values (ties), column 2 is constant, 5 % of values are missing.
      x[r * cols + f] = u < 0.05 ? NaN : f === 1 ? Math.round(rng.next() * 6) : f === 2 ? 3 : rng.next() * 100 - 50;
    }
    const v = (i: number) => (Number.isNaN(x[r * cols + i]) ? 20 : x[r * cols + i]);
    y[r] = Math.sin(v(0) / 9) * 10 + v(1) * v(cols - 1) / 20 + rng.next();
  }
  const edges = computeBinEdges(x, rows, cols, { maxBins });
  const codes = binColumns(x, rows, cols, edges);
  const grower = new TreeGrower({ codes, rows, cols, missingBin: edges.missingBin, upper: edges.upper });
  const trees: TreeArrays[] = [];
  for (let t = 0; t < nTrees; t++) {
    const trng = createRng(seed).fork(t);
    const indices = Int32Array.from({ length: rows >> 1 }, () => trng.int(rows));
    const distinct = Int32Array.from(new Set(indices));
    trees.push(
      grower.grow(
        { indices: distinct, weight: null, weightedTarget: y, rng: trng },
        { minLeaf: 1 + (t % 3), maxDepth: Infinity, maxLeaves: Infinity, lambda: 0, minGain: 0, featuresPerSplit: 2, order: 'depth-first', leafScale: 1 },
      ).tree,
    );
  }
  return { trees, x };
}

/** The reference: per-tree raw-threshold walks, summed in tree order in float64. */
function reference(trees: readonly TreeArrays[], x: Float32Array, cols: number, rows: number) {
  const mean = new Float32Array(rows);
  const spread = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    let q = 0;
    for (const t of trees) {
      const v = predictRaw(t, x, r * cols);
      s += v;
      q += v * v;
    }
    const m = s / trees.length;
    mean[r] = m;
    spread[r] = Math.sqrt(Math.max(0, q / trees.length - m * m));
  }
  return { mean, spread };
}

describe('tree-engine packed forest', () => {
  for (const maxBins of [255, 1000]) {
    it(`predicts exactly as per-tree raw walks (${maxBins} bins, ${maxBins > 255 ? '16' : '8'}-bit codes, missing values)`, () => {
      const cols = 5;
      const rows = 3000;
      const { trees, x } = forestOf(rows, cols, maxBins, 7, maxBins);
      const forest = packForest(trees, cols);
      assert.equal(forest.wide, maxBins > 255);
      // Probe rows: the training rows plus values exactly on, just beside and beyond every threshold.
      const probes: number[] = Array.from(x);
      for (const t of trees) {
        for (let n = 0; n < t.feature.length; n++) {
          if (t.feature[n] < 0) continue;
          const thr = t.threshold[n];
          for (const v of [thr, Math.fround(thr * (1 + 1e-7)) , Math.fround(thr - 1e-5), 1e9, -1e9, Infinity, -Infinity]) {
            const row = x.slice(0, cols);
            row[t.feature[n]] = v;
            probes.push(...row);
          }
        }
      }
      const px = Float32Array.from(probes);
      const n = px.length / cols;
      const want = reference(trees, px, cols, n);
      const calls = forestWalkKernel.calls;
      const got = predictPacked(forest, px, cols, 0, n, { kind: 'mean', spread: true });
      // 8-bit codes run the WebAssembly walk (a broken kernel would fall back to JS with the same bytes).
      assert.equal(forestWalkKernel.calls > calls, !forest.wide, `WebAssembly forest walk ran: ${forestWalkKernel.calls - calls} calls`);
      assert.deepEqual(Buffer.from(got.mean.buffer), Buffer.from(want.mean.buffer));
      assert.deepEqual(Buffer.from(got.spread!.buffer), Buffer.from(want.spread.buffer));
      // Any row range gives the same bytes for its rows (thread splits cannot change results).
      const part = predictPacked(forest, px, cols, 1234, 4321, { kind: 'mean', spread: true });
      assert.deepEqual(Buffer.from(part.mean.buffer), Buffer.from(want.mean.slice(1234, 4321).buffer));
    });
  }

  it('sums trees onto a base score for boosting', () => {
    const cols = 4;
    const { trees, x } = forestOf(500, cols, 64, 3, 3);
    const got = predictPacked(packForest(trees, cols), x, cols, 0, 500, { kind: 'sum', base: 1.5 });
    for (let r = 0; r < 500; r++) {
      let s = 0;
      for (const t of trees) s += predictRaw(t, x, r * cols);
      assert.equal(got.mean[r], Math.fround(1.5 + s));
    }
  });

  it('keeps the forest-walk kernel listing in step with its bytes', () => {
    assertKernelListing(forestWalkKernel, 'lib/tree-engine/src/wasm-forest-walk.wat');
  });
});
