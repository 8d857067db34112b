/**
 * One regression tree as flat typed arrays (no node objects). Node 0 is the root; the children of
 * internal node `i` are `left[i]` and `left[i] + 1`. A row goes left when its value is
 * `<= threshold[i]` (equivalently its bin code `<= bin[i]`); a missing value goes left when
 * `missingLeft[i]` is 1.
 */
export interface TreeArrays {
  /** Split feature, or -1 for a leaf. */
  readonly feature: Int32Array;
  /** Upper bin code of the left child (training-time routing on bin codes). */
  readonly bin: Uint16Array;
  /** Split threshold on raw feature values (float32; `+Infinity` sends every finite value left). */
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly missingLeft: Uint8Array;
  /** Leaf output (internal nodes hold their mean too, useful for inspection). */
  readonly value: Float32Array;
}

/** Number of nodes of a tree. */
export function nodeCount(tree: TreeArrays): number {
  return tree.feature.length;
}

/** Leaf value for row `r` of column-major bin codes (`codes[f * rows + r]`). */
export function predictBinned(tree: TreeArrays, codes: Uint8Array | Uint16Array, rows: number, r: number, missingBin: number): number {
  const { feature, bin, left, missingLeft, value } = tree;
  let n = 0;
  let f = feature[0];
  while (f >= 0) {
    const c = codes[f * rows + r];
    const l = left[n];
    // `+(c > bin)` compiles to a flag, not a branch: the direction is unpredictable, missing values are rare.
    n = c === missingBin ? (missingLeft[n] ? l : l + 1) : l + +(c > bin[n]);
    f = feature[n];
  }
  return value[n];
}

/** Leaf value for one row of raw features (`x[offset + f]`). */
export function predictRaw(tree: TreeArrays, x: ArrayLike<number>, offset: number): number {
  const { feature, threshold, left, missingLeft, value } = tree;
  let n = 0;
  let f = feature[0];
  while (f >= 0) {
    const v = x[offset + f];
    const l = left[n];
    n = v <= threshold[n] ? l : v !== v && missingLeft[n] ? l : l + 1;
    f = feature[n];
  }
  return value[n];
}
