/**
 * A text listing of a hand-assembled kernel module, decoded from its bytes with the vocabulary of
 * `wasm-ops.ts` (so the listing is what runs, not what was meant): each exported function's signature,
 * locals and instructions, indented by block depth, in the text format's names. Kernels keep their
 * listing in a `.wat` file beside them, checked against the bytes by their tests.
 *
 * @example
 * ```ts
 * console.log(wasmListing(wasmKernelModuleBytes([{ name: 'noop', params: 0, body: [0, 0x0b] }])));
 * // (func $noop
 * // )
 * ```
 */
import { wasmOpByCode, WASM_SIMD_PREFIX } from './wasm-ops.js';

const VALUE_TYPES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error(`wasm listing: unexpected end of module at byte ${this.at}`);
    return this.bytes[this.at++];
  }
  uleb(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return v;
    }
  }
  sleb(): number {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return b & 0x40 ? v - 2 ** shift : v;
  }
  name(): string {
    const n = this.uleb();
    const s = String.fromCharCode(...this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
}

/** Decoded instructions of one function body (from after its locals to its final `end`). */
function listCode(r: Reader, end: number): string[] {
  const lines: string[] = [];
  let depth = 1;
  while (r.at < end) {
    const first = r.byte();
    const code = first === 0xfd ? WASM_SIMD_PREFIX | r.uleb() : first;
    const op = wasmOpByCode(code);
    if (!op) throw new Error(`wasm listing: opcode 0x${code.toString(16)} at byte ${r.at} is not in the vocabulary`);
    if (op.name === 'end' || op.name === 'else') depth--;
    let text: string = op.name;
    switch (op.immediate) {
      case 'block': {
        const t = r.byte();
        if (t !== 0x40) text += ` (result ${VALUE_TYPES[t] ?? t})`;
        break;
      }
      case 'index':
        text += ` ${r.uleb()}`;
        break;
      case 'i32':
        text += ` ${r.sleb()}`;
        break;
      case 'lane':
        text += ` ${r.byte()}`;
        break;
      case 'f64': {
        const v = new Float64Array(r.bytes.slice(r.at, r.at + 8).buffer)[0];
        r.at += 8;
        text += ` ${v}`;
        break;
      }
      case 'mem': {
        const align = r.uleb();
        const offset = r.uleb();
        text += `${offset ? ` offset=${offset}` : ''} align=${2 ** align}`;
        break;
      }
      case 'bytes16':
        text += ` ${Array.from(r.bytes.subarray(r.at, r.at + 16)).join(' ')}`;
        r.at += 16;
        break;
      case 'none':
        break;
    }
    if (depth > 0) lines.push(`${'  '.repeat(depth)}${text}`);
    if (op.immediate === 'block' || op.name === 'else') depth++;
  }
  return lines;
}

/** The listing of a module's functions (type, import and export sections read for names and signatures). */
export function wasmListing(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  r.at = 8;
  const types: string[][] = [];
  const funcTypes: number[] = [];
  const names = new Map<number, string>();
  const out: string[] = [];
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.uleb();
    const end = r.at + size;
    if (id === 1) {
      for (let i = 0, n = r.uleb(); i < n; i++) {
        r.byte(); // 0x60
        const params = Array.from({ length: r.uleb() }, () => VALUE_TYPES[r.byte()]);
        const results = Array.from({ length: r.uleb() }, () => VALUE_TYPES[r.byte()]);
        types.push([params.length ? ` (param ${params.join(' ')})` : '', results.length ? ` (result ${results.join(' ')})` : '']);
      }
    } else if (id === 2) {
      for (let i = 0, n = r.uleb(); i < n; i++) {
        const module = r.name();
        const field = r.name();
        const kind = r.byte();
        if (kind !== 0x02) throw new Error('wasm listing: only memory imports are listed');
        const flags = r.byte();
        const min = r.uleb();
        const max = flags & 1 ? ` ${r.uleb()}` : '';
        out.push(`(import "${module}" "${field}" (memory ${min}${max}${flags & 2 ? ' shared' : ''}))`);
      }
    } else if (id === 3) {
      for (let i = 0, n = r.uleb(); i < n; i++) funcTypes.push(r.uleb());
    } else if (id === 7) {
      for (let i = 0, n = r.uleb(); i < n; i++) {
        const name = r.name();
        const kind = r.byte();
        const index = r.uleb();
        if (kind === 0) names.set(index, name);
      }
    } else if (id === 10) {
      for (let f = 0, n = r.uleb(); f < n; f++) {
        const bodyEnd = r.uleb() + r.at;
        const locals: string[] = [];
        for (let g = 0, groups = r.uleb(); g < groups; g++) {
          const count = r.uleb();
          const type = VALUE_TYPES[r.byte()];
          for (let k = 0; k < count; k++) locals.push(type);
        }
        const [params, results] = types[funcTypes[f]];
        out.push(`(func $${names.get(f) ?? f}${params}${results}${locals.length ? ` (local ${locals.join(' ')})` : ''}`);
        out.push(...listCode(r, bodyEnd));
        out.push(')');
      }
    }
    r.at = end;
  }
  return `${out.join('\n')}\n`;
}
