/**
 * Loads libsvm-js (the emscripten build of libsvm) once per thread, quietly. It is CommonJS without
 * types, so it is required and given the narrow interface soilscale uses.
 */
import { createRequire } from 'node:module';

/** The part of libsvm-js's `SVM` class that soilscale calls. */
export interface LibsvmModel {
  train(samples: number[][] | Float64Array[], labels: number[] | Float64Array): void;
  predictOne(sample: ArrayLike<number>): number;
  getSVIndices(): number[];
  serializeModel(): string;
  free(): void;
}

export interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  load(serialized: string): LibsvmModel;
  readonly SVM_TYPES: { readonly EPSILON_SVR: string; readonly NU_SVR: string };
  readonly KERNEL_TYPES: { readonly LINEAR: string; readonly POLYNOMIAL: string; readonly RBF: string };
}

let loading: Promise<LibsvmClass> | undefined;

/** The libsvm-js `SVM` class (WebAssembly build). */
export function loadLibsvm(): Promise<LibsvmClass> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    // Node has WebAssembly.instantiateStreaming, so the emscripten loader first tries to fetch the
    // .wasm by file path, fails, warns on the console and falls back to reading it. Skip the attempt.
    const wasm = (globalThis as { WebAssembly?: { instantiateStreaming?: unknown } }).WebAssembly ?? {};
    const streaming = wasm.instantiateStreaming;
    wasm.instantiateStreaming = undefined;
    try {
      return (await (require('libsvm-js/wasm.js') as Promise<LibsvmClass>)) as LibsvmClass;
    } finally {
      wasm.instantiateStreaming = streaming;
    }
  })();
  return loading;
}
