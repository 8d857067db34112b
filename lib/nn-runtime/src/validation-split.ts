import type { Rng } from '../../../core/index.js';

/**
 * Splits `rows` (indices) into training and validation indices: a seeded shuffle, the last
 * `fraction` held out (at least one row each side when there are two rows or more; none when
 * `fraction` is 0). Both parts come back sorted so batches do not depend on the original order twice.
 *
 * @example
 * ```ts
 * const { train, valid } = validationSplit(complete, 0.1, createRng(seed).fork(1));
 * ```
 */
export function validationSplit(rows: Int32Array, fraction: number, rng: Rng): { train: Int32Array; valid: Int32Array } {
  if (!(fraction > 0) || rows.length < 2) return { train: rows.slice(), valid: new Int32Array(0) };
  const shuffled = rng.shuffle(rows.slice());
  const nValid = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * fraction)));
  const valid = shuffled.slice(rows.length - nValid).sort();
  const train = shuffled.slice(0, rows.length - nValid).sort();
  return { train, valid };
}
