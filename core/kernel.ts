/**
 * soilscale core's light public entry, for code that runs on worker threads: pure numeric functions
 * with no I/O and no heavy dependencies, so a worker starts without loading the whole engine
 * (GeoTIFF, CRS, registry, validation). Everything here is also exported by `core/index.ts`.
 *
 * @example
 * ```ts
 * // plugins/my-method/src/kernel.ts — imported by worker threads through context.workers
 * import { createRng, choleskySolve } from 'soilscale/kernel'; // inside this repository: '../../../core/kernel.js'
 * const b = Float64Array.of(createRng(1).next(), 1);
 * choleskySolve(Float64Array.of(4, 2, 2, 3), b, 2); // solves in place
 * ```
 */
export * from './util/random.js';
export * from './util/linear-algebra.js';
export { logGamma, regularizedIncompleteBeta } from './metrics/special-functions.js';
export * from './util/wasm-binary.js';
export * from './services/worker-task.js';
