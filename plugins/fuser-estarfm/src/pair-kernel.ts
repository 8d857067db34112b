/**
 * The ESTARFM pixel kernel for one tile and one pair of base dates, predicting one or several target
 * dates at once (the similar-pixel search depends only on the pair, so it is shared by every target).
 *
 * Runs on a worker thread (`fuseTile` is the task function) or inline. Everything a pixel needs that
 * does not depend on the window centre is computed once per tile: validity, the spectral similarity R
 * of each pixel, and summed-area tables giving every window mean of the coarse images in O(1).
 * Per pixel there is one pass over the window (a few comparisons per neighbour, no allocation) and
 * sums over the similar pixels only.
 */
import { significantAt5Percent } from './f-test.js';

/** Kernel settings (plain data: they cross the worker boundary). */
export interface KernelOptions {
  /** Half window w: the window is (2w+1)². */
  readonly halfWindow: number;
  readonly dnMin: number;
  readonly dnMax: number;
  /** Value marking nodata in the input arrays (besides NaN). */
  readonly background: number;
  /** Reproduce the 2018 IDL release: band-0 validity, invalid pixels output 0. */
  readonly compat: boolean;
  /** Keep only this many most similar pixels (ESTARFM_FAST: 20); 0 keeps all. */
  readonly similarPixels: number;
  /** Return per-pixel diagnostics (similar-pixel count, V, T1, branch). */
  readonly diagnostics: boolean;
}

/** A rectangle of the tile's arrays to predict. */
export interface TileRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * One tile: arrays of `width × height` pixels covering the output rectangle plus a halo of up to w
 * pixels, clipped where the window must be clipped (image or, in zhu2018 mode, block edges).
 */
export interface PairTile {
  readonly width: number;
  readonly height: number;
  readonly out: TileRect;
  /** Per band. */
  readonly fine1: readonly Float32Array[];
  readonly coarse1: readonly Float32Array[];
  readonly fine2: readonly Float32Array[];
  readonly coarse2: readonly Float32Array[];
  /** Coarse image at each target date, per band: `targets[t][b]`. */
  readonly targets: readonly (readonly Float32Array[])[];
  /** Similarity thresholds: `[pair1 band 0..nb-1, pair2 band 0..nb-1]`. */
  readonly thresholds: readonly number[];
  readonly options: KernelOptions;
}

/** Branch codes, as in the reference diagnostics. */
export const BRANCH = { invalid: 0, normal: 1, outOfRange: 2, fewSimilar: 3 } as const;

export interface TileDiagnostics {
  /** `[t][pixel]`: similar pixels used (−1: invalid pixel). */
  readonly nSimilar: Int32Array;
  /** `[t][band][pixel]`: conversion coefficient (NaN unless branch 1 or 2). */
  readonly v: Float64Array;
  /** `[t][band][pixel]`: temporal weight of pair 1 (NaN for invalid pixels). */
  readonly t1: Float64Array;
  /** `[t][band][pixel]`: branch code (see `BRANCH`). */
  readonly branch: Int8Array;
}

export interface PairTileResult {
  /** `values[t][b]`: predictions over `out`, row-major. */
  readonly values: Float32Array[][];
  readonly diagnostics?: TileDiagnostics;
}

/** Fewer similar pixels than this (or equal) take the window-mean fallback. */
const MIN_SIMILAR = 5;

/** Summed-area table of `value(p)` over a w×h grid: (h+1)×(w+1) entries, float64. */
function summedArea(width: number, height: number, value: (p: number) => number): Float64Array {
  const w1 = width + 1;
  const sat = new Float64Array(w1 * (height + 1));
  for (let r = 0; r < height; r++) {
    let rowSum = 0;
    const base = (r + 1) * w1;
    const prev = r * w1;
    for (let c = 0; c < width; c++) {
      rowSum += value(r * width + c);
      sat[base + c + 1] = sat[prev + c + 1] + rowSum;
    }
  }
  return sat;
}

/** Columns per block of the per-row key ranges that let the window scan skip whole runs. */
const RUN = 8;

/**
 * Collect the window pixels within `thresholds[j]` of `centre[j]` in every packed dimension j
 * (pixel index into `cand`, window offset index into `candOff`). Returns their count.
 *
 * Dimension `keyDim` is tested first from its own contiguous array `key`. Runs of `RUN` columns are
 * skipped whole when, in some dimension, their value range (`runMin`/`runMax`: per row, run and
 * dimension) misses the centre's interval: neighbouring pixels have similar values, so a run is
 * rejected in a few comparisons instead of `RUN` pixel tests.
 */
function scanWindow(
  key: Float32Array,
  runMin: Float32Array,
  runMax: Float32Array,
  runsPerRow: number,
  keyDim: number,
  packed: Float32Array,
  K: number,
  centre: Float64Array,
  thresholds: Float64Array,
  W: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  offStart: number,
  side: number,
  cand: Int32Array,
  candOff: Int32Array,
): number {
  const k0 = centre[keyDim];
  const t0 = thresholds[keyDim];
  const lo = k0 - t0;
  const hi = k0 + t0;
  let n = 0;
  let off = offStart;
  for (let rr = r0; rr <= r1; rr++, off += side) {
    const rowStart = rr * W;
    const runRow = rr * runsPerRow;
    let cc = c0;
    while (cc <= c1) {
      if (cc % RUN === 0 && cc + RUN - 1 <= c1) {
        const ri = (runRow + cc / RUN) * K;
        if (runMax[ri + keyDim] <= lo || runMin[ri + keyDim] >= hi) {
          cc += RUN;
          continue;
        }
        // Any dimension whose range misses the centre's interval rejects the whole run.
        let j = 0;
        while (j < K && runMax[ri + j] > centre[j] - thresholds[j] && runMin[ri + j] < centre[j] + thresholds[j]) j++;
        if (j < K) {
          cc += RUN;
          continue;
        }
      }
      const q = rowStart + cc;
      const d = key[q] - k0;
      if (d < t0 && d > -t0) {
        const base = q * K;
        let j = 0;
        while (j < K && Math.abs(packed[base + j] - centre[j]) < thresholds[j]) j++;
        if (j === K) {
          cand[n] = q;
          candOff[n] = off + cc;
          n++;
        }
      }
      cc++;
    }
  }
  return n;
}

/**
 * The packed dimension that rejects most window pixels, estimated on pixel pairs a few pixels apart
 * (deterministic sample): testing it first makes the scan cheapest.
 */
function mostSelectiveDimension(packed: Float32Array, K: number, N: number, W: number, thresholds: Float64Array, w: number): number {
  const pass = new Float64Array(K);
  const step = Math.max(1, Math.floor(N / 4000));
  const shifts = [1, Math.max(1, w >> 1), W * Math.max(1, w >> 2), w + W * (w >> 1)];
  let m = 0;
  for (let p = 0, i = 0; p < N; p += step, i++) {
    const q = p + shifts[i % shifts.length];
    if (q >= N || packed[p * K] !== packed[p * K] || packed[q * K] !== packed[q * K]) continue;
    m++;
    for (let j = 0; j < K; j++) if (Math.abs(packed[p * K + j] - packed[q * K + j]) < thresholds[j]) pass[j]++;
  }
  let best = 0;
  if (m > 0) for (let j = 1; j < K; j++) if (pass[j] < pass[best]) best = j;
  return best;
}

/** Per-target data: window sums of the target's coarse image over valid pixels, and its validity. */
interface TargetData {
  readonly c0: readonly Float32Array[];
  readonly valid: Uint8Array;
  /** True when some pair-valid pixel of the tile is invalid at this target (it needs its own sums). */
  readonly holey: boolean;
  readonly count: Float64Array;
  readonly s0: Float64Array[];
  readonly s1: Float64Array[];
  readonly s2: Float64Array[];
}

/**
 * Predict the tile's output rectangle for every target.
 *
 * @example
 * ```ts
 * const { values } = fuseTile({ width, height, out: { x: 0, y: 0, width, height },
 *   fine1, coarse1, fine2, coarse2, targets: [coarse0], thresholds, options });
 * ```
 */
export function fuseTile(tile: PairTile): PairTileResult {
  const { width: W, height: H, out, options } = tile;
  const nb = tile.fine1.length;
  const K = 2 * nb;
  const nt = tile.targets.length;
  const N = W * H;
  const w = options.halfWindow;
  const side = 2 * w + 1;
  const { compat, background, dnMin, dnMax } = options;
  const regressionGate = 0.02 * dnMax;
  const invalidOut = compat ? 0 : Number.NaN;

  const isValid = compat
    ? (arrays: readonly Float32Array[], p: number) => {
        const v = arrays[0][p];
        return v !== background && v === v;
      }
    : (arrays: readonly Float32Array[], p: number) => {
        for (let b = 0; b < nb; b++) {
          const v = arrays[b][p];
          if (v !== v || v === background) return false;
        }
        return true;
      };

  // Pair validity and the packed fine values used by the similar-pixel test. An invalid pixel gets NaN
  // in its first slot, so the test rejects it without a separate branch.
  const pairValid = new Uint8Array(N);
  const packed = new Float32Array(N * K);

  for (let p = 0; p < N; p++) {
    const ok = isValid(tile.fine1, p) && isValid(tile.fine2, p) && isValid(tile.coarse1, p) && isValid(tile.coarse2, p);
    pairValid[p] = ok ? 1 : 0;
    for (let b = 0; b < nb; b++) {
      packed[p * K + b] = tile.fine1[b][p];
      packed[p * K + nb + b] = tile.fine2[b][p];
    }
    if (!ok) packed[p * K] = Number.NaN;
  }
  const thresholds = Float64Array.from(tile.thresholds);

  // The most selective dimension alone, contiguous (NaN where invalid), with per-row run ranges.
  const keyDim = mostSelectiveDimension(packed, K, N, W, thresholds, options.halfWindow);
  const key = new Float32Array(N);
  for (let p = 0; p < N; p++) key[p] = pairValid[p] ? packed[p * K + keyDim] : Number.NaN;
  const runsPerRow = Math.ceil(W / RUN);
  const runMin = new Float32Array(runsPerRow * H * K).fill(Infinity);
  const runMax = new Float32Array(runsPerRow * H * K).fill(-Infinity);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const p = r * W + c;
      if (!pairValid[p]) continue;
      const ri = (r * runsPerRow + Math.floor(c / RUN)) * K;
      for (let j = 0; j < K; j++) {
        const v = packed[p * K + j];
        if (v < runMin[ri + j]) runMin[ri + j] = v;
        if (v > runMax[ri + j]) runMax[ri + j] = v;
      }
    }
  }

  // Spectral similarity R of each pixel (it depends on the pixel alone, not on the window centre).
  const similarity = new Float64Array(N);
  for (let p = 0; p < N; p++) {
    if (!pairValid[p]) continue;
    let r: number;
    if (nb === 1) {
      const f1 = tile.fine1[0][p];
      const c1 = tile.coarse1[0][p];
      const f2 = tile.fine2[0][p];
      const c2 = tile.coarse2[0][p];
      r = 1 - 0.5 * (Math.abs((f1 - c1) / (f1 + c1)) + Math.abs((f2 - c2) / (f2 + c2)));
    } else {
      let mf = 0;
      let mc = 0;
      for (let b = 0; b < nb; b++) {
        mf += tile.fine1[b][p] + tile.fine2[b][p];
        mc += tile.coarse1[b][p] + tile.coarse2[b][p];
      }
      mf /= K;
      mc /= K;
      let sfc = 0;
      let sff = 0;
      let scc = 0;
      for (let b = 0; b < nb; b++) {
        const df1 = tile.fine1[b][p] - mf;
        const dc1 = tile.coarse1[b][p] - mc;
        const df2 = tile.fine2[b][p] - mf;
        const dc2 = tile.coarse2[b][p] - mc;
        sfc += df1 * dc1 + df2 * dc2;
        sff += df1 * df1 + df2 * df2;
        scc += dc1 * dc1 + dc2 * dc2;
      }
      r = sfc / Math.sqrt(sff * scc);
    }
    similarity[p] = Number.isFinite(r) ? r : 0.5;
  }

  // Window sums of the coarse images over valid pixels: shared pair part, then each target.
  const pairCount = summedArea(W, H, (p) => pairValid[p]);
  const pairS1 = tile.coarse1.map((c) => summedArea(W, H, (p) => (pairValid[p] ? c[p] : 0)));
  const pairS2 = tile.coarse2.map((c) => summedArea(W, H, (p) => (pairValid[p] ? c[p] : 0)));
  const targets: TargetData[] = tile.targets.map((c0) => {
    const valid = new Uint8Array(N);
    let holey = false;
    for (let p = 0; p < N; p++) {
      if (!pairValid[p]) continue;
      if (isValid(c0, p)) valid[p] = 1;
      else holey = true;
    }
    const s0 = c0.map((c) => summedArea(W, H, (p) => (valid[p] ? c[p] : 0)));
    if (!holey) return { c0, valid, holey, count: pairCount, s0, s1: pairS1, s2: pairS2 };
    return {
      c0,
      valid,
      holey,
      count: summedArea(W, H, (p) => valid[p]),
      s0,
      s1: tile.coarse1.map((c) => summedArea(W, H, (p) => (valid[p] ? c[p] : 0))),
      s2: tile.coarse2.map((c) => summedArea(W, H, (p) => (valid[p] ? c[p] : 0))),
    };
  });

  const distance = new Float64Array(side * side);
  for (let dy = -w; dy <= w; dy++) {
    for (let dx = -w; dx <= w; dx++) distance[(dy + w) * side + dx + w] = 1 + Math.sqrt(dx * dx + dy * dy) / w;
  }

  const centre = new Float64Array(K);
  const maxWindow = side * side;
  // Candidate lists (pixel index and offset index) for the shared search and a per-target filtered copy.
  const cand = new Int32Array(maxWindow);
  const candOff = new Int32Array(maxWindow);
  const sub = new Int32Array(maxWindow);
  const subOff = new Int32Array(maxWindow);
  const best = new Int32Array(Math.max(1, options.similarPixels));
  const bestOff = new Int32Array(Math.max(1, options.similarPixels));
  const bestScore = new Float64Array(Math.max(1, options.similarPixels));
  const invD = new Float64Array(maxWindow);

  // Pair statistics of one candidate list (shared by the targets whose windows are fully valid).
  const stats = {
    n: 0,
    list: cand as Int32Array<ArrayBufferLike>,
    sumInv: 0,
    v: new Float64Array(nb),
    wF1: new Float64Array(nb),
    wF2: new Float64Array(nb),
    wC1: new Float64Array(nb),
    wC2: new Float64Array(nb),
  };
  const shared = { ...stats, v: new Float64Array(nb), wF1: new Float64Array(nb), wF2: new Float64Array(nb), wC1: new Float64Array(nb), wC2: new Float64Array(nb) };
  const own = { ...stats, v: new Float64Array(nb), wF1: new Float64Array(nb), wF2: new Float64Array(nb), wC1: new Float64Array(nb), wC2: new Float64Array(nb) };
  type Stats = typeof stats;
  const sharedInv = new Float64Array(maxWindow);
  const ownInv = new Float64Array(maxWindow);

  /** Keep the `k` most similar candidates (ESTARFM_FAST), ties in scan order. Returns the new count. */
  const selectMostSimilar = (list: Int32Array, offs: Int32Array, n: number): number => {
    const k = options.similarPixels;
    if (k <= 0 || n <= k) return n;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const q = list[i];
      let score = 0;
      for (let j = 0; j < K; j++) score += Math.abs(packed[q * K + j] - centre[j]) / thresholds[j];
      if (m === k && score >= bestScore[k - 1]) continue;
      let at = m < k ? m++ : k - 1;
      while (at > 0 && bestScore[at - 1] > score) {
        bestScore[at] = bestScore[at - 1];
        best[at] = best[at - 1];
        bestOff[at] = bestOff[at - 1];
        at--;
      }
      bestScore[at] = score;
      best[at] = q;
      bestOff[at] = offs[i];
    }
    // Restore scan order so sums are accumulated in the same order as without selection.
    const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => best[a] - best[b]);
    for (let i = 0; i < m; i++) {
      list[i] = best[order[i]];
      offs[i] = bestOff[order[i]];
    }
    return m;
  };

  /** Weights and conversion coefficients of a candidate list. */
  const pairStats = (s: Stats, list: Int32Array, offs: Int32Array, n: number, inv: Float64Array): void => {
    s.n = n;
    s.list = list;
    if (n <= MIN_SIMILAR) return;
    let sumInv = 0;
    for (let i = 0; i < n; i++) {
      const q = list[i];
      const d = (1 - similarity[q]) * distance[offs[i]] + 1e-7;
      const x = 1 / d;
      inv[i] = x;
      sumInv += x;
    }
    s.sumInv = sumInv;
    for (let b = 0; b < nb; b++) {
      const f1 = tile.fine1[b];
      const f2 = tile.fine2[b];
      const c1 = tile.coarse1[b];
      const c2 = tile.coarse2[b];
      let sc1 = 0;
      let sc2 = 0;
      let wf1 = 0;
      let wf2 = 0;
      let wc1 = 0;
      let wc2 = 0;
      for (let i = 0; i < n; i++) {
        const q = list[i];
        const x = inv[i];
        const a1 = c1[q];
        const a2 = c2[q];
        sc1 += a1;
        sc2 += a2;
        wc1 += x * a1;
        wc2 += x * a2;
        wf1 += x * f1[q];
        wf2 += x * f2[q];
      }
      s.wF1[b] = wf1;
      s.wF2[b] = wf2;
      s.wC1[b] = wc1;
      s.wC2[b] = wc2;
      let v = 1;
      if (Math.abs(sc1 / n - sc2 / n) >= regressionGate) {
        // Regress [F1; F2] on [C1; C2] (2n points, with intercept); keep a significant slope in (0, 5].
        let sx = 0;
        let sy = 0;
        let sxx = 0;
        let sxy = 0;
        let syy = 0;
        for (let i = 0; i < n; i++) {
          const q = list[i];
          const x1 = c1[q];
          const y1 = f1[q];
          const x2 = c2[q];
          const y2 = f2[q];
          sx += x1 + x2;
          sy += y1 + y2;
          sxx += x1 * x1 + x2 * x2;
          sxy += x1 * y1 + x2 * y2;
          syy += y1 * y1 + y2 * y2;
        }
        const m = 2 * n;
        const cxx = sxx - (sx * sx) / m;
        const cxy = sxy - (sx * sy) / m;
        const cyy = syy - (sy * sy) / m;
        const slope = cxy / cxx;
        const ssr = slope * cxy;
        const sse = Math.max(0, cyy - ssr);
        const f = ssr / (sse / (m - 2));
        if (slope > 0 && slope <= 5 && significantAt5Percent(f, m - 2)) v = slope;
      }
      s.v[b] = v;
    }
  };

  const outN = out.width * out.height;
  const values = tile.targets.map(() => tile.fine1.map(() => new Float32Array(outN)));
  const diag = options.diagnostics
    ? {
        nSimilar: new Int32Array(nt * outN).fill(-1),
        v: new Float64Array(nt * nb * outN).fill(Number.NaN),
        t1: new Float64Array(nt * nb * outN).fill(Number.NaN),
        branch: new Int8Array(nt * nb * outN),
      }
    : undefined;

  const W1 = W + 1;
  for (let oy = 0; oy < out.height; oy++) {
    const r = out.y + oy;
    const r0 = Math.max(0, r - w);
    const r1 = Math.min(H - 1, r + w);
    for (let ox = 0; ox < out.width; ox++) {
      const c = out.x + ox;
      const p = r * W + c;
      const o = oy * out.width + ox;
      if (!pairValid[p]) {
        for (let t = 0; t < nt; t++) for (let b = 0; b < nb; b++) values[t][b][o] = invalidOut;
        continue;
      }
      const c0 = Math.max(0, c - w);
      const c1 = Math.min(W - 1, c + w);
      for (let j = 0; j < K; j++) centre[j] = packed[p * K + j];

      // Similar pixels: within the threshold in every band of both fine images, and valid.
      const n = scanWindow(key, runMin, runMax, runsPerRow, keyDim, packed, K, centre, thresholds, W, r0, r1, c0, c1, (r0 - r + w) * side - c + w, side, cand, candOff);

      // Window sums (SAT corners) for the temporal weights.
      const iA = r0 * W1 + c0;
      const iB = r0 * W1 + c1 + 1;
      const iC = (r1 + 1) * W1 + c0;
      const iD = (r1 + 1) * W1 + c1 + 1;
      const baseCount = pairCount[iD] - pairCount[iB] - pairCount[iC] + pairCount[iA];

      let sharedReady = false;
      for (let t = 0; t < nt; t++) {
        const td = targets[t];
        if (!td.valid[p]) {
          for (let b = 0; b < nb; b++) values[t][b][o] = invalidOut;
          continue;
        }
        const count = td.holey ? td.count[iD] - td.count[iB] - td.count[iC] + td.count[iA] : baseCount;
        let s: Stats;
        if (count === baseCount) {
          if (!sharedReady) {
            let m = n;
            if (options.similarPixels > 0) {
              for (let i = 0; i < n; i++) {
                sub[i] = cand[i];
                subOff[i] = candOff[i];
              }
              m = selectMostSimilar(sub, subOff, n);
              pairStats(shared, sub, subOff, m, sharedInv);
            } else pairStats(shared, cand, candOff, m, sharedInv);
            sharedReady = true;
          }
          s = shared;
        } else {
          // Some window pixels are invalid at this target only: drop them from the similar pixels.
          const valid = td.valid;
          let m = 0;
          for (let i = 0; i < n; i++) {
            if (valid[cand[i]]) {
              sub[m] = cand[i];
              subOff[m] = candOff[i];
              m++;
            }
          }
          m = selectMostSimilar(sub, subOff, m);
          pairStats(own, sub, subOff, m, ownInv);
          s = own;
        }
        const inv = s === shared ? sharedInv : ownInv;
        if (diag) diag.nSimilar[t * outN + o] = s.n;

        for (let b = 0; b < nb; b++) {
          const s0 = td.s0[b];
          const s1 = td.s1[b];
          const s2 = td.s2[b];
          const m0 = (s0[iD] - s0[iB] - s0[iC] + s0[iA]) / count;
          const m1 = (s1[iD] - s1[iB] - s1[iC] + s1[iA]) / count;
          const m2 = (s2[iD] - s2[iB] - s2[iC] + s2[iA]) / count;
          // Temporal weights from the window-mean coarse change (the reference adds 1e-10 after the
          // absolute value in the normal branch and before it in the fallback).
          const few = s.n <= MIN_SIMILAR;
          const d1 = m0 - m1 + (few ? 1e-10 : 0);
          const d2 = m0 - m2 + (few ? 1e-10 : 0);
          const i1 = 1 / (Math.abs(d1) + (few ? 0 : 1e-10));
          const i2 = 1 / (Math.abs(d2) + (few ? 0 : 1e-10));
          const t1 = i1 / (i1 + i2);
          const t2 = i2 / (i1 + i2);
          const f1c = tile.fine1[b][p];
          const f2c = tile.fine2[b][p];
          let value: number;
          let branch: number;
          if (few) {
            value = t1 * (f1c + d1) + t2 * (f2c + d2);
            branch = BRANCH.fewSimilar;
          } else {
            const c0b = td.c0[b];
            const list = s.list;
            let wc0 = 0;
            for (let i = 0; i < s.n; i++) wc0 += inv[i] * c0b[list[i]];
            const v = s.v[b];
            const f01 = f1c + (v * (wc0 - s.wC1[b])) / s.sumInv;
            const f02 = f2c + (v * (wc0 - s.wC2[b])) / s.sumInv;
            value = t1 * f01 + t2 * f02;
            branch = BRANCH.normal;
            if (value <= dnMin || value >= dnMax) {
              value = (t1 * s.wF1[b] + t2 * s.wF2[b]) / s.sumInv;
              branch = BRANCH.outOfRange;
            }
            if (diag) diag.v[(t * nb + b) * outN + o] = v;
          }
          values[t][b][o] = value;
          if (diag) {
            diag.t1[(t * nb + b) * outN + o] = t1;
            diag.branch[(t * nb + b) * outN + o] = branch;
          }
        }
      }
    }
  }
  return diag ? { values, diagnostics: diag } : { values };
}
