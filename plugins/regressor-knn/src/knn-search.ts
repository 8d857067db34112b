/**
 * Exact k-nearest-neighbour search on a kd-tree: depth-first, nearer child first, a bounded max-heap
 * of the k best, and Arya–Mount incremental cell distances (one dimension updated per step) for
 * pruning. Neighbours are the k smallest by (squared Euclidean distance, point index): ties are
 * broken by index, so the result is unique and equals a brute-force search bit for bit.
 */
import { leafOf, type KdTree } from './kd-tree.js';

/** Relative slack on pruning so rounding in the incremental cell distance never drops a tie. */
const PRUNE_SLACK = 1 + 1e-12;

/** One query's neighbours, sorted by (distance, index) ascending. */
export interface NeighbourList {
  readonly count: number;
  /** Point indices (input order). */
  readonly index: Int32Array;
  /** Squared Euclidean distances. */
  readonly dist2: Float64Array;
}

/**
 * Searches one tree for many queries. Keeps its scratch arrays between queries, and seeds each
 * search with a bound from the previous query's neighbours: consecutive queries that are close in
 * feature space (same leaf, neighbouring pixels) then prune from the first node on.
 */
export class KnnSearcher implements NeighbourList {
  readonly k: number;
  count = 0;
  readonly index: Int32Array;
  readonly dist2: Float64Array;
  /** Tree positions of the heap entries (to re-measure them from the next query). */
  private readonly pos: Int32Array;
  private readonly prevPos: Int32Array;
  private prevCount = 0;
  private readonly off: Float64Array;
  private q: Float64Array;
  private cap = Infinity;

  constructor(private readonly tree: KdTree, k: number) {
    this.k = Math.min(k, tree.size);
    this.index = new Int32Array(this.k);
    this.dist2 = new Float64Array(this.k);
    this.pos = new Int32Array(this.k);
    this.prevPos = new Int32Array(this.k);
    this.off = new Float64Array(tree.dims);
    this.q = new Float64Array(tree.dims);
  }

  /** Forget the previous query (the next search starts without a bound). */
  reset(): void {
    this.prevCount = 0;
  }

  /** Find the k nearest points to `q` (standardised coordinates); the result is sorted. */
  search(q: Float64Array): NeighbourList {
    this.q = q;
    const dims = this.tree.dims;
    const points = this.tree.points;
    // Bound: the k previous neighbours are k points at most `cap` away, so the true k-th is too.
    let cap = Infinity;
    if (this.prevCount === this.k && this.k > 0) {
      cap = 0;
      for (let i = 0; i < this.k; i++) {
        const o = this.prevPos[i] * dims;
        let s = 0;
        for (let j = 0; j < dims; j++) {
          const t = q[j] - points[o + j];
          s += t * t;
        }
        if (s > cap) cap = s;
      }
    }
    this.cap = cap;
    this.count = 0;
    this.off.fill(0);
    if (this.k > 0) this.visit(0, 0);
    this.sortHeap();
    for (let i = 0; i < this.count; i++) this.prevPos[i] = this.pos[i];
    this.prevCount = this.count;
    return this;
  }

  private visit(node: number, rd: number): void {
    const tree = this.tree;
    const dim = tree.splitDim[node];
    if (dim < 0) {
      this.scanLeaf(tree.start[node], tree.end[node]);
      return;
    }
    const diff = this.q[dim] - tree.splitValue[node];
    const l = tree.left[node];
    const near = diff <= 0 ? l : l + 1;
    const far = diff <= 0 ? l + 1 : l;
    this.visit(near, rd);
    const old = this.off[dim];
    const rdFar = rd - old * old + diff * diff;
    const worst = this.count < this.k ? this.cap : this.dist2[0];
    if (rdFar <= worst * PRUNE_SLACK) {
      this.off[dim] = diff;
      this.visit(far, rdFar);
      this.off[dim] = old;
    }
  }

  private scanLeaf(s: number, e: number): void {
    const { points, order, dims } = this.tree;
    const q = this.q;
    const k = this.k;
    const heapD = this.dist2;
    const heapI = this.index;
    for (let p = s; p < e; p++) {
      const worst = this.count < k ? this.cap : heapD[0];
      const o = p * dims;
      let d2 = 0;
      let j = 0;
      for (; j < dims; j++) {
        const t = q[j] - points[o + j];
        d2 += t * t;
        if (d2 > worst) break;
      }
      if (j < dims) continue;
      const idx = order[p];
      if (this.count < k) {
        this.push(d2, idx, p);
      } else if (d2 < heapD[0] || (d2 === heapD[0] && idx < heapI[0])) {
        this.replaceTop(d2, idx, p);
      }
    }
  }

  /** Max-heap on (dist2, index). */
  private push(d2: number, idx: number, p: number): void {
    let i = this.count++;
    const D = this.dist2;
    const I = this.index;
    const P = this.pos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (D[parent] > d2 || (D[parent] === d2 && I[parent] > idx)) break;
      D[i] = D[parent];
      I[i] = I[parent];
      P[i] = P[parent];
      i = parent;
    }
    D[i] = d2;
    I[i] = idx;
    P[i] = p;
  }

  private replaceTop(d2: number, idx: number, p: number): void {
    const n = this.count;
    const D = this.dist2;
    const I = this.index;
    const P = this.pos;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      const r = l + 1;
      if (r < n && (D[r] > D[l] || (D[r] === D[l] && I[r] > I[l]))) c = r;
      if (D[c] < d2 || (D[c] === d2 && I[c] < idx)) break;
      D[i] = D[c];
      I[i] = I[c];
      P[i] = P[c];
      i = c;
    }
    D[i] = d2;
    I[i] = idx;
    P[i] = p;
  }

  /** Insertion sort of the (small) heap into ascending (dist2, index). */
  private sortHeap(): void {
    const D = this.dist2;
    const I = this.index;
    const P = this.pos;
    for (let i = 1; i < this.count; i++) {
      const d = D[i];
      const x = I[i];
      const p = P[i];
      let j = i - 1;
      while (j >= 0 && (D[j] > d || (D[j] === d && I[j] > x))) {
        D[j + 1] = D[j];
        I[j + 1] = I[j];
        P[j + 1] = P[j];
        j--;
      }
      D[j + 1] = d;
      I[j + 1] = x;
      P[j + 1] = p;
    }
  }
}

/** Per-feature affine map to the standardised space the tree was built in: `(x - center) / scale`. */
export interface Scaling {
  readonly center: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Visit the neighbours of every row of `x` (raw features, `rows × dims`), in an order that keeps
 * consecutive queries close in feature space (grouped by the leaf each falls in), calling
 * `each(row, neighbours)`; rows with a missing feature get `each(row, undefined)`.
 */
export function forEachNeighbours(
  tree: KdTree,
  scaling: Scaling,
  x: Float32Array | Float64Array,
  rows: number,
  k: number,
  each: (row: number, n: NeighbourList | undefined) => void,
): void {
  const dims = tree.dims;
  const qs = new Float64Array(rows * dims);
  const leaf = new Int32Array(rows);
  const q = new Float64Array(dims);
  const { center, scale } = scaling;
  let maxLeaf = 0;
  for (let r = 0; r < rows; r++) {
    let ok = true;
    for (let j = 0; j < dims; j++) {
      const v = (x[r * dims + j] - center[j]) / scale[j];
      if (Number.isNaN(v)) ok = false;
      qs[r * dims + j] = v;
    }
    if (!ok) {
      leaf[r] = -1;
      continue;
    }
    const l = leafOf(tree, qs.subarray(r * dims, r * dims + dims));
    leaf[r] = l;
    if (l > maxLeaf) maxLeaf = l;
  }
  // counting sort of rows by leaf (stable)
  // (bucket b = leaf + 1 so that missing rows, leaf -1, come first)
  const fill = new Int32Array(maxLeaf + 3);
  for (let r = 0; r < rows; r++) fill[leaf[r] + 2]++;
  for (let i = 1; i < fill.length; i++) fill[i] += fill[i - 1];
  const sorted = new Int32Array(rows);
  for (let r = 0; r < rows; r++) sorted[fill[leaf[r] + 1]++] = r;
  const searcher = new KnnSearcher(tree, k);
  for (let i = 0; i < rows; i++) {
    const r = sorted[i];
    if (leaf[r] < 0) {
      each(r, undefined);
      continue;
    }
    for (let j = 0; j < dims; j++) q[j] = qs[r * dims + j];
    each(r, searcher.search(q));
  }
}
