import { workerTask } from '../../../core/kernel.js';
/** Worker-pool test kernel: sums a typed array, or throws on request. */
export function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

export function fail(message: string): never {
  throw new Error(message);
}

export function scale(a: Float32Array, k: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * k;
  return out;
}

export const sumTask = workerTask(import.meta.url, { sum });
export const failTask = workerTask(import.meta.url, { fail });
export const scaleTask = workerTask(import.meta.url, { scale });
