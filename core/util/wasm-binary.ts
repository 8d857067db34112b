/**
 * The few pieces needed to assemble a WebAssembly module by hand (there is no toolchain on the build
 * machines, and the kernels are small): LEB128 integers, vectors, names, sections, the kernel module
 * layout, and the JS API's types (the project's TypeScript lib has none). Instructions are spelled with
 * the vocabulary of `wasm-ops.ts` (`ins`), and `wasmListing` prints a module back as text.
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

/** A `WebAssembly.Memory`; a shared one can be posted to worker threads and used by an instance on each. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

/** The members of the WebAssembly JS API the kernels use. */
export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The runtime's WebAssembly, or `null` where there is none (callers fall back to JS). */
export function webAssembly(): WebAssemblyApi | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  return typeof api === 'object' ? api : null;
}

/**
 * A function of a kernel module: its export name, number of i32 parameters, whether it returns an i32,
 * and body (locals vector, code, `end`).
 */
export interface WasmKernelFunction {
  readonly name: string;
  readonly params: number;
  readonly returnsI32?: boolean;
  readonly body: readonly number[];
}

/** The bytes of a module that imports its memory as `m.mem` and exports `functions` (i32 parameters, no result or one i32). */
export function wasmKernelModuleBytes(functions: readonly WasmKernelFunction[], options: { readonly sharedMemory?: boolean } = {}): Uint8Array {
  const I32 = 0x7f;
  // Memory limits: min 1 page; a shared memory must declare a maximum (here the whole 4 GiB range).
  const limits = options.sharedMemory ? [0x03, 0x01, ...uleb(65536)] : [0x00, 0x01];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...wasmSection(1, wasmVector(functions.map((f) => [0x60, ...wasmVector(new Array<number[]>(f.params).fill([I32])), ...(f.returnsI32 ? [1, I32] : [0])]))),
    ...wasmSection(2, wasmVector([[...wasmName('m'), ...wasmName('mem'), 0x02, ...limits]])),
    ...wasmSection(3, wasmVector(functions.map((_, i) => uleb(i)))),
    ...wasmSection(7, wasmVector(functions.map((f, i) => [...wasmName(f.name), 0x00, ...uleb(i)]))),
    ...wasmSection(10, wasmVector(functions.map((f) => [...uleb(f.body.length), ...f.body]))),
  ]);
}

/** Largest memory a kernel instance asks for (its addresses are i32); callers fall back to JS above it. */
export const WASM_KERNEL_MAX_BYTES = 1 << 30;

/** A kernel instance: its exports (each counted in `calls`) and its memory. */
export interface WasmKernelInstance {
  readonly exports: Record<string, unknown>;
  /** The memory's buffer (a SharedArrayBuffer for a shared memory; typed for the views kernels make on it). */
  readonly buffer: ArrayBuffer;
  readonly memory: WasmMemory;
}

/** A hand-assembled kernel module, compiled on first use. */
export interface LazyWasmKernel {
  /**
   * An instance with a fresh memory of at least `size` bytes, or `null` where WebAssembly (or a feature
   * the bytes use) is missing, when `size` is too large for i32 addresses or the memory cannot be
   * reserved: callers then run their JS code, which gives the same results.
   */
  instantiate(size: number): WasmKernelInstance | null;
  /** An instance on an existing memory (a shared one made by `instantiate` on another thread); `null` as above. */
  instantiateOn(memory: WasmMemory): WasmKernelInstance | null;
  /** The module's bytes (for its listing, see `wasmListing`). */
  bytes(): Uint8Array;
  /**
   * Calls into this kernel's exported functions on this thread so far: tests read it to prove the
   * WebAssembly path ran (a JS fallback gives the same bytes, so results alone cannot show it).
   */
  readonly calls: number;
}

/**
 * A kernel module compiled on first use, and instances of it each with a fresh memory (a shared one
 * when the module was built with `sharedMemory`, so other threads can run instances on it).
 *
 * @example
 * ```ts
 * const kernel = lazyWasmKernel(() => wasmKernelModuleBytes([{ name: 'noop', params: 0, body: [0, 0x0b] }]));
 * const instance = kernel.instantiate(65536); // { exports: { noop }, buffer } or null
 * ```
 */
export function lazyWasmKernel(build: () => Uint8Array, options: { readonly sharedMemory?: boolean } = {}): LazyWasmKernel {
  let bytes: Uint8Array | undefined;
  let compiled: WasmModule | null | undefined;
  let calls = 0;
  const moduleBytes = () => (bytes ??= build());
  const module = (): WasmModule | null => {
    if (compiled === undefined) {
      const api = webAssembly();
      const b = moduleBytes();
      compiled = api && api.validate(b) ? new api.Module(b) : null;
    }
    return compiled;
  };
  // Each export counted; the wrapper costs a few ns per call, and kernels are called per block of work.
  const counted = (f: (...args: number[]) => unknown) =>
    function (this: unknown, ...args: number[]) {
      calls++;
      return f(...args);
    };
  const instantiateOn = (memory: WasmMemory): WasmKernelInstance | null => {
    const m = module();
    const api = webAssembly();
    if (!m || !api) return null;
    try {
      const raw = new api.Instance(m, { m: { mem: memory } }).exports;
      const exports: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(raw)) exports[name] = typeof f === 'function' ? counted(f as (...args: number[]) => unknown) : f;
      return { exports, buffer: memory.buffer as ArrayBuffer, memory };
    } catch {
      return null;
    }
  };
  return {
    instantiate(size) {
      const api = webAssembly();
      if (!module() || !api || size > WASM_KERNEL_MAX_BYTES) return null;
      const pages = Math.max(1, Math.ceil(size / 65536));
      let memory: WasmMemory;
      try {
        memory = new api.Memory(options.sharedMemory ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
      } catch {
        return null;
      }
      return instantiateOn(memory);
    },
    instantiateOn,
    bytes: moduleBytes,
    get calls() {
      return calls;
    },
  };
}

export * from './wasm-ops.js';
export { wasmListing } from './wasm-listing.js';
