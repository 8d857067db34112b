/**
 * The F-test ESTARFM applies to its conversion-coefficient regression (IDL `REGRESS(..., FTEST=f)`
 * followed by `1 - F_PDF(f, 1, n-2)`): the upper-tail probability of Fisher's F distribution.
 */
import { regularizedIncompleteBeta } from '../../../core/kernel.js';

/**
 * P(F > f) for F ~ F(d1, d2).
 *
 * @example
 * ```ts
 * fUpperTail(4.964603, 1, 10); // ≈ 0.05
 * ```
 */
export function fUpperTail(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  if (f === Infinity) return 0;
  return regularizedIncompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/**
 * Whether a one-regressor fit with `dof` residual degrees of freedom is significant at 5 %
 * (`P(F > f) <= 0.05`). Shortcuts the incomplete beta function outside the band where the answer
 * depends on `dof`: the 5 % critical value of F(1, d) is 3.8415 as d → ∞ and 4.9646 at d = 10, and
 * ESTARFM only regresses with d ≥ 10 (more than 5 similar pixels, two points each).
 */
export function significantAt5Percent(f: number, dof: number): boolean {
  if (!(f >= 3.84)) return false;
  if (dof >= 10 && f > 4.965) return true;
  return fUpperTail(f, 1, dof) <= 0.05;
}
