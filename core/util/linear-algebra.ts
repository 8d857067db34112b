/**
 * Dense symmetric positive-definite solves for the small normal-equation systems of least squares,
 * Levenberg–Marquardt and kriging. Matrices are `n×n` row-major `Float64Array`s.
 */

/**
 * Cholesky factorisation in place: the lower triangle of `a` becomes L with A = L·Lᵀ (the upper
 * triangle is left as it was and never read). Returns false when A is not positive definite.
 */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solve L·Lᵀ·x = b in place (`b` becomes x) with the factor from `choleskyFactor`. */
export function choleskySubstitute(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/**
 * Solve the symmetric positive-definite system A·x = b in place: `a` is overwritten by its factor and
 * `b` by the solution. Returns false (and leaves `b` unsolved) when A is not positive definite.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(4, 2, 2, 3);
 * const b = Float64Array.of(2, 1);
 * choleskySolve(a, b, 2); // b = [0.5, 0]
 * ```
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  if (!choleskyFactor(a, n)) return false;
  choleskySubstitute(a, n, b);
  return true;
}
