import { principalAxes, rotate } from './principal-axes.js';

/**
 * A kd-tree over points stored in typed arrays: nodes are parallel arrays (split dimension, split
 * value, point range, children), points are copied into tree order so a leaf is one contiguous run.
 * Arrays live in `SharedArrayBuffer`s so worker threads search the same tree without copying it.
 */

/** The flat arrays of a kd-tree; plain data, so it crosses `postMessage` (shared, not copied). */
export interface KdTree {
  readonly dims: number;
  /** Number of points. */
  readonly size: number;
  /** Points in tree order, `size × dims`, row-major. */
  readonly points: Float64Array;
  /** Tree position → index of the point in the input. */
  readonly order: Int32Array;
  /** Per node: split dimension, or -1 for a leaf. */
  readonly splitDim: Int32Array;
  /** Per node: points of the left child have `≤ splitValue` in `splitDim`, those of the right `≥`. */
  readonly splitValue: Float64Array;
  /** Per node: first tree position and one past the last. */
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Per node: child node ids (right = left + 1: children are allocated in pairs). */
  readonly left: Int32Array;
  /**
   * When the tree is built in rotated coordinates (`points = R · z`): the rotation `R` (`dims × dims`)
   * and the original coordinates in tree order. Distances that decide neighbours are measured on
   * `exact`; the rotated `points` only prune and pre-filter.
   */
  readonly rotation?: Float64Array;
  readonly exact?: Float64Array;
  /**
   * `points` rounded to float32 for the pre-filter (half the memory traffic), and a bound on how far
   * a rounded point lies from the true one (Euclidean), so the filter can widen its radius by it.
   */
  readonly filter?: Float32Array;
  readonly filterError?: number;
  /** Per node: bounding box of its points in tree coordinates, `nodes × dims` each (tighter than the cell). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/** Typed arrays on shared memory (falls back to ordinary memory where SharedArrayBuffer is absent). */
function sharedFloat64(n: number): Float64Array {
  return typeof SharedArrayBuffer === 'function' ? new Float64Array(new SharedArrayBuffer(Math.max(8, n * 8)), 0, n) : new Float64Array(n);
}
function sharedInt32(n: number): Int32Array {
  return typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n) : new Int32Array(n);
}

/**
 * Build a kd-tree over `size` points of `dims` coordinates (`data`, row-major). Each node splits its
 * points at the median of the dimension of widest spread (as scikit-learn's KDTree) until at most
 * `leafSize` points remain. Deterministic: the same points give the same tree.
 *
 * @example
 * ```ts
 * const tree = buildKdTree(Float64Array.of(0, 0, 1, 1, 2, 2), 3, 2, 1);
 * tree.splitDim[0]; // 0 or 1: the root splits one of the two equally wide dimensions
 * ```
 */
export function buildKdTree(data: Float64Array, size: number, dims: number, leafSize = 16): KdTree {
  const leaf = Math.max(1, Math.floor(leafSize));
  const maxNodes = size <= leaf ? 1 : 2 * Math.ceil(size / Math.max(1, Math.floor(leaf / 2))) + 1;
  const splitDim = new Int32Array(maxNodes);
  const splitValue = new Float64Array(maxNodes);
  const start = new Int32Array(maxNodes);
  const end = new Int32Array(maxNodes);
  const left = new Int32Array(maxNodes);
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;

  let nodes = 1;
  start[0] = 0;
  end[0] = size;
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const s = start[node];
    const e = end[node];
    if (e - s <= leaf) {
      splitDim[node] = -1;
      continue;
    }
    const dim = widestDimension(data, dims, order, s, e);
    const mid = (s + e) >>> 1;
    selectNth(data, dims, dim, order, s, e - 1, mid);
    splitDim[node] = dim;
    splitValue[node] = data[order[mid] * dims + dim];
    const l = nodes;
    nodes += 2;
    left[node] = l;
    start[l] = s;
    end[l] = mid;
    start[l + 1] = mid;
    end[l + 1] = e;
    stack.push(l + 1, l);
  }

  const points = sharedFloat64(size * dims);
  for (let p = 0; p < size; p++) {
    const src = order[p] * dims;
    for (let j = 0; j < dims; j++) points[p * dims + j] = data[src + j];
  }
  const copyI = (a: Int32Array): Int32Array => {
    const out = sharedInt32(nodes);
    out.set(a.subarray(0, nodes));
    return out;
  };
  // bounding boxes, children before parents (children always have larger ids)
  const lo = sharedFloat64(nodes * dims);
  const hi = sharedFloat64(nodes * dims);
  for (let node = nodes - 1; node >= 0; node--) {
    const o = node * dims;
    if (splitDim[node] < 0) {
      for (let j = 0; j < dims; j++) {
        lo[o + j] = Infinity;
        hi[o + j] = -Infinity;
      }
      for (let p = start[node]; p < end[node]; p++) {
        for (let j = 0; j < dims; j++) {
          const v = points[p * dims + j];
          if (v < lo[o + j]) lo[o + j] = v;
          if (v > hi[o + j]) hi[o + j] = v;
        }
      }
    } else {
      const a = left[node] * dims;
      const b = a + dims;
      for (let j = 0; j < dims; j++) {
        lo[o + j] = Math.min(lo[a + j], lo[b + j]);
        hi[o + j] = Math.max(hi[a + j], hi[b + j]);
      }
    }
  }
  const splitValueShared = sharedFloat64(nodes);
  splitValueShared.set(splitValue.subarray(0, nodes));
  const orderShared = sharedInt32(size);
  orderShared.set(order);
  return {
    dims,
    size,
    points,
    order: orderShared,
    splitDim: copyI(splitDim),
    splitValue: splitValueShared,
    start: copyI(start),
    end: copyI(end),
    left: copyI(left),
    lo,
    hi,
  };
}

/**
 * The tree the KNN regressor searches: built along the principal axes of `z` (see
 * `principalAxes`), keeping `z` itself for the distances, so neighbours are those of `z` exactly.
 */
export function buildSearchTree(z: Float64Array, size: number, dims: number, leafSize = 16): KdTree {
  const rotation = principalAxes(z, size, dims);
  const w = new Float64Array(size * dims);
  for (let r = 0; r < size; r++) rotate(rotation, dims, z, r * dims, w, r * dims);
  const tree = buildKdTree(w, size, dims, leafSize);
  const exact = sharedFloat64(size * dims);
  for (let p = 0; p < size; p++) {
    const src = tree.order[p] * dims;
    for (let j = 0; j < dims; j++) exact[p * dims + j] = z[src + j];
  }
  const rot = sharedFloat64(dims * dims);
  rot.set(rotation);
  const filter = typeof SharedArrayBuffer === 'function' ? new Float32Array(new SharedArrayBuffer(Math.max(4, size * dims * 4)), 0, size * dims) : new Float32Array(size * dims);
  filter.set(tree.points);
  let maxErr = 0;
  for (let i = 0; i < filter.length; i++) maxErr = Math.max(maxErr, Math.abs(filter[i] - tree.points[i]));
  // |d(q, p32) − d(q, p)| ≤ |p32 − p| ≤ √dims · max coordinate error (triangle inequality); doubled for safety
  return { ...tree, rotation: rot, exact, filter, filterError: 2 * Math.sqrt(dims) * maxErr + 1e-12 };
}

function widestDimension(data: Float64Array, dims: number, order: Int32Array, s: number, e: number): number {
  let best = 0;
  let bestSpread = -1;
  for (let j = 0; j < dims; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = s; i < e; i++) {
      const v = data[order[i] * dims + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > bestSpread) {
      bestSpread = hi - lo;
      best = j;
    }
  }
  return best;
}

/** Partial sort of `order[lo..hi]` by coordinate `dim` so that position `nth` holds its order statistic. */
function selectNth(data: Float64Array, dims: number, dim: number, order: Int32Array, lo: number, hi: number, nth: number): void {
  const key = (i: number) => data[order[i] * dims + dim];
  while (hi > lo) {
    // median of three as pivot: deterministic and robust to sorted input
    const m = (lo + hi) >>> 1;
    if (key(m) < key(lo)) swap(order, m, lo);
    if (key(hi) < key(lo)) swap(order, hi, lo);
    if (key(hi) < key(m)) swap(order, hi, m);
    const pivot = key(m);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        swap(order, i, j);
        i++;
        j--;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** The leaf a point descends to (used to order queries so neighbouring queries share neighbours). */
export function leafOf(tree: KdTree, q: Float64Array): number {
  let node = 0;
  const { splitDim, splitValue, left } = tree;
  for (;;) {
    const d = splitDim[node];
    if (d < 0) return node;
    node = q[d] <= splitValue[node] ? left[node] : left[node] + 1;
  }
}
