/**
 * The hot loops of the ESTARFM pixel kernel as a WebAssembly SIMD module, over a tile's arrays kept in
 * the kernel's memory (`TileArrays`): the bit-plane similar-pixel scan (`scanSimilar`'s loop) and the
 * sums over a similar-pixel list for three bands (`accumulateThreeBands`) and for one band with the
 * regression sums (`accumulateOneBand`). Both do exactly the JS loops'
 * arithmetic in the same order (f64, no fused multiply-add; SIMD lanes hold different sums, never parts
 * of one), so the bytes of every prediction are the JS path's (tested).
 *
 * - `scan(...) → n`: the window rows' plane words ANDed over the active dimensions, sure bits taken
 *   whole, the others tested exactly (`|f64(packed) − centre| < threshold` in every dimension).
 * - `sums3(...)`: per list entry the weight `1/(oneMinusR·distance + 1e-7)`, then in f64x2 lanes
 *   (C1, C2) per band summed plain and weighted, and the target's weighted coarse values.
 * - `sums1(...)`: the same for one band, plus the regression sums.
 */
import { ins, lazyWasmKernel, uleb, wasmKernelModuleBytes, wasmVector, type WasmKernelInstance, type WasmOpName } from '../../../core/kernel.js';
import type { KernelScan as ScanFn } from './similar-pixels.js';

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

/** Instruction shorthands over local indices. */
const get = (i: number) => ins('local.get', i);
const set = (i: number) => ins('local.set', i);
const tee = (i: number) => ins('local.tee', i);
const i32 = (v: number) => ins('i32.const', v);
const op = (...names: WasmOpName[]) => names.flatMap((n) => ins(n));
/** `local += step`. */
const bump = (local: number, step: number) => [...get(local), ...i32(step), ...op('i32.add'), ...set(local)];
/** `block loop <exit test> br_if 1 <body> br 0 end end`: a while loop. */
const whileLoop = (exitWhen: number[], ...body: number[][]) => [...op('block', 'loop'), ...exitWhen, ...ins('br_if', 1), ...body.flat(), ...ins('br', 0), ...op('end', 'end')];

// ---- scan ----
// Parameters.
const [PLANES, PACKED, TH, CENTRE, SCR, ACTIVE, R0, R1, C0, C1, ROW, COL, W, ROWWORDS, DIMS, SIDE, HW, CAND, CANDOFF, MASKS] = Array.from({ length: 20 }, (_, i) => i);
// Locals: i32, then v128.
const [N, RR, ROWBASE, OFFROW, PIXROW, VI, V1, MK, VBASE, A, SCREND, M, SURE, LOW, Q, OK, J, QB, CC, WI] = Array.from({ length: 20 }, (_, i) => 20 + i);
const [MV, SV, PASS] = [40, 41, 42];

/** `vec &= plane[hi] & ~plane[lo]` over the active dimensions (`hiAt`/`loAt`: the scratch entries' byte offsets). */
function andPlanes(vec: number, hiAt: number, loAt: number, whileAny: boolean): number[] {
  const plane = (at: number) => [...get(VBASE), ...get(A), ...ins('i32.load', at), ...op('i32.add'), ...ins('v128.load')];
  const step = [...get(vec), ...plane(hiAt), ...plane(loAt), ...op('v128.andnot', 'v128.and'), ...set(vec), ...bump(A, 16)];
  const exit = [...get(A), ...get(SCREND), ...op('i32.ge_u')];
  if (!whileAny) return [...get(SCR), ...set(A), ...whileLoop(exit, step)];
  // Leave as soon as no candidate is left (the most selective dimension comes first).
  return [...get(SCR), ...set(A), ...op('block', 'loop'), ...exit, ...ins('br_if', 1), ...step, ...get(vec), ...op('v128.any_true'), ...ins('br_if', 0), ...op('end', 'end')];
}

/** Candidates and sure bits in one pass over every active dimension (no data-dependent branch). */
function andBoth(): number[] {
  const plane = (at: number) => [...get(VBASE), ...get(A), ...ins('i32.load', at), ...op('i32.add'), ...ins('v128.load')];
  return [...get(SCR), ...set(A), ...whileLoop([...get(A), ...get(SCREND), ...op('i32.ge_u')],
    [...get(MV), ...plane(0), ...plane(4), ...op('v128.andnot', 'v128.and'), ...set(MV)],
    [...get(SV), ...plane(8), ...plane(12), ...op('v128.andnot', 'v128.and'), ...set(SV)],
    bump(A, 16))];
}

/** `cc = 32·wi + ctz(m); low = m & −m; m ^= low`. */
const nextBit = [
  ...get(WI), ...i32(5), ...op('i32.shl'), ...get(M), ...op('i32.ctz', 'i32.add'), ...set(CC),
  ...get(M), ...i32(0), ...get(M), ...op('i32.sub', 'i32.and'), ...set(LOW),
  ...get(M), ...get(LOW), ...op('i32.xor'), ...set(M),
];

/** `cand[n] = q; candOff[n] = offRow + cc` (the caller then advances n). */
const store = (q: number[]) => [
  ...get(CAND), ...get(N), ...i32(2), ...op('i32.shl', 'i32.add'), ...q, ...ins('i32.store'),
  ...get(CANDOFF), ...get(N), ...i32(2), ...op('i32.shl', 'i32.add'), ...get(OFFROW), ...get(CC), ...op('i32.add'), ...ins('i32.store'),
];

/**
 * `ok = |f64(packed[q·dims + j]) − centre[j]| < th[j]` in every dimension, two dimensions per f64x2
 * (dims = 2·bands is even; the centre and thresholds are 16-aligned f64 arrays).
 */
const exactTest = [
  ...get(PACKED), ...get(Q), ...get(DIMS), ...op('i32.mul'), ...i32(2), ...op('i32.shl', 'i32.add'), ...set(QB),
  ...i32(0), ...set(J),
  ...ins('v128.const', ...new Array<number>(16).fill(0xff)), ...set(PASS),
  ...whileLoop([...get(J), ...get(DIMS), ...op('i32.ge_u')],
    [...get(PASS)],
    [...get(QB), ...get(J), ...i32(2), ...op('i32.shl', 'i32.add'), ...ins('v128.load64_zero'), ...op('f64x2.promote_low_f32x4')],
    [...get(CENTRE), ...get(J), ...i32(3), ...op('i32.shl', 'i32.add'), ...ins('v128.load'), ...op('f64x2.sub', 'f64x2.abs')],
    [...get(TH), ...get(J), ...i32(3), ...op('i32.shl', 'i32.add'), ...ins('v128.load'), ...op('f64x2.lt', 'v128.and'), ...set(PASS)],
    bump(J, 2)),
  ...get(PASS), ...op('i32x4.all_true'), ...set(OK),
];

/** Word `k` of the vector: its candidates `m` and sure bits, emitted in column order. */
function word(k: number): number[] {
  return [
    ...get(MV), ...ins('i32x4.extract_lane', k), ...tee(M), ...op('if'),
    ...get(SV), ...ins('i32x4.extract_lane', k), ...set(SURE),
    ...get(VI), ...i32(2), ...op('i32.shl'), ...i32(k), ...op('i32.add'), ...set(WI),
    ...get(M), ...get(SURE), ...i32(-1), ...op('i32.xor', 'i32.and', 'i32.eqz', 'if'),
    // Every candidate of the word is strictly inside every interval.
    ...whileLoop([...get(M), ...op('i32.eqz')], nextBit, store([...get(PIXROW), ...get(CC), ...op('i32.add')]), bump(N, 1)),
    ...op('else'),
    ...whileLoop([...get(M), ...op('i32.eqz')],
      nextBit,
      [...get(PIXROW), ...get(CC), ...op('i32.add'), ...set(Q), ...i32(1), ...set(OK)],
      [...get(SURE), ...get(LOW), ...op('i32.and', 'i32.eqz', 'if'), ...exactTest, ...op('end')],
      store(get(Q)),
      [...get(N), ...get(OK), ...op('i32.add'), ...set(N)]),
    ...op('end', 'end'),
  ];
}

function scanBody(): number[] {
  const code = [
    ...get(C1), ...i32(7), ...op('i32.shr_u'), ...set(V1),
    ...get(SCR), ...get(ACTIVE), ...i32(4), ...op('i32.shl', 'i32.add'), ...set(SCREND),
    ...get(R0), ...set(RR),
    ...whileLoop([...get(RR), ...get(R1), ...op('i32.gt_s')],
      [...get(RR), ...get(ROWWORDS), ...op('i32.mul'), ...i32(2), ...op('i32.shl'), ...set(ROWBASE)],
      [...get(RR), ...get(ROW), ...op('i32.sub'), ...get(HW), ...op('i32.add'), ...get(SIDE), ...op('i32.mul'), ...get(COL), ...op('i32.sub'), ...get(HW), ...op('i32.add'), ...set(OFFROW)],
      [...get(RR), ...get(W), ...op('i32.mul'), ...set(PIXROW)],
      [...get(C0), ...i32(7), ...op('i32.shr_u'), ...set(VI), ...get(MASKS), ...set(MK)],
      whileLoop([...get(VI), ...get(V1), ...op('i32.gt_s')],
        [...get(ROWBASE), ...get(VI), ...i32(4), ...op('i32.shl', 'i32.add'), ...set(VBASE)],
        [...get(MK), ...ins('v128.load'), ...set(MV)],
        [...get(MV), ...set(SV)],
        andBoth(),
        [...get(MV), ...op('v128.any_true', 'if')],
        word(0), word(1), word(2), word(3),
        [...op('end')],
        bump(VI, 1), bump(MK, 16)),
      bump(RR, 1)),
    ...get(N),
    ...op('end'),
  ];
  return [...wasmVector([[...uleb(20), I32], [3, V128]]), ...code];
}

// ---- sums3 ----
const [S_CAND, S_OFF, S_N, S_ONEMR, S_DIST, S_RECORD, S_C0, S_INV, S_OUT] = Array.from({ length: 9 }, (_, i) => i);
const [S_I, S_Q, S_AT] = [9, 10, 11];
const S_X = 12;
const S_SUM = 13;
const [S_XS, S_AB0, S_UV0, S_AB1, S_UV1, S_AB2, S_UV2, S_Z01] = [14, 15, 16, 17, 18, 19, 20, 21];
const S_Z2 = 22;
const S_V = 23;

/**
 * List entry `i`'s pixel `q` and weight `x = 1/(oneMinusR[q]·distance[off[i]] + 1e-7)`: `inv[i] = x`,
 * `Σx += x`, and `x` in both lanes of `xs` (locals shared by `sums3` and `sums1`).
 */
function weightOf(xs: number): number[] {
  return [
    ...get(S_CAND), ...get(S_I), ...i32(2), ...op('i32.shl', 'i32.add'), ...ins('i32.load'), ...set(S_Q),
    ...get(S_INV), ...get(S_I), ...i32(3), ...op('i32.shl', 'i32.add'),
    ...ins('f64.const', 1),
    ...get(S_ONEMR), ...get(S_Q), ...i32(3), ...op('i32.shl', 'i32.add'), ...ins('f64.load'),
    ...get(S_DIST), ...get(S_OFF), ...get(S_I), ...i32(2), ...op('i32.shl', 'i32.add'), ...ins('i32.load'), ...i32(3), ...op('i32.shl', 'i32.add'), ...ins('f64.load'),
    ...op('f64.mul'), ...ins('f64.const', 1e-7), ...op('f64.add', 'f64.div'), ...tee(S_X), ...ins('f64.store'),
    ...get(S_SUM), ...get(S_X), ...op('f64.add'), ...set(S_SUM),
    ...get(S_X), ...op('f64x2.splat'), ...set(xs),
  ];
}

function sums3Body(): number[] {
  /** `ab += v; uv += xs·v` with `v` the (C1, C2) of the band at `at + offset`. */
  const band = (ab: number, uv: number, offset: number) => [
    ...get(S_AT), ...ins('v128.load', offset), ...set(S_V),
    ...get(ab), ...get(S_V), ...op('f64x2.add'), ...set(ab),
    ...get(uv), ...get(S_XS), ...get(S_V), ...op('f64x2.mul', 'f64x2.add'), ...set(uv),
  ];
  const code = [
    ...i32(0), ...set(S_I), // locals start at zero: the sums too
    ...whileLoop([...get(S_I), ...get(S_N), ...op('i32.ge_u')],
      // q = cand[i]; x = 1 / (oneMinusR[q]·distance[off[i]] + 1e-7); inv[i] = x; sum += x
      weightOf(S_XS),
      // record: 12 f64 per pixel, (C1, C2, F1, F2) per band.
      [...get(S_RECORD), ...get(S_Q), ...i32(96), ...op('i32.mul', 'i32.add'), ...set(S_AT)],
      band(S_AB0, S_UV0, 0),
      band(S_AB1, S_UV1, 32),
      band(S_AB2, S_UV2, 64),
      // The target's coarse values: 3 f64 per pixel.
      [...get(S_C0), ...get(S_Q), ...i32(24), ...op('i32.mul', 'i32.add'), ...set(S_AT)],
      [...get(S_Z01), ...get(S_XS), ...get(S_AT), ...ins('v128.load'), ...op('f64x2.mul', 'f64x2.add'), ...set(S_Z01)],
      [...get(S_Z2), ...get(S_X), ...get(S_AT), ...ins('f64.load', 16), ...op('f64.mul', 'f64.add'), ...set(S_Z2)],
      bump(S_I, 1)),
    // out: [ΣC1, ΣC2, Σx·C1, Σx·C2] per band, then Σx·C0 per band, then Σx.
    ...[S_AB0, S_UV0, S_AB1, S_UV1, S_AB2, S_UV2, S_Z01].flatMap((v, k) => [...get(S_OUT), ...get(v), ...ins('v128.store', 16 * k)]),
    ...get(S_OUT), ...get(S_Z2), ...ins('f64.store', 112),
    ...get(S_OUT), ...get(S_SUM), ...ins('f64.store', 120),
    ...op('end'),
  ];
  return [...wasmVector([[3, I32], [2, F64], [8, V128], [1, F64], [1, V128]]), ...code];
}

// ---- sums1 ----
// Same parameters and i32 locals as sums3, and its f64 locals x and Σx (`weightOf`); then Σx·C0, Σ(x1·y1 + x2·y2), and v128 locals.
const [U_W0, U_SXY] = [14, 15];
const [U_XS, U_V1, U_V2, U_SC, U_W, U_S, U_SS, U_LO, U_HI, U_P] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
/** Lanes 0 of `a` and `b`, then lanes 1: `i8x16.shuffle` byte indices. */
const LOW_LANES = [...Array.from({ length: 8 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => 16 + i)];
const HIGH_LANES = LOW_LANES.map((i) => i + 8);

/**
 * `accumulateOneBand`: per list entry the weight, then (ΣC1, ΣC2) and (Σx·C1, Σx·C2) in f64x2 lanes,
 * Σx·C0, and the regression sums of [F1; F2] on [C1; C2] — (Σx, Σy) and (Σx², Σy²) as lanes of
 * (x1, y1) + (x2, y2), Σxy as x1·y1 + x2·y2 — each rounded as the JS expression is.
 */
function sums1Body(): number[] {
  const code = [
    ...i32(0), ...set(S_I),
    ...whileLoop([...get(S_I), ...get(S_N), ...op('i32.ge_u')],
      weightOf(U_XS),
      // record: (C1, C2, F1, F2) per pixel = (x1, x2) and (y1, y2).
      [...get(S_RECORD), ...get(S_Q), ...i32(5), ...op('i32.shl', 'i32.add'), ...set(S_AT)],
      [...get(S_AT), ...ins('v128.load'), ...set(U_V1), ...get(S_AT), ...ins('v128.load', 16), ...set(U_V2)],
      [...get(U_SC), ...get(U_V1), ...op('f64x2.add'), ...set(U_SC)],
      [...get(U_W), ...get(U_XS), ...get(U_V1), ...op('f64x2.mul', 'f64x2.add'), ...set(U_W)],
      [...get(U_W0), ...get(S_X), ...get(S_C0), ...get(S_Q), ...i32(3), ...op('i32.shl', 'i32.add'), ...ins('f64.load'), ...op('f64.mul', 'f64.add'), ...set(U_W0)],
      [...get(U_V1), ...get(U_V2), ...ins('i8x16.shuffle', ...LOW_LANES), ...set(U_LO)], // (x1, y1)
      [...get(U_V1), ...get(U_V2), ...ins('i8x16.shuffle', ...HIGH_LANES), ...set(U_HI)], // (x2, y2)
      [...get(U_S), ...get(U_LO), ...get(U_HI), ...op('f64x2.add', 'f64x2.add'), ...set(U_S)],
      [...get(U_SS), ...get(U_LO), ...get(U_LO), ...op('f64x2.mul'), ...get(U_HI), ...get(U_HI), ...op('f64x2.mul', 'f64x2.add', 'f64x2.add'), ...set(U_SS)],
      [...get(U_V1), ...get(U_V2), ...op('f64x2.mul'), ...tee(U_P), ...ins('f64x2.extract_lane', 0), ...get(U_P), ...ins('f64x2.extract_lane', 1), ...op('f64.add')],
      [...get(U_SXY), ...op('f64.add'), ...set(U_SXY)],
      bump(S_I, 1)),
    // out: (ΣC1, ΣC2), (Σx·C1, Σx·C2), Σx·C0, Σx, (Σx, Σy), (Σx², Σy²), Σxy.
    ...get(S_OUT), ...get(U_SC), ...ins('v128.store'),
    ...get(S_OUT), ...get(U_W), ...ins('v128.store', 16),
    ...get(S_OUT), ...get(U_W0), ...ins('f64.store', 32),
    ...get(S_OUT), ...get(S_SUM), ...ins('f64.store', 40),
    ...get(S_OUT), ...get(U_S), ...ins('v128.store', 48),
    ...get(S_OUT), ...get(U_SS), ...ins('v128.store', 64),
    ...get(S_OUT), ...get(U_SXY), ...ins('f64.store', 80),
    ...op('end'),
  ];
  return [...wasmVector([[3, I32], [4, F64], [10, V128]]), ...code];
}

/** The module (exported for its listing and call count). */
export const tileKernel = lazyWasmKernel(() =>
  wasmKernelModuleBytes([
    { name: 'scan', params: 20, returnsI32: true, body: scanBody() },
    { name: 'sums3', params: 9, body: sums3Body() },
    { name: 'sums1', params: 9, body: sums1Body() },
  ]),
);

type Sums3Fn = (cand: number, off: number, n: number, oneMinusR: number, distance: number, record: number, c0: number, inv: number, out: number) => void;

/** Sizes of a tile's arrays. */
export interface TileSizes {
  /** Pixels of the tile (with its halo). */
  readonly pixels: number;
  readonly bands: number;
  readonly targets: number;
  /** Int32 words of the similarity index's bit planes. */
  readonly planeWords: number;
  /** Pixels of the largest window ((2w+1)²). */
  readonly window: number;
  /** Words per row of the index's planes (the most the scan's column masks need). */
  readonly rowWords: number;
}

/**
 * A tile's arrays, in the kernel's memory when `kernel` is set (then its functions run on them), else
 * plain typed arrays for the JS loops. Lists are the candidate, FAST-selected and per-target lists.
 */
export interface TileArrays {
  readonly planes: Int32Array;
  readonly packed: Float32Array;
  readonly record: Float64Array;
  readonly oneMinusR: Float64Array;
  readonly distance: Float64Array;
  /** Per target: its coarse values interleaved per pixel. */
  readonly c0Packed: Float64Array[];
  readonly thresholds: Float64Array;
  readonly centre: Float64Array;
  readonly scratch: Int32Array;
  readonly lists: readonly Int32Array[];
  /** One weight buffer per sums object (shared and per-target). */
  readonly inv: readonly Float64Array[];
  readonly kernel: TileKernel | null;
}

/** The kernel functions bound to a tile's arrays (addresses are the arrays' byte offsets). */
export interface TileKernel {
  readonly scan: ScanFn;
  readonly sums3: Sums3Fn;
  /** The one-band sums (same parameters as `sums3`). */
  readonly sums1: Sums3Fn;
  /** The 16 values `sums3` (or 11 `sums1`) writes. */
  readonly out: Float64Array;
}

/** This thread's kernel instance, reused from tile to tile (and grown when a tile needs more memory). */
let cached: { readonly instance: WasmKernelInstance; readonly bytes: number } | null = null;

function threadInstance(bytes: number): WasmKernelInstance | null {
  if (cached && cached.bytes >= bytes) return cached.instance;
  // A little headroom: neighbouring tiles differ by a few rows or columns.
  const size = Math.ceil(bytes * 1.25);
  const instance = tileKernel.instantiate(size);
  cached = instance && { instance, bytes: size };
  return instance;
}

/**
 * The arrays of one tile, in this thread's kernel instance when `wasm` and WebAssembly SIMD are available.
 *
 * @example
 * ```ts
 * const a = tileArrays({ pixels: N, bands: 3, targets: 1, planeWords, window: 51 * 51 }, true);
 * if (a.kernel) n = a.kernel.scan(a.planes.byteOffset, ...);
 * ```
 */
export function tileArrays(sizes: TileSizes, wasm: boolean): TileArrays {
  const { pixels: N, bands: nb, targets: nt, planeWords, window, rowWords } = sizes;
  const K = 2 * nb;
  const lengths: Array<[kind: 'i32' | 'f32' | 'f64', length: number]> = [
    ['i32', planeWords],
    ['f32', N * K],
    ['f64', N * 4 * nb],
    ['f64', N],
    ['f64', window],
    ...Array.from({ length: nt }, () => ['f64', N * nb] as ['f64', number]),
    ['f64', K],
    ['f64', K],
    ['i32', 4 * K],
    ...Array.from({ length: 6 }, () => ['i32', window] as ['i32', number]),
    ['f64', window],
    ['f64', window],
    ['f64', 16],
    ['i32', rowWords],
    ['i32', 4 * K],
  ];
  const offsets: number[] = [];
  let bytes = 16;
  for (const [kind, length] of lengths) {
    offsets.push(bytes);
    bytes = (bytes + length * (kind === 'f64' ? 8 : 4) + 15) & ~15; // 16-aligned starts (f64x2 loads)
  }
  const instance = wasm ? threadInstance(bytes) : null;
  const buffer = instance?.buffer;
  // Zeroed like fresh arrays (a reused memory holds the last tile's; the index sets bits into zeroed planes).
  if (buffer) new Uint8Array(buffer, 0, bytes).fill(0);
  const views = lengths.map(([kind, length], i) => {
    const Type = kind === 'i32' ? Int32Array : kind === 'f32' ? Float32Array : Float64Array;
    return buffer ? new Type(buffer, offsets[i], length) : new Type(length);
  });
  let v = 0;
  const take = <T>() => views[v++] as T;
  const planes = take<Int32Array>();
  const packed = take<Float32Array>();
  const record = take<Float64Array>();
  const oneMinusR = take<Float64Array>();
  const distance = take<Float64Array>();
  const c0Packed = Array.from({ length: nt }, () => take<Float64Array>());
  const thresholds = take<Float64Array>();
  const centre = take<Float64Array>();
  const scratch = take<Int32Array>();
  const lists = Array.from({ length: 6 }, () => take<Int32Array>());
  const inv = [take<Float64Array>(), take<Float64Array>()];
  const out = take<Float64Array>();
  const masks = take<Int32Array>();
  const planeBytes = take<Int32Array>();
  const kernel = instance ? { scan: { scan: instance.exports.scan as ScanFn['scan'], masks, planeBytes }, sums3: instance.exports.sums3 as Sums3Fn, sums1: instance.exports.sums1 as Sums3Fn, out } : null;
  return { planes, packed, record, oneMinusR, distance, c0Packed, thresholds, centre, scratch, lists, inv, kernel };
}
