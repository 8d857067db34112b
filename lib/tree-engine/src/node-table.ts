import type { TreeArrays } from './tree.js';

/** The output node arrays of a tree (without thresholds); may live on shared memory. */
export type NodeOutput = Omit<TreeArrays, 'threshold'>;

/**
 * A tree while it grows: the output nodes, each node's depth and statistics (count, Σw, Σw·y) and its
 * best split so far, plus the open list nodes wait in. Shared by `TreeGrower` and the boosting team, so
 * both grow and order nodes the same way.
 */
export class NodeTable {
  /** The output nodes, `cap` long (see `tree()` for the trimmed tree). */
  readonly out: TreeArrays;
  readonly depth: Int32Array;
  readonly cnt: Float64Array;
  readonly w: Float64Array;
  readonly s: Float64Array;
  /** Best split: feature (-1: none), bin, missing direction (0 right, 1 left, 2 none seen), gain, left statistics. */
  readonly bFeature: Int32Array;
  readonly bBin: Int32Array;
  readonly bMiss: Uint8Array;
  readonly bGain: Float64Array;
  readonly bLCnt: Float64Array;
  readonly bLW: Float64Array;
  readonly bLS: Float64Array;
  nodes = 1;
  leaves = 1;
  private readonly open: Int32Array;
  private nOpen = 0;
  private openHead = 0;

  /** `output`: arrays to grow into (cleared here), e.g. on shared memory; fresh ones otherwise. */
  constructor(cap: number, output?: NodeOutput) {
    this.out = {
      feature: output?.feature ?? new Int32Array(cap),
      bin: output?.bin ?? new Uint16Array(cap),
      threshold: new Float32Array(cap),
      left: output?.left ?? new Int32Array(cap),
      missingLeft: output?.missingLeft ?? new Uint8Array(cap),
      value: output?.value ?? new Float32Array(cap),
    };
    this.out.feature.fill(-1);
    if (output) for (const a of [this.out.bin, this.out.left, this.out.missingLeft, this.out.value]) a.fill(0);
    this.depth = new Int32Array(cap);
    this.cnt = new Float64Array(cap);
    this.w = new Float64Array(cap);
    this.s = new Float64Array(cap);
    this.bFeature = new Int32Array(cap).fill(-1);
    this.bBin = new Int32Array(cap);
    this.bMiss = new Uint8Array(cap);
    this.bGain = new Float64Array(cap);
    this.bLCnt = new Float64Array(cap);
    this.bLW = new Float64Array(cap);
    this.bLS = new Float64Array(cap);
    this.open = new Int32Array(cap);
  }

  get capacity(): number {
    return this.open.length;
  }

  push(node: number): void {
    this.open[this.nOpen++] = node;
  }

  /** Takes the next open node to expand, or -1 when none is left. */
  next(order: 'depth-first' | 'best-first' | 'breadth-first'): number {
    const { open, bGain } = this;
    if (this.openHead >= this.nOpen) return -1;
    let pick = this.openHead;
    if (order === 'depth-first') pick = this.nOpen - 1;
    else if (order === 'best-first') for (let k = this.openHead + 1; k < this.nOpen; k++) if (bGain[open[k]] > bGain[open[pick]]) pick = k;
    const node = open[pick];
    // Remove from the open list, keeping the others in creation order (reproducible ties).
    if (order === 'breadth-first') this.openHead++;
    else {
      for (let k = pick; k < this.nOpen - 1; k++) open[k] = open[k + 1];
      this.nOpen--;
    }
    return node;
  }

  /**
   * Splits `node` on its best split into two new nodes: writes the node's feature, bin, threshold and
   * missing direction, and the children's depth and statistics. Returns the left child (the right is next).
   */
  split(node: number, upper: readonly Float32Array[]): number {
    const f = this.bFeature[node];
    const b = this.bBin[node];
    const u = upper[f];
    const out = this.out;
    out.feature[node] = f;
    out.bin[node] = b;
    out.threshold[node] = b < u.length ? u[b] : Infinity;
    // 2 = no missing values of `f` reached this node in training: send them to the heavier child.
    const miss = this.bMiss[node];
    out.missingLeft[node] = miss === 2 ? (this.bLW[node] >= this.w[node] - this.bLW[node] ? 1 : 0) : miss;
    const l = this.nodes;
    const r = l + 1;
    this.nodes += 2;
    this.leaves += 1;
    out.left[node] = l;
    this.depth[l] = this.depth[r] = this.depth[node] + 1;
    this.cnt[l] = this.bLCnt[node];
    this.w[l] = this.bLW[node];
    this.s[l] = this.bLS[node];
    this.cnt[r] = this.cnt[node] - this.bLCnt[node];
    this.w[r] = this.w[node] - this.bLW[node];
    this.s[r] = this.s[node] - this.bLS[node];
    return l;
  }

  /** The grown tree, trimmed to its nodes. */
  tree(): TreeArrays {
    const n = this.nodes;
    const o = this.out;
    return { feature: o.feature.slice(0, n), bin: o.bin.slice(0, n), threshold: o.threshold.slice(0, n), left: o.left.slice(0, n), missingLeft: o.missingLeft.slice(0, n), value: o.value.slice(0, n) };
  }
}
