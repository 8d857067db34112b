/**
 * The data-parallel half of gradient boosting. Rows are cut into `SHARDS` fixed shards; a shard's rows are
 * permuted, partitioned and histogrammed as one work item, always in the same order, and per-shard
 * histograms are summed in shard order (one work item per feature). Every float sum, and so every tree,
 * is therefore the same whichever thread runs an item and however many threads there are. All state is
 * shared (the histogram kernel's memory is a shared WebAssembly memory), and threads claim a phase's items
 * from an atomic counter: a thread the OS has not scheduled just claims none, and nobody waits for it.
 * The controlling thread (boost-team.ts) decides the splits and publishes phases in a control block.
 */
import type { BinCodes } from './binning.js';
import { accumulate, accumulateUnit, partition, scanHistogram, type Best } from './grow-tree.js';
import type { NodeOutput } from './node-table.js';
import { predictBinned, type TreeArrays } from './tree.js';
import type { WasmMemory } from '../../../core/index.js';
import { attachHistogramMemory, createHistogramMemory, type HistogramMemory } from './wasm-histogram.js';

/** Row shards; fixed, so results never depend on the thread count (at most this many threads help). */
export const SHARDS = 2;

/** Phases; each is a set of work items (one per shard, or one per feature for `Merge`). */
export const enum Phase {
  /** Gradients of the round's rows, each shard's row list and root histogram. */
  Round = 1,
  /** Partition a node's rows by its split; histogram of the smaller child. */
  Split = 2,
  /** Sum shard histograms, derive the larger sibling by subtraction, find each feature's best split. */
  Merge = 3,
  /** Add the tree's leaf values to the predictions; per-shard squared error. */
  TreeEnd = 4,
  Stop = 5,
}

/** Work items of a phase. */
export const itemsOf = (phase: Phase, cols: number): number => (phase === Phase.Merge ? cols : SHARDS);

/** Slots of the control block (`Int32Array`). */
export const enum Ctl {
  Seq = 0, Cmd, Failed, Cancel, Sampled, Unit,
  Node, Left, Right, Feature, Bin, MissLeft, Small,
  SmallSlot, LargeSlot, ScanSmall, ScanLarge, Leaves,
  /** Items finished in the current phase. */
  Finished,
  /** Helper threads that have attached, and items run by helpers (the proof that they worked). */
  Ready, HelperItems, Size,
}

/** Slots of the float arguments (`Float64Array`). */
export const enum Arg { SmallC = 0, SmallW, SmallS, LargeC, LargeW, LargeS, MinLeaf, Lambda, Size }

/** Values per (child, feature) in `best`: score, bin, missing direction, left count, weight, sum. */
export const BEST_STRIDE = 6;

/** Everything the threads share, all on SharedArrayBuffers (posted to a worker once per fit). */
export interface BoostShared {
  readonly codes: BinCodes;
  /** The histogram kernel's shared memory (rows, histograms and codes live there), or null for the JS loops. */
  readonly kernel: { readonly memory: WasmMemory; readonly codeBytes: number } | null;
  /** Without the kernel: per-position row ids, weights, weighted residuals and the shard histograms, shared. */
  readonly plain: { readonly indices: Int32Array; readonly pw: Float64Array; readonly pwy: Float64Array; readonly shardHist: Float64Array } | null;
  /** `[shard][node]` position range of each node's rows. */
  readonly nodeStart: Int32Array;
  readonly nodeEnd: Int32Array;
  readonly rows: number;
  readonly cols: number;
  readonly missingBin: number;
  /** First row of each shard, `SHARDS + 1` entries. */
  readonly shardStart: Int32Array;
  readonly y: Float32Array;
  /** User weights, or null for 1. */
  readonly weight: Float64Array | null;
  /** Current prediction of every training row. */
  readonly pred: Float64Array;
  /** 1 for rows in this round's subsample (read only when `Ctl.Sampled`). */
  readonly inSample: Uint8Array;
  readonly featureMask: Uint8Array;
  /** Merged histograms of open nodes, `slots × cols × nb3`. */
  readonly hists: Float64Array;
  /** Per shard: count, Σw, Σw·r of the round's rows, then the squared error after the tree. */
  readonly shardSums: Float64Array;
  /** `[child][feature][BEST_STRIDE]` best split of each feature in the Merge phase (child 0 = smaller). */
  readonly best: Float64Array;
  /** The tree being grown (node arrays of capacity `cap`) and its leaf list, for TreeEnd. */
  readonly tree: NodeOutput;
  readonly leaves: Int32Array;
  readonly ctl: Int32Array;
  readonly args: Float64Array;
  /** `seq << 32 | next item` of the current phase: items are claimed by compare-and-swap. */
  readonly claim: BigInt64Array;
}

const sharedOf = <T>(make: (b: SharedArrayBuffer) => T, bytes: number): T => make(new SharedArrayBuffer(Math.max(8, bytes)));

/**
 * The shared state for a fit, and this thread's view of the kernel memory (null: JS loops, same trees).
 * The bin codes are all 0 until `setBoostCodes`: helpers can start while the matrix is binned.
 */
export function createBoostShared(rows: number, cols: number, missingBin: number, y: Float32Array, weight: Float64Array | null, slots: number, cap: number, wasm: boolean): { shared: BoostShared; memory: HistogramMemory | null } {
  const nb3 = (missingBin + 1) * 3;
  const codes: BinCodes = missingBin > 255 ? sharedOf((b) => new Uint16Array(b), rows * cols * 2) : sharedOf((b) => new Uint8Array(b), rows * cols);
  const histSize = cols * nb3;
  const f64 = (n: number) => sharedOf((b) => new Float64Array(b), n * 8);
  const i32 = (n: number) => sharedOf((b) => new Int32Array(b), n * 4);
  const shardStart = new Int32Array(SHARDS + 1);
  for (let s = 0; s <= SHARDS; s++) shardStart[s] = Math.round((s * rows) / SHARDS);
  const ySh = sharedOf((b) => new Float32Array(b), rows * 4);
  ySh.set(y.subarray(0, rows));
  let wSh: Float64Array | null = null;
  if (weight) {
    wSh = f64(rows);
    wSh.set(weight);
  }
  const memory = wasm ? createHistogramMemory(codes, rows, cols, nb3, SHARDS * cols) : null;
  const shared: BoostShared = {
    codes, rows, cols, missingBin, shardStart, y: ySh, weight: wSh,
    kernel: memory && { memory: memory.memory, codeBytes: codes.BYTES_PER_ELEMENT },
    plain: memory ? null : { indices: i32(rows), pw: f64(rows), pwy: f64(rows), shardHist: f64(SHARDS * histSize) },
    nodeStart: i32(SHARDS * cap),
    nodeEnd: i32(SHARDS * cap),
    pred: f64(rows),
    inSample: sharedOf((b) => new Uint8Array(b), rows),
    featureMask: sharedOf((b) => new Uint8Array(b), cols),
    hists: f64(slots * histSize),
    shardSums: f64(SHARDS * 4),
    best: f64(2 * cols * BEST_STRIDE),
    tree: {
      feature: i32(cap),
      bin: sharedOf((b) => new Uint16Array(b), cap * 2),
      left: i32(cap),
      missingLeft: sharedOf((b) => new Uint8Array(b), cap),
      value: sharedOf((b) => new Float32Array(b), cap * 4),
    },
    leaves: i32(cap),
    ctl: i32(Ctl.Size),
    args: f64(Arg.Size),
    claim: sharedOf((b) => new BigInt64Array(b), 8),
  };
  return { shared, memory };
}

/** Puts the binned matrix in place (in the kernel's memory too), before the first phase. */
export function setBoostCodes(shared: BoostShared, memory: HistogramMemory | null, codes: BinCodes): void {
  shared.codes.set(codes);
  memory?.codes.set(codes);
}

/**
 * A thread's side of the fit: runs the work items it claims. Shard `s` keeps its row ids, weights and
 * weighted residuals at positions `shardStart[s] …` of the shared arrays.
 */
export class ShardRunner {
  private readonly s: BoostShared;
  private readonly nb3: number;
  private readonly histSize: number;
  private readonly kernel: HistogramMemory | null;
  private readonly indices: Int32Array;
  private readonly pw: Float64Array;
  private readonly pwy: Float64Array;
  private readonly shardHist: Float64Array;
  private readonly cap: number;
  private readonly bestScratch: Best = { score: -Infinity, feature: -1, bin: 0, miss: 0, lCnt: 0, lW: 0, lS: 0 };

  /** `memory`: this thread's view of the kernel memory when it made it (else attached here). */
  constructor(shared: BoostShared, memory?: HistogramMemory | null) {
    this.s = shared;
    this.nb3 = (shared.missingBin + 1) * 3;
    this.histSize = shared.cols * this.nb3;
    this.cap = shared.leaves.length;
    const k = shared.kernel;
    this.kernel = memory ?? (k && attachHistogramMemory(k.memory, shared.rows, shared.cols, this.nb3, k.codeBytes, SHARDS * shared.cols));
    if (k && !this.kernel) throw new Error('gbdt: cannot attach the histogram kernel to its shared memory');
    const plain = shared.plain;
    this.indices = this.kernel?.indices ?? plain!.indices;
    this.pw = this.kernel?.weight ?? plain!.pw;
    this.pwy = this.kernel?.weightedTarget ?? plain!.pwy;
    this.shardHist = this.kernel?.scratch ?? plain!.shardHist;
  }

  /**
   * Claims and runs items of phase `seq` until none is left (or the phase is over); returns how many it ran.
   * The phase's command and arguments are read only after a claim succeeded, so they belong to `seq`.
   */
  work(seq: number): number {
    const { claim, ctl, cols } = this.s;
    const tag = BigInt(seq) << 32n;
    let ran = 0;
    for (;;) {
      const v = Atomics.load(claim, 0);
      if ((v & ~0xffffffffn) !== tag) return ran;
      const item = Number(v & 0xffffffffn);
      if (item >= itemsOf(ctl[Ctl.Cmd] as Phase, cols)) return ran;
      if (Atomics.compareExchange(claim, 0, v, v + 1n) !== v) continue;
      this.runItem(ctl[Ctl.Cmd] as Phase, item);
      ran++;
      Atomics.add(ctl, Ctl.Finished, 1);
      Atomics.notify(ctl, Ctl.Finished);
    }
  }

  private runItem(phase: Phase, item: number): void {
    const c = this.s.ctl;
    if (phase === Phase.Round) this.startRound(item);
    else if (phase === Phase.Split) this.split(item, c[Ctl.Node], c[Ctl.Left], c[Ctl.Right], c[Ctl.Feature], c[Ctl.Bin], c[Ctl.MissLeft], c[Ctl.Small]);
    else if (phase === Phase.Merge) this.merge(item);
    else if (phase === Phase.TreeEnd) this.endTree(item);
  }

  private setRange(s: number, node: number, start: number, end: number): void {
    this.s.nodeStart[s * this.cap + node] = start;
    this.s.nodeEnd[s * this.cap + node] = end;
  }

  private startRound(s: number): void {
    const { y, weight, pred, inSample, shardStart, shardSums } = this.s;
    const p0 = shardStart[s];
    const sample = this.s.ctl[Ctl.Sampled] === 1 ? inSample : null;
    const end = gatherRows(p0, shardStart[s + 1], sample, weight, y, pred, this.indices, this.pw, this.pwy);
    let sw = 0;
    let ss = 0;
    for (let p = p0; p < end; p++) {
      sw += this.pw[p];
      ss += this.pwy[p];
    }
    shardSums[s * 4] = end - p0;
    shardSums[s * 4 + 1] = sw;
    shardSums[s * 4 + 2] = ss;
    this.setRange(s, 0, p0, end);
    this.buildHistogram(s, p0, end);
  }

  private split(s: number, node: number, l: number, r: number, f: number, b: number, missLeft: number, small: number): void {
    const start = this.s.nodeStart[s * this.cap + node];
    const end = this.s.nodeEnd[s * this.cap + node];
    const { codes, rows, missingBin } = this.s;
    // Unit weights: every weight is 1 (`gatherRows`), so the kernel leaves them in place.
    const mid = this.kernel ? this.kernel.partition(f, start, end, b, missLeft, this.s.ctl[Ctl.Unit] === 1) : partition(codes, rows, missingBin, start, end, this.indices, this.pw, this.pwy, f, b, missLeft);
    this.setRange(s, l, start, mid);
    this.setRange(s, r, mid, end);
    if (small >= 0) this.buildHistogram(s, small === l ? start : mid, small === l ? mid : end);
  }

  /** Shard `s`'s histogram of positions `start…end` into its region of the shard histograms (features in the mask; all zero, see `mergeShards`). */
  private buildHistogram(s: number, start: number, end: number): void {
    const { codes, rows, cols, featureMask } = this.s;
    const unit = this.s.ctl[Ctl.Unit] === 1;
    const nb3 = this.nb3;
    const h = this.shardHist;
    for (let f = 0; f < cols; f++) {
      if (!featureMask[f]) continue;
      const out = s * this.histSize + f * nb3;
      if (this.kernel) this.kernel.accumulate(f, start, end, unit, out);
      else if (unit) accumulateUnit(codes, f * rows, h, out, start, end, this.indices, this.pwy);
      else accumulate(codes, f * rows, h, out, start, end, this.indices, this.pw, this.pwy);
    }
  }

  /** Feature `f`: sum the shard histograms into the smaller child's slot, subtract it from the parent's (now the larger child's), scan both. */
  private merge(f: number): void {
    const { ctl, args, hists, best, featureMask, cols, missingBin } = this.s;
    const nb3 = this.nb3;
    for (let child = 0; child < 2; child++) best[(child * cols + f) * BEST_STRIDE] = -Infinity;
    if (!featureMask[f]) return;
    const hs = ctl[Ctl.SmallSlot] * this.histSize + f * nb3;
    const largeSlot = ctl[Ctl.LargeSlot];
    const hl = largeSlot >= 0 ? largeSlot * this.histSize + f * nb3 : -1;
    mergeShards(this.shardHist, f * nb3, this.histSize, hists, hs, hl, nb3, ctl[Ctl.Unit] === 1);
    const minLeaf = args[Arg.MinLeaf];
    const lambda = args[Arg.Lambda];
    if (ctl[Ctl.ScanSmall]) this.scan(0, hs, f, args[Arg.SmallC], args[Arg.SmallW], args[Arg.SmallS], minLeaf, lambda, missingBin);
    if (ctl[Ctl.ScanLarge]) this.scan(1, hl, f, args[Arg.LargeC], args[Arg.LargeW], args[Arg.LargeS], minLeaf, lambda, missingBin);
  }

  private scan(child: number, off: number, f: number, c: number, w: number, sum: number, minLeaf: number, lambda: number, mb: number): void {
    const b = this.bestScratch;
    b.score = -Infinity;
    b.feature = -1;
    scanHistogram(this.s.hists, off, mb, f, c, w, sum, minLeaf, lambda, b);
    const o = (child * this.s.cols + f) * BEST_STRIDE;
    const out = this.s.best;
    out[o] = b.feature >= 0 ? b.score : -Infinity;
    out[o + 1] = b.bin;
    out[o + 2] = b.miss;
    out[o + 3] = b.lCnt;
    out[o + 4] = b.lW;
    out[o + 5] = b.lS;
  }

  private endTree(s: number): void {
    const { y, weight, pred, inSample, shardStart, shardSums, tree, leaves, codes, rows, missingBin } = this.s;
    const indices = this.indices;
    const nLeaves = this.s.ctl[Ctl.Leaves];
    for (let k = 0; k < nLeaves; k++) {
      const node = leaves[k];
      const v = tree.value[node];
      for (let j = this.s.nodeStart[s * this.cap + node], e = this.s.nodeEnd[s * this.cap + node]; j < e; j++) pred[indices[j]] += v;
    }
    const r0 = shardStart[s];
    const r1 = shardStart[s + 1];
    if (this.s.ctl[Ctl.Sampled] === 1) {
      const arrays: TreeArrays = { ...tree, threshold: new Float32Array(0) };
      for (let r = r0; r < r1; r++) if (!inSample[r]) pred[r] += predictBinned(arrays, codes, rows, r, missingBin);
    }
    let sse = 0;
    for (let r = r0; r < r1; r++) sse += (weight ? weight[r] : 1) * (y[r] - pred[r]) ** 2;
    shardSums[s * 4 + 3] = sse;
  }
}

/**
 * Positions `p0…` of a shard: its rows `r0…r1` (those in `sample` when given), their weights and
 * weighted residuals `w·(y − pred)`. Returns the end position.
 */
function gatherRows(p0: number, r1: number, sample: Uint8Array | null, weight: Float64Array | null, y: Float32Array, pred: Float64Array, indices: Int32Array, pw: Float64Array, pwy: Float64Array): number {
  let p = p0;
  if (!sample && !weight) {
    for (let r = p0; r < r1; r++, p++) {
      indices[p] = r;
      pw[p] = 1;
      pwy[p] = y[r] - pred[r];
    }
    return p;
  }
  for (let r = p0; r < r1; r++) {
    if (sample && !sample[r]) continue;
    const w = weight ? weight[r] : 1;
    indices[p] = r;
    pw[p] = w;
    pwy[p] = w * (y[r] - pred[r]);
    p++;
  }
  return p;
}

/**
 * One feature's merge, in one pass: `hists[hs…] = Σ_s shardHist[s·stride + from…]` (shards in order;
 * with unit weights Σw is set to the count), and `hists[hl…] -= hists[hs…]` when `hl ≥ 0`. The shard
 * histograms are cleared as they are read, ready for the next accumulation (cheaper than a separate fill).
 */
function mergeShards(shardHist: Float64Array, from: number, stride: number, hists: Float64Array, hs: number, hl: number, nb3: number, unit: boolean): void {
  for (let k = 0; k < nb3; k += 3) {
    let c = 0;
    let w = 0;
    let v = 0;
    for (let s = 0, o = from + k; s < SHARDS; s++, o += stride) {
      c += shardHist[o];
      w += shardHist[o + 1];
      v += shardHist[o + 2];
      shardHist[o] = 0;
      shardHist[o + 1] = 0;
      shardHist[o + 2] = 0;
    }
    // Unit weights: Σw is the count, which the row loops do not accumulate.
    if (unit) w = c;
    hists[hs + k] = c;
    hists[hs + k + 1] = w;
    hists[hs + k + 2] = v;
    if (hl >= 0) {
      hists[hl + k] -= c;
      hists[hl + k + 1] -= w;
      hists[hl + k + 2] -= v;
    }
  }
}

/** How long a thread spins before sleeping: a phase lasts µs to ms, and waking a sleeping thread costs far more on a busy machine. */
const SPIN_MS = 0.5;

/** Spins (up to `SPIN_MS`), then sleeps, until `ctl[slot]` differs from `old`; false on a failure flag. */
export function awaitChange(ctl: Int32Array, slot: number, old: number): boolean {
  for (let spin = 0; spin < 2_000; spin++) if (Atomics.load(ctl, slot) !== old) return true;
  const until = performance.now() + SPIN_MS;
  while (performance.now() < until) for (let spin = 0; spin < 1_000; spin++) if (Atomics.load(ctl, slot) !== old) return true;
  while (Atomics.load(ctl, slot) === old) {
    if (Atomics.load(ctl, Ctl.Failed) !== 0) return false;
    Atomics.wait(ctl, slot, old, 200);
  }
  return true;
}

/**
 * Worker-thread side of a fit (run through `WorkerPool` as `kernels.ts#boostWorker`): works on each
 * phase the control block publishes until `Phase.Stop`; returns the items it ran.
 */
export function runBoostWorker(shared: BoostShared): number {
  const ctl = shared.ctl;
  let ran = 0;
  try {
    const runner = new ShardRunner(shared);
    Atomics.add(ctl, Ctl.Ready, 1);
    Atomics.notify(ctl, Ctl.Ready);
    let seq = 0;
    for (;;) {
      if (!awaitChange(ctl, Ctl.Seq, seq)) return ran;
      seq = Atomics.load(ctl, Ctl.Seq);
      if (ctl[Ctl.Cmd] === Phase.Stop) return ran;
      const n = runner.work(seq);
      ran += n;
      Atomics.add(ctl, Ctl.HelperItems, n);
    }
  } catch (e) {
    Atomics.store(ctl, Ctl.Failed, 1);
    Atomics.notify(ctl, Ctl.Finished);
    throw e;
  }
}
