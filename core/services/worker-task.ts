// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

/**
 * A function that worker threads can run: an export of a kernel module, named once where it is defined
 * (`workerTask`) and typed by its signature, so callers pass checked arguments and get a typed result.
 */
export interface WorkerTask<F extends AnyFunction = AnyFunction> {
  /** `file:` URL of the module the worker imports. */
  readonly module: string;
  /** The export the worker calls. */
  readonly fn: string;
  /** Type only (never set): the function's signature. */
  readonly signature?: F;
}

/**
 * Name a kernel module's export as a worker task. Written in the kernel module itself, beside the
 * function, so the module address and the export name cannot drift from the code.
 *
 * @example
 * ```ts
 * // plugins/my-method/src/kernel.ts
 * import { workerTask } from 'soilscale/kernel'; // inside this repository: '../../../core/kernel.js'
 * export function sumTile(a: Float32Array): number { let s = 0; for (const v of a) s += v; return s; }
 * export const sumTileTask = workerTask(import.meta.url, { sumTile });
 * // elsewhere: const total = await context.workers.run(sumTileTask, [tile]); // number
 * ```
 */
export function workerTask<F extends AnyFunction>(moduleUrl: string, exported: Readonly<Record<string, F>>): WorkerTask<F> {
  const names = Object.keys(exported);
  if (names.length !== 1 || typeof exported[names[0]] !== 'function') {
    throw new TypeError(`workerTask(${moduleUrl}): pass exactly one exported function as { name }, got keys [${names.join(', ')}]`);
  }
  return { module: moduleUrl, fn: names[0] };
}
