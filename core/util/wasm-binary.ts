/**
 * The few pieces needed to assemble a WebAssembly module by hand (there is no toolchain on the build
 * machines, and the kernels are small): LEB128 integers, vectors, names, sections, and the JS API's
 * types (the project's TypeScript lib has none).
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
 *   ...wasmSection(1, wasmVector([[0x60, 0, 0]])), // type 0: () → ()
 *   ...wasmSection(3, wasmVector([[0]])),          // function 0 has type 0
 *   ...wasmSection(7, wasmVector([[...wasmName('noop'), 0x00, 0]])),
 *   ...wasmSection(10, wasmVector([[2, 0, 0x0b]]))]); // no locals, `end`
 * new (webAssembly()!.Instance)(new (webAssembly()!.Module)(bytes), {}).exports.noop;
 * ```
 */

/** Unsigned LEB128. */
export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (for `i32.const`). */
export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const wasmVector = (items: readonly (readonly number[])[]): number[] => [...uleb(items.length), ...items.flat()];
export const wasmName = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
export const wasmSection = (id: number, body: readonly number[]): number[] => [id, ...uleb(body.length), ...body];

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

/** The members of the WebAssembly JS API the kernels use. */
export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { readonly buffer: ArrayBuffer };
}

/** The runtime's WebAssembly, or `null` where there is none (callers fall back to JS). */
export function webAssembly(): WebAssemblyApi | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  return typeof api === 'object' ? api : null;
}
