/**
 * `npm run bench knn -- --search-work`: where the exact k-NN search's work goes on the benchmark grid,
 * and how little of it any exact search on the same kd-tree could avoid (docs/performance.md, KNN).
 *
 * Per query, on a sample of grid rows: nodes entered, leaves and points scanned by our search, started
 * cold and started with the true k-th distance as its bound (an oracle: no seeding can do better); the
 * leaves whose bounding box meets the query's final k-NN ball (every exact search on this tree must scan
 * them); and for blocks of queries sharing a home leaf (the dual-tree / leaf-block schemes), the leaves
 * within the block's largest k-th distance of the block's bounding box, which each query of the block
 * would have to test.
 */
import { fitFeatureScaling, standardiseFeatures, type Table } from '../core/index.js';
import { buildSearchTree, leafOf, type KdTree } from '../plugins/regressor-knn/src/kd-tree.js';
import { KnnSearcher } from '../plugins/regressor-knn/src/knn-search.js';

/** Counts calls of the searcher's recursive visit and leaf scan while `f` runs (bench-only instrumentation). */
function counting<T>(f: () => T): { value: T; nodes: number; leaves: number; points: number } {
  const proto = KnnSearcher.prototype as unknown as { visit: (n: number, rd: number) => void; scanLeaf: (s: number, e: number) => void };
  const visit = proto.visit;
  const scanLeaf = proto.scanLeaf;
  const c = { nodes: 0, leaves: 0, points: 0 };
  proto.visit = function (this: unknown, n: number, rd: number) {
    c.nodes++;
    return visit.call(this, n, rd);
  };
  proto.scanLeaf = function (this: unknown, s: number, e: number) {
    c.leaves++;
    c.points += e - s;
    return scanLeaf.call(this, s, e);
  };
  try {
    return { value: f(), ...c };
  } finally {
    proto.visit = visit;
    proto.scanLeaf = scanLeaf;
  }
}

/** Squared distance between the boxes [aLo, aHi] and leaf `n`'s bounding box (tree coordinates). */
function boxGap2(tree: KdTree, n: number, aLo: ArrayLike<number>, aHi: ArrayLike<number>): number {
  const d = tree.dims;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const lo = tree.lo[n * d + j];
    const hi = tree.hi[n * d + j];
    const t = hi < aLo[j] ? aLo[j] - hi : lo > aHi[j] ? lo - aHi[j] : 0;
    s += t * t;
  }
  return s;
}

export interface SearchWork {
  readonly queries: number;
  readonly cold: { nodes: number; leaves: number; points: number };
  readonly oracle: { nodes: number; leaves: number; points: number };
  /** Leaves (and their points) whose box meets the final k-NN ball: the minimum for this tree. */
  readonly needed: { leaves: number; points: number };
  /** Leaves each query of a home-leaf block would test, for blocks of at most `size` queries. */
  readonly blocks: readonly { size: number; leaves: number }[];
  readonly leaves: number;
}

/** Measures the search work on `rows` consecutive grid rows from `first` (a raster strip, in raster order). */
export function measureSearchWork(fit: Table, grid: Table, k: number, leafSize: number, first: number, rows: number): SearchWork {
  const dims = fit.columns.length;
  const scaling = fitFeatureScaling(fit.x, fit.rows, dims, true);
  const tree = buildSearchTree(standardiseFeatures(fit.x, fit.rows, dims, scaling), fit.rows, dims, leafSize);
  const searcher = new KnnSearcher(tree, k);
  const leafIds: number[] = [];
  for (let n = 0; n < tree.splitDim.length; n++) if (tree.splitDim[n] < 0) leafIds.push(n);
  const q = new Float64Array(dims);
  const w = new Float64Array(rows * dims);
  const r2 = new Float64Array(rows);
  const home = new Int32Array(rows);
  const sum = { cold: { nodes: 0, leaves: 0, points: 0 }, oracle: { nodes: 0, leaves: 0, points: 0 }, needed: { leaves: 0, points: 0 } };
  const add = (to: { nodes: number; leaves: number; points: number }, c: { nodes: number; leaves: number; points: number }) => {
    to.nodes += c.nodes;
    to.leaves += c.leaves;
    to.points += c.points;
  };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dims; j++) q[j] = (grid.x[(first + i) * dims + j] - scaling.center[j]) / scaling.scale[j];
    searcher.reset();
    const cold = counting(() => searcher.search(q));
    r2[i] = cold.value.dist2[cold.value.count - 1];
    add(sum.cold, cold);
    add(sum.oracle, counting(() => searcher.search(q))); // seeded with its own neighbours: bound = the true k-th distance
    const wi = searcher.toTreeSpace(q, 0, new Float64Array(dims));
    w.set(wi, i * dims);
    home[i] = leafOf(tree, wi);
    for (const n of leafIds) {
      if (boxGap2(tree, n, wi, wi) <= r2[i]) {
        sum.needed.leaves++;
        sum.needed.points += tree.end[n] - tree.start[n];
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows; i++) {
    const g = groups.get(home[i]);
    if (g) g.push(i);
    else groups.set(home[i], [i]);
  }
  const blocks = [8, Infinity].map((size) => {
    let tested = 0;
    for (const g of groups.values()) {
      for (let s = 0; s < g.length; s += size === Infinity ? g.length : size) {
        const block = g.slice(s, s + (size === Infinity ? g.length : size));
        const lo = new Float64Array(dims).fill(Infinity);
        const hi = new Float64Array(dims).fill(-Infinity);
        let R2 = 0;
        for (const i of block) {
          R2 = Math.max(R2, r2[i]);
          for (let j = 0; j < dims; j++) {
            lo[j] = Math.min(lo[j], w[i * dims + j]);
            hi[j] = Math.max(hi[j], w[i * dims + j]);
          }
        }
        let c = 0;
        for (const n of leafIds) if (boxGap2(tree, n, lo, hi) <= R2) c++;
        tested += c * block.length;
      }
    }
    return { size, leaves: tested / rows };
  });
  const per = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([key, v]) => [key, v / rows]));
  return {
    queries: rows,
    cold: per(sum.cold) as SearchWork['cold'],
    oracle: per(sum.oracle) as SearchWork['oracle'],
    needed: per(sum.needed) as SearchWork['needed'],
    blocks,
    leaves: leafIds.length,
  };
}

/** The measurement as printed lines. */
export function describeSearchWork(s: SearchWork): string {
  const f = (v: number) => v.toFixed(0);
  return [
    `search work per query (${s.queries} consecutive grid rows, tree of ${s.leaves} leaves):`,
    `  our search, cold:                          ${f(s.cold.nodes)} nodes, ${f(s.cold.leaves)} leaves, ${f(s.cold.points)} points`,
    `  bound = the true k-th distance from start: ${f(s.oracle.nodes)} nodes, ${f(s.oracle.leaves)} leaves, ${f(s.oracle.points)} points`,
    `  leaves whose box meets the k-NN ball:      ${f(s.needed.leaves)} leaves, ${f(s.needed.points)} points (any exact search on this tree)`,
    ...s.blocks.map((b) => `  home-leaf blocks of ${b.size === Infinity ? 'all' : `≤ ${b.size}`} queries: each tests ${f(b.leaves)} leaves (within the block's largest k-th distance of its box)`),
  ].join('\n');
}
