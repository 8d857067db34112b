/**
 * Exact k-nearest-neighbour search on a kd-tree: depth-first, nearer child first, a bounded max-heap
 * of the k best; subtrees pruned by Arya–Mount incremental cell distances (one dimension updated per
 * step) and by their points' bounding boxes; leaf points pre-filtered on float32 tree coordinates.
 * Pruning and filtering only ever err on the side of looking (slack, widened radius); the deciding
 * distances are float64 in standardised feature space. Neighbours are the k smallest by (squared
 * Euclidean distance, point index): ties go to the lower index, so the result is unique and equals a
 * brute-force search bit for bit.
 */
import { leafOf, type KdTree } from './kd-tree.js';
import { rotate } from './principal-axes.js';

/**
 * Slack on pruning and pre-filtering: rounding in the incremental cell distance and in rotated
 * coordinates (a few ulps of |q|²) must never drop a point that ties the k-th neighbour.
 */
const PRUNE_SLACK = 1 + 1e-9;
const PRUNE_ABS = 1e-9;

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
  /** The query in tree coordinates (rotated when the tree is). */
  private readonly w: Float64Array;
  /** The query in the coordinates distances are measured in. */
  private q: Float64Array;
  private cap = Infinity;
  private readonly exact: Float64Array;

  constructor(private readonly tree: KdTree, k: number) {
    this.k = Math.min(k, tree.size);
    this.index = new Int32Array(this.k);
    this.dist2 = new Float64Array(this.k);
    this.pos = new Int32Array(this.k);
    this.prevPos = new Int32Array(this.k);
    this.off = new Float64Array(tree.dims);
    this.q = new Float64Array(tree.dims);
    this.w = new Float64Array(tree.dims);
    this.exact = tree.exact ?? tree.points;
  }

  /** `z` (standardised) in the tree's coordinates. */
  toTreeSpace(z: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
    const dims = this.tree.dims;
    if (this.tree.rotation) rotate(this.tree.rotation, dims, z, offset, out, 0);
    else for (let j = 0; j < dims; j++) out[j] = z[offset + j];
    return out;
  }

  /** Forget the previous query (the next search starts without a bound). */
  reset(): void {
    this.prevCount = 0;
  }

  /** Find the k nearest points to `q` (standardised coordinates); the result is sorted. */
  search(q: Float64Array): NeighbourList {
    this.q = q;
    this.toTreeSpace(q, 0, this.w);
    const dims = this.tree.dims;
    const points = this.exact;
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
    // a subtree whose points' bounding box lies beyond the k-th distance holds no neighbour
    // (the box is tighter than the cell: the query may sit inside a cell whose points are far off)
    let worst = this.count < this.k ? this.cap : this.dist2[0];
    if (worst !== Infinity && this.boxDistance(node, worst * PRUNE_SLACK + PRUNE_ABS) > worst * PRUNE_SLACK + PRUNE_ABS) return;
    const dim = tree.splitDim[node];
    if (dim < 0) {
      this.scanLeaf(tree.start[node], tree.end[node]);
      return;
    }
    const diff = this.w[dim] - tree.splitValue[node];
    const l = tree.left[node];
    const near = diff <= 0 ? l : l + 1;
    const far = diff <= 0 ? l + 1 : l;
    this.visit(near, rd);
    const old = this.off[dim];
    const rdFar = rd - old * old + diff * diff;
    worst = this.count < this.k ? this.cap : this.dist2[0];
    if (rdFar <= worst * PRUNE_SLACK + PRUNE_ABS) {
      this.off[dim] = diff;
      this.visit(far, rdFar);
      this.off[dim] = old;
    }
  }

  /** Squared distance from the query to a node's bounding box (stops once past `bound`). */
  private boxDistance(node: number, bound: number): number {
    const { lo, hi, dims } = this.tree;
    const w = this.w;
    const o = node * dims;
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const v = w[j];
      const l = lo[o + j];
      const h = hi[o + j];
      const t = v < l ? l - v : v > h ? v - h : 0;
      s += t * t;
      if (s > bound) return s;
    }
    return s;
  }

  private scanLeaf(s: number, e: number): void {
    const { order, dims } = this.tree;
    const filter = this.tree.filter ?? this.tree.points;
    const widen = this.tree.filterError ?? 0;
    const exact = this.exact;
    const separate = exact !== filter;
    const w = this.w;
    const q = this.q;
    const k = this.k;
    const heapD = this.dist2;
    const heapI = this.index;
    let worst = -1;
    let bound = 0;
    for (let p = s; p < e; p++) {
      const now = this.count < k ? this.cap : heapD[0];
      if (now !== worst) {
        worst = now;
        const r = Math.sqrt(worst) + widen;
        bound = r * r * PRUNE_SLACK + PRUNE_ABS;
      }
      const o = p * dims;
      // pre-filter in tree coordinates, largest-variance axes first so most points stop early
      let d2 = 0;
      let j = 0;
      for (; j < dims; j++) {
        const t = w[j] - filter[o + j];
        d2 += t * t;
        if (d2 > bound) break;
      }
      if (j < dims) continue;
      if (separate) {
        d2 = 0;
        for (let i = 0; i < dims; i++) {
          const t = q[i] - exact[o + i];
          d2 += t * t;
        }
      }
      const idx = order[p];
      if (this.count < k) {
        if (d2 <= this.cap) this.push(d2, idx, p);
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
  const searcher = new KnnSearcher(tree, k);
  const w = new Float64Array(dims);
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
    const l = leafOf(tree, searcher.toTreeSpace(qs, r * dims, w));
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
