import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { binColumns, computeBinEdges, predictRaw, TreeGrower, type GrowOptions } from '../index.js';

const single: GrowOptions = { minLeaf: 1, maxDepth: Infinity, maxLeaves: Infinity, lambda: 0, minGain: 0, featuresPerSplit: Infinity, order: 'depth-first', leafScale: 1 };

function grow(x: Float32Array, y: Float32Array, cols: number, options: Partial<GrowOptions> = {}) {
  const rows = y.length;
  const edges = computeBinEdges(x, rows, cols, { maxBins: 255 });
  const codes = binColumns(x, rows, cols, edges);
  const grower = new TreeGrower({ codes, rows, cols, missingBin: edges.missingBin, upper: edges.upper });
  const indices = Int32Array.from({ length: rows }, (_, i) => i);
  return grower.grow({ indices, weight: null, weightedTarget: Float64Array.from(y) }, { ...single, ...options });
}

describe('tree-engine grower', () => {
  it('recovers a two-level step function exactly with one split per step', () => {
    const rows = 400;
    const x = Float32Array.from({ length: rows }, (_, i) => i / rows);
    const y = x.map((v) => (v < 0.25 ? 1 : v < 0.6 ? -2 : 7));
    const { tree, gainByFeature } = grow(x, y, 1);
    assert.equal(tree.feature.filter((f) => f >= 0).length, 2, 'two splits');
    for (let i = 0; i < rows; i++) assert.equal(predictRaw(tree, x, i), y[i]);
    // The gain of the splits is the total sum of squares of y.
    const mean = y.reduce((a, b) => a + b, 0) / rows;
    const sst = y.reduce((a, b) => a + (b - mean) ** 2, 0);
    assert.ok(Math.abs(gainByFeature[0] - sst) < 1e-6 * sst);
  });

  it('respects minLeaf, maxDepth and maxLeaves', () => {
    const rows = 256;
    const x = Float32Array.from({ length: rows }, (_, i) => i);
    const y = Float32Array.from(x);
    const leafSizes = (t: ReturnType<typeof grow>) => {
      const sizes: number[] = [];
      for (let k = 0; k < t.leafRanges.length; k += 3) sizes.push(t.leafRanges[k + 2] - t.leafRanges[k + 1]);
      return sizes;
    };
    assert.ok(leafSizes(grow(x, y, 1, { minLeaf: 10 })).every((s) => s >= 10));
    assert.equal(leafSizes(grow(x, y, 1, { maxDepth: 3 })).length, 8);
    assert.equal(leafSizes(grow(x, y, 1, { maxLeaves: 5, order: 'best-first' })).length, 5);
    assert.equal(leafSizes(grow(x, y, 1, { maxLeaves: 5, order: 'breadth-first' })).length, 5);
  });

  it('learns where missing values go', () => {
    // y depends on whether x is missing: missing rows look like the high group.
    const rows = 300;
    const x = Float32Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? NaN : i % 3 === 1 ? 0.2 : 0.8));
    const y = Float32Array.from(x, (v) => (v !== v || v > 0.5 ? 10 : 0));
    const { tree } = grow(x, y, 1);
    for (let i = 0; i < rows; i++) assert.equal(predictRaw(tree, x, i), y[i]);
    assert.equal(predictRaw(tree, [NaN], 0), 10);
  });
});
