import { createRng, createTable, resolveParams, type AnyPluginManifest, type Table } from '../../core/index.js';

/** A feature row's target: `x` is the table's row-major feature block, `o` the row's offset in it. */
export type RowFunction = (x: Float32Array, o: number) => number;

/** The params a manifest's JSON Schema declares as defaults, typed as the plugin's params (tests then override only what they vary). */
export function schemaDefaults<P>(manifest: Pick<AnyPluginManifest, 'id' | 'params'>): P {
  return resolveParams<P>(manifest, {});
}

/**
 * `rows` rows of `cols` uniform features in [0, 1) (named `x0`, `x1`…), target `f(row)` plus
 * Gaussian noise of sd `noise`; deterministic from `seed`.
 */
export function uniformTable(rows: number, cols: number, seed: number, f: RowFunction, noise = 0): Table {
  const rng = createRng(seed);
  const t = createTable(Array.from({ length: cols }, (_, i) => `x${i}`), rows, true);
  for (let i = 0; i < t.x.length; i++) t.x[i] = rng.next();
  for (let r = 0; r < rows; r++) t.y![r] = f(t.x, r * cols) + noise * rng.normal();
  return t;
}

/** Root-mean-square difference of two equally long arrays. */
export function rmse(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);
}

/** A smooth 2-D test surface, sin(2πx₀)·cos(πx₁), in [-1, 1]. */
export const smoothSurface: RowFunction = (x, o) => Math.sin(2 * Math.PI * x[o]) * Math.cos(Math.PI * x[o + 1]);
