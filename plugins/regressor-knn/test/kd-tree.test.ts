import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng } from '../../../core/index.js';
import { buildKdTree, buildSearchTree } from '../src/kd-tree.js';
import { forEachNeighbours, KnnSearcher } from '../src/knn-search.js';

/** Brute force: the k smallest (squared distance, index) pairs, distances summed in dimension order as the tree does. */
function bruteForce(points: Float64Array, n: number, dims: number, q: ArrayLike<number>, k: number): { index: number[]; dist2: number[] } {
  const all: Array<[number, number]> = [];
  for (let p = 0; p < n; p++) {
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const t = q[j] - points[p * dims + j];
      s += t * t;
    }
    all.push([s, p]);
  }
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const top = all.slice(0, k);
  return { index: top.map((e) => e[1]), dist2: top.map((e) => e[0]) };
}

function randomPoints(n: number, dims: number, seed: number, integer = false): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * dims }, () => (integer ? rng.int(4) : rng.normal()));
}

describe('kd-tree k-nearest-neighbour search', () => {
  it('puts every point in exactly one leaf, leaves within the size bound, children splitting at the value', () => {
    const dims = 3;
    const pts = randomPoints(1000, dims, 1);
    const tree = buildKdTree(pts, 1000, dims, 7);
    const seen = new Int32Array(1000);
    for (let node = 0; node < tree.splitDim.length; node++) {
      if (tree.splitDim[node] < 0) {
        assert.ok(tree.end[node] - tree.start[node] <= 7);
        for (let p = tree.start[node]; p < tree.end[node]; p++) seen[tree.order[p]]++;
        continue;
      }
      const d = tree.splitDim[node];
      const l = tree.left[node];
      for (let p = tree.start[l]; p < tree.end[l]; p++) assert.ok(tree.points[p * dims + d] <= tree.splitValue[node]);
      for (let p = tree.start[l + 1]; p < tree.end[l + 1]; p++) assert.ok(tree.points[p * dims + d] >= tree.splitValue[node]);
    }
    assert.deepEqual([...seen], new Array(1000).fill(1));
  });

  for (const [name, integer, dims, leaf, build] of [
    ['continuous 5-D points', false, 5, 8, buildKdTree],
    ['integer points full of duplicates and distance ties', true, 3, 4, buildKdTree],
    ['integer points, leaf size 1', true, 4, 1, buildKdTree],
    ['correlated 6-D points, tree on principal axes', false, 6, 8, buildSearchTree],
    ['integer points with ties, tree on principal axes', true, 4, 3, buildSearchTree],
  ] as const) {
    it(`returns exactly the brute-force neighbours, ties broken by index: ${name}`, () => {
      const n = 600;
      const pts = randomPoints(n, dims, 2);
      if (integer) for (let i = 0; i < pts.length; i++) pts[i] = Math.round(pts[i]);
      // correlate the coordinates (as NDVI and EVI are) so the principal axes are not the feature axes
      if (build === buildSearchTree && !integer) for (let r = 0; r < n; r++) for (let j = 1; j < dims; j++) pts[r * dims + j] += 0.8 * pts[r * dims + j - 1];
      const tree = build(pts, n, dims, leaf);
      const rng = createRng(3);
      for (const k of [1, 4, 17]) {
        const searcher = new KnnSearcher(tree, k);
        for (let t = 0; t < 150; t++) {
          // half the queries sit on training points (distance 0), half anywhere
          const at = rng.int(n);
          const q = t % 2 === 0 ? pts.slice(at * dims, at * dims + dims) : Float64Array.from({ length: dims }, () => (integer ? Math.round(rng.normal() * 2) : rng.normal() * 1.5));
          const want = bruteForce(pts, n, dims, q, k);
          const got = searcher.search(q);
          assert.deepEqual([...got.index.subarray(0, got.count)], want.index, `k=${k} query ${t}`);
          assert.deepEqual([...got.dist2.subarray(0, got.count)], want.dist2);
        }
      }
    });
  }

  it('gives the same neighbours whatever the query order (the bound from the previous query is safe)', () => {
    const dims = 4;
    const n = 800;
    const pts = randomPoints(n, dims, 4, true);
    const tree = buildSearchTree(pts, n, dims, 6);
    const rows = 300;
    const x = Float32Array.from({ length: rows * dims }, (_, i) => Math.round(Math.sin(i * 0.37) * 2));
    const scaling = { center: new Float64Array(dims), scale: new Float64Array(dims).fill(1) };
    const got: string[] = new Array(rows);
    forEachNeighbours(tree, scaling, x, rows, 9, (r, nb) => (got[r] = [...nb!.index.subarray(0, nb!.count)].join(',')));
    for (let r = 0; r < rows; r++) {
      const want = bruteForce(pts, n, dims, x.subarray(r * dims, r * dims + dims), 9);
      assert.equal(got[r], want.index.join(','), `row ${r}`);
    }
  });

  it('finds principal axes: unit rows, largest variance first', () => {
    const n = 2000;
    const rng = createRng(8);
    const pts = new Float64Array(n * 2);
    for (let r = 0; r < n; r++) {
      const a = rng.normal() * 3;
      const b = rng.normal() * 0.5;
      pts[r * 2] = (a - b) / Math.SQRT2;
      pts[r * 2 + 1] = (a + b) / Math.SQRT2;
    }
    const R = buildSearchTree(pts, n, 2, 8).rotation!;
    assert.ok(Math.abs(Math.abs(R[0]) - Math.SQRT1_2) < 0.02 && Math.abs(Math.abs(R[1]) - Math.SQRT1_2) < 0.02);
    assert.ok(Math.sign(R[0]) === Math.sign(R[1]), 'first axis is the diagonal');
    assert.ok(Math.abs(R[0] * R[0] + R[1] * R[1] - 1) < 1e-12 && Math.abs(R[0] * R[2] + R[1] * R[3]) < 1e-12);
  });

  it('reports missing query rows and caps k at the number of points', () => {
    const tree = buildKdTree(Float64Array.of(0, 1, 2), 3, 1, 2);
    const x = Float32Array.of(Number.NaN, 1.2);
    const seen: Array<string | undefined> = [];
    forEachNeighbours(tree, { center: Float64Array.of(0), scale: Float64Array.of(1) }, x, 2, 5, (r, nb) => (seen[r] = nb ? [...nb.index.subarray(0, nb.count)].join(',') : undefined));
    assert.equal(seen[0], undefined);
    assert.equal(seen[1], '1,2,0');
  });
});
