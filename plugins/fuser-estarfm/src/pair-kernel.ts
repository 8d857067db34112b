/**
 * The ESTARFM pixel kernel for one tile and one pair of base dates, predicting one or several target
 * dates at once (the similar-pixel search depends only on the pair, so it is shared by every target).
 *
 * Runs on a worker thread (`fuseTile` is the task function) or inline. Everything a pixel needs that
 * does not depend on the window centre is computed once per tile: validity, the spectral similarity
 * term 1 − R of each pixel, the coarse values interleaved per pixel, a bit-plane index of the fine
 * values (`similar-pixels.ts`), and summed-area tables giving every window mean of the coarse images
 * in O(1). Per pixel: the bit-plane search (exactly the reference's similar pixels, row-major), then
 * one pass over them for the weights and every sum the prediction needs, no allocation.
 */
import { significantAt5Percent } from './f-test.js';
import { buildSimilarityIndex, scanSimilar, similarityIndexGeometry } from './similar-pixels.js';
import { tileArrays, type TileKernel } from './wasm-tile-kernel.js';
import { workerTask } from '../../../core/kernel.js';

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
  /** Run the hot loops in WebAssembly where available (default); `false` keeps the JS loops (same bytes). */
  readonly wasm?: boolean;
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

/**
 * The packed dimensions ordered from the one that rejects most window pixels, estimated on pixel
 * pairs a few pixels apart (deterministic sample): testing it first makes the search cheapest.
 */
function selectivityOrder(packed: Float32Array, valid: Uint8Array, K: number, N: number, W: number, thresholds: Float64Array, w: number): Int32Array {
  const pass = new Float64Array(K);
  const step = Math.max(1, Math.floor(N / 4000));
  const shifts = [1, Math.max(1, w >> 1), W * Math.max(1, w >> 2), w + W * (w >> 1)];
  for (let p = 0, i = 0; p < N; p += step, i++) {
    const q = p + shifts[i % shifts.length];
    if (q >= N || !valid[p] || !valid[q]) continue;
    for (let j = 0; j < K; j++) if (Math.abs(packed[p * K + j] - packed[q * K + j]) < thresholds[j]) pass[j]++;
  }
  return Int32Array.from(Array.from({ length: K }, (_, j) => j).sort((a, b) => pass[a] - pass[b] || a - b));
}

/** Per-target data: window sums of the target's coarse image over valid pixels, and its validity. */
interface TargetData {
  readonly c0: readonly Float32Array[];
  /** The target's coarse values interleaved per pixel (`[pixel][band]`). */
  readonly c0Packed: Float64Array;
  readonly valid: Uint8Array;
  /** True when some pair-valid pixel of the tile is invalid at this target (it needs its own sums). */
  readonly holey: boolean;
  readonly count: Float64Array;
  readonly s0: Float64Array[];
  readonly s1: Float64Array[];
  readonly s2: Float64Array[];
}

/** Per-pixel inputs of the sums over similar pixels (computed once per tile). */
interface PixelData {
  readonly nb: number;
  /** 1 − R per pixel (R: spectral similarity of the pixel's fine and coarse values). */
  readonly oneMinusR: Float64Array;
  /** 1 + r/w per window offset. */
  readonly distance: Float64Array;
  /** `[pixel][band][C1, C2, F1, F2]`: the base pair's values interleaved, so a pixel's are adjacent. */
  readonly record: Float64Array;
  /** The WebAssembly loops over these arrays (all in its memory), or `null` for the JS loops. */
  readonly kernel: TileKernel | null;
}

/** Sums over one list of similar pixels, reused from pixel to pixel (no allocation per pixel). */
class SimilarSums {
  n = 0;
  list: Int32Array;
  sumInv = 0;
  /** 1/D of each list entry (inverse combined distance; the weights are inv / sumInv). */
  readonly inv: Float64Array;
  /** `[band][ΣC1, ΣC2, Σinv·C1, Σinv·C2]`. */
  readonly coarse: Float64Array;
  /** `[target][band]`: Σ inv·C0. */
  readonly wc0: Float64Array;
  /** Conversion coefficient per band. */
  readonly v: Float64Array;
  /** `[band][Σinv·F1, Σinv·F2]`, computed only when the out-of-range fallback needs them. */
  readonly fine: Float64Array;
  fineReady = false;
  /** `[band][Σ(C1+C2), Σ(F1+F2), Σ(C1²+C2²), Σ(C1F1+C2F2), Σ(F1²+F2²)]` when `regressionReady`. */
  readonly regression: Float64Array;
  regressionReady = false;
  /** Whether the last list's regression gate passed (neighbours usually agree: then sum it in the same pass). */
  gatePassed = false;

  constructor(nb: number, nt: number, inv: Float64Array, list: Int32Array) {
    this.list = list;
    this.inv = inv;
    this.coarse = new Float64Array(4 * nb);
    this.wc0 = new Float64Array(Math.max(1, nt) * nb);
    this.v = new Float64Array(nb);
    this.fine = new Float64Array(2 * nb);
    this.regression = new Float64Array(5 * nb);
  }
}

/**
 * The weights 1/D of a similar-pixel list and every weighted and plain sum the prediction needs, for
 * the pair and for the targets listed in `sel` (`nSel` ≥ 1 of them). Each sum is accumulated in list
 * order, as the reference does.
 */
function accumulate(s: SimilarSums, list: Int32Array, offs: Int32Array, n: number, px: PixelData, c0s: readonly Float64Array[], sel: Int32Array, nSel: number): void {
  const { nb, oneMinusR, distance, record } = px;
  const inv = s.inv;
  const acc = s.coarse;
  const wc0 = s.wc0;
  const stride = 4 * nb;
  s.n = n;
  s.list = list;
  s.fineReady = false;
  s.regressionReady = false;
  if (px.kernel && (nb === 1 || nb === 3)) {
    // The kernel's sums for the first target; the others' weighted coarse sums from its weights.
    (nb === 1 ? accumulateOneBand : accumulateThreeBands)(s, list, offs, n, px, c0s[sel[0]], sel[0]);
    for (let k = 1; k < nSel; k++) {
      const t = sel[k];
      const ct = c0s[t];
      for (let b = 0; b < nb; b++) {
        let wt = 0;
        for (let i = 0; i < n; i++) wt += inv[i] * ct[list[i] * nb + b];
        wc0[t * nb + b] = wt;
      }
    }
    return;
  }
  if (nb === 1 && nSel === 1 && s.gatePassed) {
    accumulateOneBand(s, list, offs, n, px, c0s[sel[0]], sel[0]);
    return;
  }
  if (nb === 3 && nSel === 1) {
    accumulateThreeBands(s, list, offs, n, px, c0s[sel[0]], sel[0]);
    return;
  }
  // Band 0's pass also computes the weights; later bands' passes read them back (the list's pixels
  // stay in L1 across the passes, and each pass keeps its sums in registers).
  const t0 = sel[0];
  const c0 = c0s[t0];
  let sumInv = 0;
  for (let b = 0; b < nb; b++) {
    let sc1 = 0;
    let sc2 = 0;
    let w1 = 0;
    let w2 = 0;
    let w0 = 0;
    if (b === 0) {
      for (let i = 0; i < n; i++) {
        const q = list[i];
        const x = 1 / (oneMinusR[q] * distance[offs[i]] + 1e-7);
        inv[i] = x;
        sumInv += x;
        const a1 = record[q * stride];
        const a2 = record[q * stride + 1];
        sc1 += a1;
        sc2 += a2;
        w1 += x * a1;
        w2 += x * a2;
        w0 += x * c0[q * nb];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const q = list[i];
        const x = inv[i];
        const a1 = record[q * stride + 4 * b];
        const a2 = record[q * stride + 4 * b + 1];
        sc1 += a1;
        sc2 += a2;
        w1 += x * a1;
        w2 += x * a2;
        w0 += x * c0[q * nb + b];
      }
    }
    acc[4 * b] = sc1;
    acc[4 * b + 1] = sc2;
    acc[4 * b + 2] = w1;
    acc[4 * b + 3] = w2;
    wc0[t0 * nb + b] = w0;
    for (let k = 1; k < nSel; k++) {
      const t = sel[k];
      const ct = c0s[t];
      let wt = 0;
      for (let i = 0; i < n; i++) wt += inv[i] * ct[list[i] * nb + b];
      wc0[t * nb + b] = wt;
    }
  }
  s.sumInv = sumInv;
}

/** `accumulate` for three bands (optical reflectance) and one target: one pass, sums in registers. */
function accumulateThreeBands(s: SimilarSums, list: Int32Array, offs: Int32Array, n: number, px: PixelData, c0: Float64Array, t: number): void {
  const { oneMinusR, distance, record, kernel } = px;
  if (kernel) {
    kernel.sums3(list.byteOffset, offs.byteOffset, n, oneMinusR.byteOffset, distance.byteOffset, record.byteOffset, c0.byteOffset, s.inv.byteOffset, kernel.out.byteOffset);
    const out = kernel.out;
    s.coarse.set(out.subarray(0, 12));
    s.wc0[3 * t] = out[12];
    s.wc0[3 * t + 1] = out[13];
    s.wc0[3 * t + 2] = out[14];
    s.sumInv = out[15];
    return;
  }
  const inv = s.inv;
  let sumInv = 0;
  let a0 = 0;
  let b0 = 0;
  let u0 = 0;
  let v0 = 0;
  let z0 = 0;
  let a1 = 0;
  let b1 = 0;
  let u1 = 0;
  let v1 = 0;
  let z1 = 0;
  let a2 = 0;
  let b2 = 0;
  let u2 = 0;
  let v2 = 0;
  let z2 = 0;
  for (let i = 0; i < n; i++) {
    const q = list[i];
    const x = 1 / (oneMinusR[q] * distance[offs[i]] + 1e-7);
    inv[i] = x;
    sumInv += x;
    const at = 12 * q;
    const c = 3 * q;
    let p1 = record[at];
    let p2 = record[at + 1];
    a0 += p1;
    b0 += p2;
    u0 += x * p1;
    v0 += x * p2;
    z0 += x * c0[c];
    p1 = record[at + 4];
    p2 = record[at + 5];
    a1 += p1;
    b1 += p2;
    u1 += x * p1;
    v1 += x * p2;
    z1 += x * c0[c + 1];
    p1 = record[at + 8];
    p2 = record[at + 9];
    a2 += p1;
    b2 += p2;
    u2 += x * p1;
    v2 += x * p2;
    z2 += x * c0[c + 2];
  }
  s.sumInv = sumInv;
  const acc = s.coarse;
  acc[0] = a0;
  acc[1] = b0;
  acc[2] = u0;
  acc[3] = v0;
  acc[4] = a1;
  acc[5] = b1;
  acc[6] = u1;
  acc[7] = v1;
  acc[8] = a2;
  acc[9] = b2;
  acc[10] = u2;
  acc[11] = v2;
  s.wc0[3 * t] = z0;
  s.wc0[3 * t + 1] = z1;
  s.wc0[3 * t + 2] = z2;
}

/**
 * `accumulate` for one band and one target, with the regression sums in the same pass (for when the
 * regression gate is expected to pass, as it usually does for soil moisture between two dates; always
 * with the kernel, whose extra sums cost little).
 */
function accumulateOneBand(s: SimilarSums, list: Int32Array, offs: Int32Array, n: number, px: PixelData, c0: Float64Array, t: number): void {
  const { oneMinusR, distance, record, kernel } = px;
  if (kernel) {
    kernel.sums1(list.byteOffset, offs.byteOffset, n, oneMinusR.byteOffset, distance.byteOffset, record.byteOffset, c0.byteOffset, s.inv.byteOffset, kernel.out.byteOffset);
    const out = kernel.out;
    s.coarse.set(out.subarray(0, 4));
    s.wc0[t] = out[4];
    s.sumInv = out[5];
    const r = s.regression;
    r[0] = out[6];
    r[1] = out[7];
    r[2] = out[8];
    r[4] = out[9];
    r[3] = out[10];
    s.regressionReady = true;
    return;
  }
  const inv = s.inv;
  let sumInv = 0;
  let sc1 = 0;
  let sc2 = 0;
  let w1 = 0;
  let w2 = 0;
  let w0 = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const q = list[i];
    const x = 1 / (oneMinusR[q] * distance[offs[i]] + 1e-7);
    inv[i] = x;
    sumInv += x;
    const at = 4 * q;
    const x1 = record[at];
    const x2 = record[at + 1];
    const y1 = record[at + 2];
    const y2 = record[at + 3];
    sc1 += x1;
    sc2 += x2;
    w1 += x * x1;
    w2 += x * x2;
    w0 += x * c0[q];
    sx += x1 + x2;
    sy += y1 + y2;
    sxx += x1 * x1 + x2 * x2;
    sxy += x1 * y1 + x2 * y2;
    syy += y1 * y1 + y2 * y2;
  }
  s.sumInv = sumInv;
  s.coarse[0] = sc1;
  s.coarse[1] = sc2;
  s.coarse[2] = w1;
  s.coarse[3] = w2;
  s.wc0[t] = w0;
  const r = s.regression;
  r[0] = sx;
  r[1] = sy;
  r[2] = sxx;
  r[3] = sxy;
  r[4] = syy;
  s.regressionReady = true;
}

/**
 * Conversion coefficient of each band: 1, unless the similar pixels' mean coarse change reaches the
 * gate; then the slope of [F1; F2] on [C1; C2] (2n points, with intercept) if significant and in (0, 5].
 */
function conversionCoefficients(s: SimilarSums, px: PixelData, regressionGate: number): void {
  const { nb, record } = px;
  const stride = 4 * nb;
  const n = s.n;
  const list = s.list;
  let gatePassed = false;
  for (let b = 0; b < nb; b++) {
    let v = 1;
    if (Math.abs(s.coarse[4 * b] / n - s.coarse[4 * b + 1] / n) >= regressionGate) {
      gatePassed = true;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      let syy = 0;
      if (s.regressionReady) {
        const r = s.regression;
        sx = r[5 * b];
        sy = r[5 * b + 1];
        sxx = r[5 * b + 2];
        sxy = r[5 * b + 3];
        syy = r[5 * b + 4];
      } else {
        for (let i = 0; i < n; i++) {
          const at = list[i] * stride + 4 * b;
          const x1 = record[at];
          const x2 = record[at + 1];
          const y1 = record[at + 2];
          const y2 = record[at + 3];
          sx += x1 + x2;
          sy += y1 + y2;
          sxx += x1 * x1 + x2 * x2;
          sxy += x1 * y1 + x2 * y2;
          syy += y1 * y1 + y2 * y2;
        }
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
  s.gatePassed = gatePassed;
}

/** Σ inv·F1 and Σ inv·F2 per band (the out-of-range fallback), once per list. */
function fineSums(s: SimilarSums, px: PixelData): void {
  if (s.fineReady) return;
  const { nb, record } = px;
  for (let b = 0; b < nb; b++) {
    let wf1 = 0;
    let wf2 = 0;
    for (let i = 0; i < s.n; i++) {
      const at = s.list[i] * 4 * nb + 4 * b;
      const x = s.inv[i];
      wf1 += x * record[at + 2];
      wf2 += x * record[at + 3];
    }
    s.fine[2 * b] = wf1;
    s.fine[2 * b + 1] = wf2;
  }
  s.fineReady = true;
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

  const geometry = similarityIndexGeometry(K, W, H);
  const arrays = tileArrays({ pixels: N, bands: nb, targets: nt, planeWords: geometry.words, window: side * side, rowWords: geometry.wordsPerRow }, options.wasm !== false);
  // Pair validity, the packed fine values of the similarity test and the interleaved pair values.
  const pairValid = new Uint8Array(N);
  const { packed, record } = arrays;
  for (let p = 0; p < N; p++) {
    pairValid[p] = isValid(tile.fine1, p) && isValid(tile.fine2, p) && isValid(tile.coarse1, p) && isValid(tile.coarse2, p) ? 1 : 0;
    for (let b = 0; b < nb; b++) {
      packed[p * K + b] = tile.fine1[b][p];
      packed[p * K + nb + b] = tile.fine2[b][p];
      const at = (p * nb + b) * 4;
      record[at] = tile.coarse1[b][p];
      record[at + 1] = tile.coarse2[b][p];
      record[at + 2] = tile.fine1[b][p];
      record[at + 3] = tile.fine2[b][p];
    }
  }
  const thresholds = arrays.thresholds;
  thresholds.set(tile.thresholds);
  const index = buildSimilarityIndex(packed, pairValid, K, W, H, selectivityOrder(packed, pairValid, K, N, W, thresholds, w), arrays.planes);

  // Spectral similarity R of each pixel (it depends on the pixel alone, not on the window centre).
  const oneMinusR = arrays.oneMinusR;
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
    oneMinusR[p] = 1 - (Number.isFinite(r) ? r : 0.5);
  }

  // Window sums of the coarse images over valid pixels: shared pair part, then each target.
  const pairCount = summedArea(W, H, (p) => pairValid[p]);
  const pairS1 = tile.coarse1.map((c) => summedArea(W, H, (p) => (pairValid[p] ? c[p] : 0)));
  const pairS2 = tile.coarse2.map((c) => summedArea(W, H, (p) => (pairValid[p] ? c[p] : 0)));
  const targets: TargetData[] = tile.targets.map((c0, t) => {
    const valid = new Uint8Array(N);
    const c0Packed = arrays.c0Packed[t];
    let holey = false;
    for (let p = 0; p < N; p++) {
      for (let b = 0; b < nb; b++) c0Packed[p * nb + b] = c0[b][p];
      if (!pairValid[p]) continue;
      if (isValid(c0, p)) valid[p] = 1;
      else holey = true;
    }
    const s0 = c0.map((c) => summedArea(W, H, (p) => (valid[p] ? c[p] : 0)));
    if (!holey) return { c0, c0Packed, valid, holey, count: pairCount, s0, s1: pairS1, s2: pairS2 };
    return {
      c0,
      c0Packed,
      valid,
      holey,
      count: summedArea(W, H, (p) => valid[p]),
      s0,
      s1: tile.coarse1.map((c) => summedArea(W, H, (p) => (valid[p] ? c[p] : 0))),
      s2: tile.coarse2.map((c) => summedArea(W, H, (p) => (valid[p] ? c[p] : 0))),
    };
  });
  const c0s = targets.map((t) => t.c0Packed);

  const distance = arrays.distance;
  for (let dy = -w; dy <= w; dy++) {
    for (let dx = -w; dx <= w; dx++) distance[(dy + w) * side + dx + w] = 1 + Math.sqrt(dx * dx + dy * dy) / w;
  }
  const kernel = arrays.kernel;
  const px: PixelData = { nb, oneMinusR, distance, record, kernel };

  const { centre, scratch } = arrays;
  // Candidate lists (pixel index and offset index) for the shared search and a per-target filtered copy.
  const [cand, candOff, sub, subOff, keptList, keptOffList] = arrays.lists;
  const kept = options.similarPixels > 0 ? keptList : cand;
  const keptOff = options.similarPixels > 0 ? keptOffList : candOff;
  const best = new Int32Array(Math.max(1, options.similarPixels));
  const bestOff = new Int32Array(Math.max(1, options.similarPixels));
  const bestScore = new Float64Array(Math.max(1, options.similarPixels));
  const sharedSel = new Int32Array(Math.max(1, nt));
  const ownSel = new Int32Array(1);

  // Sums of the shared candidate list (targets whose windows are fully valid) and of a target's own list.
  const shared = new SimilarSums(nb, nt, arrays.inv[0], cand);
  const own = new SimilarSums(nb, nt, arrays.inv[1], sub);

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

  /** Weights, sums and conversion coefficients of a candidate list for the selected targets. */
  const pairStats = (s: SimilarSums, list: Int32Array, offs: Int32Array, n: number, sel: Int32Array, nSel: number): void => {
    s.n = n;
    s.list = list;
    if (n <= MIN_SIMILAR) return;
    accumulate(s, list, offs, n, px, c0s, sel, nSel);
    conversionCoefficients(s, px, regressionGate);
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
      const n = scanSimilar(index, packed, thresholds, centre, scratch, r, c, w, cand, candOff, kernel?.scan);

      // Window sums (SAT corners) for the temporal weights.
      const iA = r0 * W1 + c0;
      const iB = r0 * W1 + c1 + 1;
      const iC = (r1 + 1) * W1 + c0;
      const iD = (r1 + 1) * W1 + c1 + 1;
      const baseCount = pairCount[iD] - pairCount[iB] - pairCount[iC] + pairCount[iA];

      // Targets valid here whose window has every pair-valid pixel valid share one candidate list.
      let nShared = 0;
      for (let t = 0; t < nt; t++) {
        const td = targets[t];
        if (td.valid[p] && (!td.holey || td.count[iD] - td.count[iB] - td.count[iC] + td.count[iA] === baseCount)) sharedSel[nShared++] = t;
      }
      if (nShared > 0) {
        if (options.similarPixels > 0) {
          // The selection gets its own buffers: `cand` stays whole for the holey targets' lists.
          kept.set(cand.subarray(0, n));
          keptOff.set(candOff.subarray(0, n));
          pairStats(shared, kept, keptOff, selectMostSimilar(kept, keptOff, n), sharedSel, nShared);
        } else pairStats(shared, cand, candOff, n, sharedSel, nShared);
      }

      for (let t = 0, k = 0; t < nt; t++) {
        const td = targets[t];
        if (!td.valid[p]) {
          for (let b = 0; b < nb; b++) values[t][b][o] = invalidOut;
          continue;
        }
        let s: SimilarSums;
        if (k < nShared && sharedSel[k] === t) {
          s = shared;
          k++;
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
          ownSel[0] = t;
          pairStats(own, sub, subOff, m, ownSel, 1);
          s = own;
        }
        const count = td.holey ? td.count[iD] - td.count[iB] - td.count[iC] + td.count[iA] : baseCount;
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
            const wc0 = s.wc0[t * nb + b];
            const v = s.v[b];
            const f01 = f1c + (v * (wc0 - s.coarse[4 * b + 2])) / s.sumInv;
            const f02 = f2c + (v * (wc0 - s.coarse[4 * b + 3])) / s.sumInv;
            value = t1 * f01 + t2 * f02;
            branch = BRANCH.normal;
            if (value <= dnMin || value >= dnMax) {
              fineSums(s, px);
              value = (t1 * s.fine[2 * b] + t2 * s.fine[2 * b + 1]) / s.sumInv;
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

/** `fuseTile` on a worker thread. */
export const fuseTileTask = workerTask(import.meta.url, { fuseTile });
