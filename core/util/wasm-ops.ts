/**
 * The instruction vocabulary of the hand-assembled kernels: every WebAssembly instruction they use, by
 * its text-format name (as in the spec and `wasm2wat`), with its encoding and immediate kind. One table
 * serves both directions: `ins` encodes an instruction, `wasmListing` (wasm-listing.ts) prints a module's
 * code back as text, so a kernel's listing always shows the bytes that run.
 *
 * @example
 * ```ts
 * const body = [...ins('local.get', 0), ...ins('i32.const', 8), ...ins('i32.mul'), ...ins('end')];
 * ```
 */
import { sleb, uleb } from './wasm-binary.js';

/**
 * How an instruction's immediates are encoded: `block` (empty block type), `index` (a local or label,
 * unsigned), `i32` (signed), `f64` (8 bytes), `mem` (alignment and offset; the value is the offset, the
 * alignment is the instruction's natural one), `lane` (one byte), `bytes16` (v128.const, i8x16.shuffle).
 */
export type WasmImmediate = 'none' | 'block' | 'index' | 'i32' | 'f64' | 'mem' | 'lane' | 'bytes16';

/** `[opcode, immediate, natural alignment (log2 bytes, memory instructions only)]`; opcodes ≥ 0xfd00 are SIMD (prefix 0xfd). */
type Def = readonly [number, WasmImmediate, number?];

const SIMD = 0xfd00;

const DEFS = {
  unreachable: [0x00, 'none'],
  block: [0x02, 'block'],
  loop: [0x03, 'block'],
  if: [0x04, 'block'],
  else: [0x05, 'none'],
  end: [0x0b, 'none'],
  br: [0x0c, 'index'],
  br_if: [0x0d, 'index'],
  return: [0x0f, 'none'],
  drop: [0x1a, 'none'],
  select: [0x1b, 'none'],
  'local.get': [0x20, 'index'],
  'local.set': [0x21, 'index'],
  'local.tee': [0x22, 'index'],
  'i32.load': [0x28, 'mem', 2],
  'f32.load': [0x2a, 'mem', 2],
  'f64.load': [0x2b, 'mem', 3],
  'i32.load8_u': [0x2d, 'mem', 0],
  'i32.load16_u': [0x2f, 'mem', 1],
  'i32.store': [0x36, 'mem', 2],
  'f32.store': [0x38, 'mem', 2],
  'f64.store': [0x39, 'mem', 3],
  'i32.store8': [0x3a, 'mem', 0],
  'i32.store16': [0x3b, 'mem', 1],
  'i32.const': [0x41, 'i32'],
  'f64.const': [0x44, 'f64'],
  'i32.eqz': [0x45, 'none'],
  'i32.eq': [0x46, 'none'],
  'i32.ne': [0x47, 'none'],
  'i32.lt_s': [0x48, 'none'],
  'i32.lt_u': [0x49, 'none'],
  'i32.gt_s': [0x4a, 'none'],
  'i32.gt_u': [0x4b, 'none'],
  'i32.le_s': [0x4c, 'none'],
  'i32.le_u': [0x4d, 'none'],
  'i32.ge_s': [0x4e, 'none'],
  'i32.ge_u': [0x4f, 'none'],
  'f64.eq': [0x61, 'none'],
  'f64.ne': [0x62, 'none'],
  'f64.lt': [0x63, 'none'],
  'f64.gt': [0x64, 'none'],
  'f64.le': [0x65, 'none'],
  'f64.ge': [0x66, 'none'],
  'i32.clz': [0x67, 'none'],
  'i32.ctz': [0x68, 'none'],
  'i32.popcnt': [0x69, 'none'],
  'i32.add': [0x6a, 'none'],
  'i32.sub': [0x6b, 'none'],
  'i32.mul': [0x6c, 'none'],
  'i32.and': [0x71, 'none'],
  'i32.or': [0x72, 'none'],
  'i32.xor': [0x73, 'none'],
  'i32.shl': [0x74, 'none'],
  'i32.shr_s': [0x75, 'none'],
  'i32.shr_u': [0x76, 'none'],
  'f64.abs': [0x99, 'none'],
  'f64.neg': [0x9a, 'none'],
  'f64.sqrt': [0x9f, 'none'],
  'f64.add': [0xa0, 'none'],
  'f64.sub': [0xa1, 'none'],
  'f64.mul': [0xa2, 'none'],
  'f64.div': [0xa3, 'none'],
  'f64.min': [0xa4, 'none'],
  'f64.max': [0xa5, 'none'],
  'f64.convert_i32_s': [0xb7, 'none'],
  'f64.promote_f32': [0xbb, 'none'],
  'v128.load': [SIMD | 0x00, 'mem', 4],
  'v128.load32_splat': [SIMD | 0x09, 'mem', 2],
  'v128.load64_splat': [SIMD | 0x0a, 'mem', 3],
  'v128.store': [SIMD | 0x0b, 'mem', 4],
  'v128.const': [SIMD | 0x0c, 'bytes16'],
  'i8x16.shuffle': [SIMD | 0x0d, 'bytes16'],
  'i32x4.splat': [SIMD | 0x11, 'none'],
  'f32x4.splat': [SIMD | 0x13, 'none'],
  'f64x2.splat': [SIMD | 0x14, 'none'],
  'i32x4.extract_lane': [SIMD | 0x1b, 'lane'],
  'f64x2.extract_lane': [SIMD | 0x21, 'lane'],
  'f64x2.replace_lane': [SIMD | 0x22, 'lane'],
  'f32x4.lt': [SIMD | 0x43, 'none'],
  'f64x2.lt': [SIMD | 0x49, 'none'],
  'f64x2.gt': [SIMD | 0x4a, 'none'],
  'v128.not': [SIMD | 0x4d, 'none'],
  'v128.and': [SIMD | 0x4e, 'none'],
  'v128.andnot': [SIMD | 0x4f, 'none'],
  'v128.or': [SIMD | 0x50, 'none'],
  'v128.xor': [SIMD | 0x51, 'none'],
  'v128.bitselect': [SIMD | 0x52, 'none'],
  'v128.any_true': [SIMD | 0x53, 'none'],
  'v128.load64_zero': [SIMD | 0x5d, 'mem', 3],
  'f64x2.promote_low_f32x4': [SIMD | 0x5f, 'none'],
  'i32x4.all_true': [SIMD | 0xa3, 'none'],
  'i32x4.bitmask': [SIMD | 0xa4, 'none'],
  'i32x4.add': [SIMD | 0xae, 'none'],
  'i32x4.sub': [SIMD | 0xb1, 'none'],
  'f32x4.abs': [SIMD | 0xe0, 'none'],
  'f32x4.sub': [SIMD | 0xe5, 'none'],
  'f64x2.abs': [SIMD | 0xec, 'none'],
  'f64x2.add': [SIMD | 0xf0, 'none'],
  'f64x2.sub': [SIMD | 0xf1, 'none'],
  'f64x2.mul': [SIMD | 0xf2, 'none'],
  'f64x2.div': [SIMD | 0xf3, 'none'],
  'f64x2.pmax': [SIMD | 0xf7, 'none'],
} as const satisfies Record<string, Def>;

/** The name of an instruction in the vocabulary. */
export type WasmOpName = keyof typeof DEFS;

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** An instruction's opcode bytes (a SIMD opcode is the prefix and its LEB128 index). */
function opcodeBytes(code: number): number[] {
  return code >= SIMD ? [0xfd, ...uleb(code - SIMD)] : [code];
}

/**
 * The bytes of one instruction. Immediates by kind: `index`/`i32`/`lane` one integer, `f64` one number,
 * `mem` the offset (default 0; alignment is the natural one), `bytes16` sixteen bytes, `block` none
 * (blocks have no result).
 */
export function ins(name: WasmOpName, ...immediates: number[]): number[] {
  const [code, kind, align] = DEFS[name] as Def;
  const out = opcodeBytes(code);
  switch (kind) {
    case 'none':
      break;
    case 'block':
      out.push(0x40);
      break;
    case 'index':
      out.push(...uleb(immediates[0]));
      break;
    case 'i32':
      out.push(...sleb(immediates[0]));
      break;
    case 'lane':
      out.push(immediates[0]);
      break;
    case 'f64':
      F64[0] = immediates[0];
      out.push(...F64_BYTES);
      break;
    case 'mem':
      out.push(align ?? 0, ...uleb(immediates[0] ?? 0));
      break;
    case 'bytes16':
      if (immediates.length !== 16) throw new Error(`${name} takes 16 bytes, got ${immediates.length}`);
      out.push(...immediates);
      break;
  }
  return out;
}

/** Encoding → name and immediate kind, for the listing. */
export function wasmOpByCode(code: number): { readonly name: WasmOpName; readonly immediate: WasmImmediate } | undefined {
  return BY_CODE.get(code);
}

const BY_CODE = new Map<number, { readonly name: WasmOpName; readonly immediate: WasmImmediate }>(
  (Object.entries(DEFS) as [WasmOpName, Def][]).map(([name, [code, immediate]]) => [code, { name, immediate }]),
);

/** The SIMD prefix as a code offset (`0xfd00 | index`), for decoders. */
export const WASM_SIMD_PREFIX = SIMD;
