/**
 * soilscale core's light public entry, for code that runs on worker threads: pure numeric functions
 * with no I/O and no heavy dependencies, so a worker starts without loading the whole engine
 * (GeoTIFF, CRS, registry, validation). Everything here is also exported by `core/index.ts`.
 *
 * @example
 * ```ts
 * // plugins/my-method/src/kernel.ts — imported by worker threads through context.workers
 * import { createRng, choleskySolve } from '../../../core/kernel.js';
 * ```
 */
export * from './util/random.js';
export * from './util/linear-algebra.js';
export { logGamma, regularizedIncompleteBeta } from './metrics/special-functions.js';
export * from './util/wasm-binary.js';
