import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng } from '../../../core/index.js';
import { binColumns, computeBinEdges, TreeGrower, type GrowOptions } from '../index.js';
import { assertKernelListing } from '../../../test/support/wasm-kernels.js';
import { createHistogramMemory, histogramKernel } from '../src/wasm-histogram.js';

/** A noisy nonlinear regression with some missing values; `distinct` values per feature decides u8 or u16 codes. */
function dataset(rows: number, cols: number, maxBins: number, seed: number) {
  const rng = createRng(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) x[r * cols + c] = rng.next() < 0.03 ? Number.NaN : rng.normal();
    const a = x[r * cols] || 0;
    const b = x[r * cols + 1] || 0;
    y[r] = Math.sin(2 * a) + b * b - 0.5 * (x[r * cols + 2] || 0) + 0.1 * rng.normal();
  }
  const edges = computeBinEdges(x, rows, cols, { maxBins, seed });
  return { matrix: { codes: binColumns(x, rows, cols, edges), rows, cols, missingBin: edges.missingBin, upper: edges.upper }, y };
}

const boosting: GrowOptions = { minLeaf: 20, maxDepth: Infinity, maxLeaves: 31, lambda: 0, minGain: 0, featuresPerSplit: Infinity, order: 'best-first', leafScale: 0.1 };
const forest: GrowOptions = { minLeaf: 5, maxDepth: Infinity, maxLeaves: Infinity, lambda: 0, minGain: 0, featuresPerSplit: 2, order: 'depth-first', leafScale: 1 };

function growBoth(maxBins: number, options: GrowOptions, weighted: boolean) {
  const { matrix, y } = dataset(3000, 6, maxBins, 11);
  const weight = weighted ? Float64Array.from(y, (_, i) => 1 + (i % 3)) : null;
  const weightedTarget = Float64Array.from(y, (v, i) => (weight ? weight[i] : 1) * v);
  return [true, false].map((wasm) => {
    const indices = Int32Array.from({ length: matrix.rows }, (_, i) => i);
    const calls = histogramKernel.calls;
    const grown = new TreeGrower(matrix, { wasm }).grow({ indices, weight, weightedTarget, rng: createRng(5) }, options);
    // The WebAssembly grower really ran the kernel (its JS fallback would give the same bytes), the JS one never.
    assert.equal(histogramKernel.calls > calls, wasm, `histogram kernel calls: ${histogramKernel.calls - calls}`);
    return { grown, indices, codes: matrix.codes };
  });
}

describe('tree-engine WebAssembly histograms', () => {
  it('accumulates exactly what the JS loop does (u8 codes, unit weights)', () => {
    const { matrix, y } = dataset(500, 3, 255, 3);
    const nb3 = (matrix.missingBin + 1) * 3;
    const mem = createHistogramMemory(matrix.codes, matrix.rows, matrix.cols, nb3);
    assert.ok(mem, 'WebAssembly is available on Node');
    const ids = Int32Array.from({ length: 200 }, (_, i) => (i * 37) % matrix.rows);
    mem.indices.set(ids);
    ids.forEach((r, j) => (mem.weightedTarget[j] = y[r]));
    mem.scratch.fill(0);
    mem.accumulate(2, 10, 190, true, 0);
    const expected = new Float64Array(nb3);
    for (let j = 10; j < 190; j++) {
      const k = matrix.codes[2 * matrix.rows + ids[j]] * 3;
      expected[k] += 1;
      expected[k + 2] += y[ids[j]];
    }
    assert.deepEqual(Array.from(mem.scratch.subarray(0, nb3)), Array.from(expected));
  });

  for (const [name, maxBins] of [['u8 codes', 255], ['u16 codes', 1000]] as const) {
    for (const [kind, options] of [['boosting (histogram subtraction)', boosting], ['forest (per-split features)', forest]] as const) {
      for (const weighted of [false, true]) {
        it(`grows the same tree bytes as the JS loops: ${name}, ${kind}, ${weighted ? 'weighted' : 'unit weights'}`, () => {
          const [wasm, js] = growBoth(maxBins, options, weighted);
          assert.equal(wasm.codes instanceof Uint16Array, maxBins > 255);
          assert.ok(wasm.grown.tree.feature.length > 20, `a real tree: ${wasm.grown.tree.feature.length} nodes`);
          assert.deepEqual(wasm.grown.tree, js.grown.tree);
          assert.deepEqual(wasm.grown.leafRanges, js.grown.leafRanges);
          assert.deepEqual(wasm.indices, js.indices, 'the sample comes back partitioned by leaf');
        });
      }
    }
  }

  it('keeps the histogram kernel listing in step with its bytes', () => {
    assertKernelListing(histogramKernel, 'lib/tree-engine/src/wasm-histogram.wat');
  });
});
