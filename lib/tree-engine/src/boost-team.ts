/**
 * The controlling thread of a sharded boosting fit: starts the helper threads on the worker pool, runs
 * each phase on all threads (its own share inline), and grows trees by deciding splits from the merged
 * per-feature bests. Node bookkeeping follows `TreeGrower` (best-first or breadth-first to a leaf budget).
 */
import type { WorkerPool } from '../../../core/index.js';
import type { BinCodes } from './binning.js';
import { Arg, awaitChange, BEST_STRIDE, createBoostShared, Ctl, itemsOf, Phase, setBoostCodes, SHARDS, ShardRunner, type BoostShared } from './boost-shards.js';
import { boostWorkerTask } from './kernels.js';
import { NodeTable } from './node-table.js';
import type { HistogramMemory } from './wasm-histogram.js';
import type { TreeArrays } from './tree.js';

/**
 * How long the first phase waits for helpers to start (they are spawned while the matrix is binned; one that
 * is later, e.g. queued behind other pool tasks, joins when it is up; the trees are the same either way).
 */
const HELPER_START_MS = 1_000;

export interface TeamTreeOptions {
  readonly minLeaf: number;
  readonly maxDepth: number;
  readonly maxLeaves: number;
  readonly lambda: number;
  readonly minGain: number;
  readonly order: 'best-first' | 'breadth-first';
  readonly leafScale: number;
  /** Thresholds of a split after bin `b` of feature `f`: `upper[f][b]`. */
  readonly upper: readonly Float32Array[];
}

/**
 * @example
 * ```ts
 * const team = BoostTeam.start(codes, rows, cols, missingBin, y, null, { maxLeaves: 31, minLeaf: 20 }, context.workers);
 * team.shared.featureMask.fill(1);
 * const root = team.startRound(false, true);
 * const { tree, leaves } = team.growTree(root, options);
 * const sse = team.endTree(leaves);
 * const threadsUsed = await team.close();
 * ```
 */
export class BoostTeam {
  readonly shared: BoostShared;
  private readonly runner: ShardRunner;
  private readonly memory: HistogramMemory | null;
  private readonly helpers: Promise<number>[];
  private seq = 0;
  private readonly slots: number;
  /** Until the first phase: wait for a started helper to claim its first item (so a fit provably used it). */
  private awaitHelper: boolean;

  private constructor(shared: BoostShared, memory: HistogramMemory | null, helpers: Promise<number>[], slots: number, awaitHelper: boolean) {
    this.shared = shared;
    this.memory = memory;
    this.runner = new ShardRunner(shared, memory);
    this.helpers = helpers;
    this.slots = slots;
    this.awaitHelper = awaitHelper;
  }

  /**
   * Shares the fit's arrays and starts `min(pool size, SHARDS) - 1` helpers on the pool, which start up
   * while the caller bins the matrix (`setCodes`). A helper that starts late joins in whenever it is up;
   * the trees do not depend on it.
   */
  static start(rows: number, cols: number, missingBin: number, y: Float32Array, weight: Float64Array | null, limits: { readonly maxLeaves: number; readonly minLeaf: number }, workers?: WorkerPool, options: { readonly wasm?: boolean } = {}): BoostTeam {
    // A node holds a histogram while open; open splittable nodes never exceed the leaf budget, plus one while splitting.
    const leafCap = Math.min(limits.maxLeaves, Math.floor(rows / Math.max(1, limits.minLeaf)) + 1);
    const cap = Math.max(1, 2 * Math.min(leafCap, rows) - 1);
    const slots = Math.min(leafCap, rows) + 1;
    const { shared, memory } = createBoostShared(rows, cols, missingBin, y, weight, slots, cap, options.wasm !== false);
    const nHelpers = Math.max(0, Math.min(workers?.size ?? 1, SHARDS) - 1);
    const helpers: Promise<number>[] = [];
    for (let t = 0; t < nHelpers; t++) {
      const h = workers!.run(boostWorkerTask, [shared]);
      h.catch(() => undefined); // rethrown by `close`; not an unhandled rejection meanwhile
      helpers.push(h);
    }
    return new BoostTeam(shared, memory, helpers, slots, nHelpers > 0);
  }

  /** The binned training matrix (column-major codes with `missingBin` as given to `start`). */
  setCodes(codes: BinCodes): void {
    setBoostCodes(this.shared, this.memory, codes);
  }

  /** Runs `phase`'s items on this thread and any helper awake, and returns when all are done. */
  private phase(phase: Phase): void {
    const { ctl, claim, cols } = this.shared;
    this.closeClaims();
    const seq = ++this.seq;
    ctl[Ctl.Cmd] = phase;
    Atomics.store(ctl, Ctl.Finished, 0);
    Atomics.store(claim, 0, BigInt(seq) << 32n);
    Atomics.store(ctl, Ctl.Seq, seq);
    if (this.helpers.length) Atomics.notify(ctl, Ctl.Seq);
    if (this.awaitHelper) {
      this.awaitHelper = false;
      const deadline = performance.now() + HELPER_START_MS;
      if (waitForHelpers(ctl, this.helpers.length, deadline)) while ((Atomics.load(claim, 0) & 0xffffffffn) === 0n && performance.now() < deadline && Atomics.load(ctl, Ctl.Failed) === 0);
    }
    this.runner.work(seq);
    const items = itemsOf(phase, cols);
    for (let done = Atomics.load(ctl, Ctl.Finished); done < items; done = Atomics.load(ctl, Ctl.Finished)) {
      if (!awaitChange(ctl, Ctl.Finished, done)) throw new Error('gbdt: a helper thread failed');
    }
  }

  /**
   * Ends the last phase's claims before the command changes: a thread that read the counter earlier
   * must not claim an item of the next phase on the old tag.
   */
  private closeClaims(): void {
    Atomics.store(this.shared.claim, 0, (BigInt(this.seq) << 32n) | 0xffffffffn);
  }

  /** Starts a round: residuals of the sample's rows and the root histogram; returns the root's count, Σw, Σw·r. */
  startRound(sampled: boolean, unitWeights: boolean): [number, number, number] {
    const ctl = this.shared.ctl;
    ctl[Ctl.Sampled] = sampled ? 1 : 0;
    ctl[Ctl.Unit] = unitWeights ? 1 : 0;
    this.phase(Phase.Round);
    const sums = this.shared.shardSums;
    const root: [number, number, number] = [sums[0], sums[1], sums[2]];
    for (let s = 1; s < SHARDS; s++) for (let k = 0; k < 3; k++) root[k] += sums[s * 4 + k];
    return root;
  }

  /** Adds the tree's leaf values to the training predictions; returns the weighted squared error after it. */
  endTree(leaves: readonly number[]): number {
    this.shared.leaves.set(leaves);
    this.shared.ctl[Ctl.Leaves] = leaves.length;
    this.phase(Phase.TreeEnd);
    let sse = 0;
    for (let s = 0; s < SHARDS; s++) sse += this.shared.shardSums[s * 4 + 3];
    return sse;
  }

  /** Grows one tree on the round started by `startRound`; the leaves are listed for `endTree`. */
  growTree(root: readonly [number, number, number], o: TeamTreeOptions): { tree: TreeArrays; gainByFeature: Float64Array; leaves: number[] } {
    const sh = this.shared;
    const { ctl, args, best, cols } = sh;
    const cap = sh.tree.feature.length;
    // Grown straight into the shared node arrays, which TreeEnd reads.
    const t = new NodeTable(cap, sh.tree);
    const { value } = t.out;
    const { depth: nDepth, cnt: nCnt, w: nW, s: nS, bFeature, bBin, bMiss, bGain, bLCnt, bLW, bLS } = t;
    const nHist = new Int32Array(cap).fill(-1);
    const gainByFeature = new Float64Array(cols);
    const leaves: number[] = [];
    const freeSlots = Array.from({ length: this.slots }, (_, i) => this.slots - 1 - i);
    const minLeaf = Math.max(1, Math.floor(o.minLeaf));
    args[Arg.MinLeaf] = minLeaf;
    args[Arg.Lambda] = o.lambda;
    const maySplit = (n: number) => nCnt[n] >= 2 * minLeaf && nDepth[n] < o.maxDepth;
    const release = (n: number) => {
      if (nHist[n] >= 0) freeSlots.push(nHist[n]);
      nHist[n] = -1;
    };
    /** Takes the Merge phase's best split of `child` (0: the node histogrammed, 1: its sibling) for `node`. */
    const decide = (node: number, child: number) => {
      let k = -1;
      let score = -Infinity;
      for (let f = 0; f < cols; f++) {
        const s = best[(child * cols + f) * BEST_STRIDE];
        if (s > score) {
          score = s;
          k = (child * cols + f) * BEST_STRIDE;
          bFeature[node] = f;
        }
      }
      const parentScore = (nS[node] * nS[node]) / (nW[node] + o.lambda);
      const gain = score - parentScore;
      if (k >= 0 && gain > o.minGain && gain > 1e-12 * Math.abs(parentScore)) {
        bBin[node] = best[k + 1];
        bMiss[node] = best[k + 2];
        bGain[node] = gain;
        bLCnt[node] = best[k + 3];
        bLW[node] = best[k + 4];
        bLS[node] = best[k + 5];
      } else {
        bFeature[node] = -1;
        bGain[node] = -Infinity;
        release(node);
      }
    };
    /** Merge phase for `small` (freshly histogrammed) and, when given, `large` (parent's histogram minus small's). */
    const merge = (small: number, large: number) => {
      ctl[Ctl.SmallSlot] = nHist[small];
      ctl[Ctl.LargeSlot] = large >= 0 ? nHist[large] : -1;
      ctl[Ctl.ScanSmall] = maySplit(small) ? 1 : 0;
      ctl[Ctl.ScanLarge] = large >= 0 && maySplit(large) ? 1 : 0;
      args[Arg.SmallC] = nCnt[small];
      args[Arg.SmallW] = nW[small];
      args[Arg.SmallS] = nS[small];
      if (large >= 0) {
        args[Arg.LargeC] = nCnt[large];
        args[Arg.LargeW] = nW[large];
        args[Arg.LargeS] = nS[large];
      }
      this.phase(Phase.Merge);
      if (ctl[Ctl.ScanSmall]) decide(small, 0);
      else release(small);
      if (large >= 0) {
        if (ctl[Ctl.ScanLarge]) decide(large, 1);
        else release(large);
      }
    };

    [nCnt[0], nW[0], nS[0]] = root;
    nHist[0] = freeSlots.pop()!;
    merge(0, -1);
    t.push(0);
    for (let node = t.next(o.order); node >= 0; node = t.next(o.order)) {
      const f = bFeature[node];
      value[node] = (nS[node] / (nW[node] + o.lambda)) * o.leafScale;
      if (f < 0 || t.leaves >= o.maxLeaves || t.nodes + 2 > cap) {
        release(node);
        leaves.push(node);
        continue;
      }
      gainByFeature[f] += bGain[node];
      const l = t.split(node, o.upper);
      const r = l + 1;
      const b = bBin[node];
      const missLeft = t.out.missingLeft[node];
      const childrenMaySplit = nDepth[l] < o.maxDepth && t.leaves < o.maxLeaves;
      // Histogram subtraction: histogram the smaller child, derive the larger from the parent's in place.
      const small = nCnt[l] <= nCnt[r] ? l : r;
      const large = small === l ? r : l;
      ctl[Ctl.Node] = node;
      ctl[Ctl.Left] = l;
      ctl[Ctl.Right] = r;
      ctl[Ctl.Feature] = f;
      ctl[Ctl.Bin] = b;
      ctl[Ctl.MissLeft] = missLeft;
      ctl[Ctl.Small] = childrenMaySplit ? small : -1;
      this.phase(Phase.Split);
      if (childrenMaySplit) {
        nHist[large] = nHist[node];
        nHist[node] = -1;
        nHist[small] = freeSlots.pop()!;
        merge(small, large);
      } else release(node);
      t.push(r);
      t.push(l);
    }
    return { tree: t.tree(), gainByFeature, leaves };
  }

  /** Stops the helpers (rethrowing a helper's failure); returns the threads that ran work items, this one included. */
  async close(): Promise<number> {
    const ctl = this.shared.ctl;
    this.closeClaims();
    ctl[Ctl.Cmd] = Phase.Stop;
    Atomics.store(ctl, Ctl.Seq, ++this.seq);
    Atomics.notify(ctl, Ctl.Seq);
    const ran = await Promise.all(this.helpers);
    return 1 + ran.filter((n) => n > 0).length;
  }
}

/** Waits (bounded) until `n` helpers have attached to the shared memory. */
function waitForHelpers(ctl: Int32Array, n: number, deadline: number): boolean {
  for (let ready = Atomics.load(ctl, Ctl.Ready); ready < n; ready = Atomics.load(ctl, Ctl.Ready)) {
    const left = deadline - performance.now();
    if (left <= 0 || Atomics.load(ctl, Ctl.Failed) !== 0) return false;
    Atomics.wait(ctl, Ctl.Ready, ready, Math.min(left, 50));
  }
  return true;
}
