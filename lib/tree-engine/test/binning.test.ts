import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng } from '../../../core/index.js';
import { binColumns, binOf, computeBinEdges } from '../index.js';

describe('tree-engine binning', () => {
  it('gives each distinct value its own bin when there are few', () => {
    const x = Float32Array.of(3, 1, 2, 1, 3, 2, 2);
    const edges = computeBinEdges(x, 7, 1, { maxBins: 255 });
    assert.deepEqual([...edges.upper[0]], [1.5, 2.5]);
    const codes = binColumns(x, 7, 1, edges);
    assert.deepEqual([...codes], [2, 0, 1, 0, 2, 1, 1]);
  });

  it('routes raw values and bin codes identically (x <= upper[b] ⇔ bin(x) <= b)', () => {
    const rng = createRng(3);
    const n = 5000;
    const x = Float32Array.from({ length: n }, () => rng.normal() * 100);
    const edges = computeBinEdges(x, n, 1, { maxBins: 31 });
    const upper = edges.upper[0];
    assert.equal(upper.length, 30);
    const codes = binColumns(x, n, 1, edges);
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < upper.length; b++) assert.equal(x[i] <= upper[b], codes[i] <= b);
    }
    // Equal-frequency: no bin holds more than twice its share.
    const counts = new Array(31).fill(0);
    for (const c of codes) counts[c]++;
    assert.ok(Math.max(...counts) < (2 * n) / 31, `bin counts ${counts}`);
  });

  it('sends NaN to the missing bin and uses 16-bit codes beyond 255 bins', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? NaN : i));
    const edges = computeBinEdges(x, 1000, 1, { maxBins: 1000 });
    assert.equal(edges.missingBin, 1000);
    const codes = binColumns(x, 1000, 1, edges);
    assert.ok(codes instanceof Uint16Array);
    assert.equal(codes[0], 1000);
    assert.equal(binOf(NaN, edges.upper[0], edges.missingBin), 1000);
    assert.equal(codes[1], 0);
    assert.equal(codes[999], 899);
  });
});
