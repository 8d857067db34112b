/**
 * The dense-layer arithmetic of the BPNN, as register-blocked loops over flat `Float64Array`s.
 *
 * V8 does not vectorise, so speed comes from doing several independent multiply-adds per loaded
 * value: the forward product takes 4 rows × 3 outputs per pass (each weight loaded once for 4 rows,
 * each input once for 3 outputs, 12 independent accumulators — more spill out of the 16 registers), the weight gradient 4 × 2 dot products
 * over rows (output units × inputs). Every inner loop walks contiguous memory.
 *
 * Summation order is fixed per output value (bias first, then inputs in index order; rows in index
 * order for gradients), whatever the blocking, so a row's result does not depend on the rows around it.
 */

/**
 * `out[r, j] = w[bOff + j] + Σ_k x[r, k] · w[wOff + j·nin + k]` for `rows` rows of `x` (row-major,
 * `nin` columns) and `nout` outputs; `w` holds each output's weights contiguously (`nout × nin`).
 * With `relu` the stored value is `max(0, ·)` (the activation fused into the store: no second pass).
 *
 * @example
 * ```ts
 * // one dense layer: 3 rows × 2 inputs → 1 output (weights [0.5, −1], bias 0.25)
 * const out = new Float64Array(3);
 * denseForward(Float64Array.of(1, 2, 3, 4, 5, 6), 3, 2, Float64Array.of(0.5, -1, 0.25), 0, 2, 1, out, false);
 * // out = [−1.25, −2.25, −3.25]
 * ```
 */
export function denseForward(x: Float64Array, rows: number, nin: number, w: Float64Array, wOff: number, bOff: number, nout: number, out: Float64Array, relu: boolean): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = r * nin;
    const x1 = x0 + nin;
    const x2 = x1 + nin;
    const x3 = x2 + nin;
    const o0 = r * nout;
    const o1 = o0 + nout;
    const o2 = o1 + nout;
    const o3 = o2 + nout;
    let j = 0;
    for (; j + 3 <= nout; j += 3) {
      const wa = wOff + j * nin;
      const wb = wa + nin;
      const wc = wb + nin;
      let s0a = w[bOff + j];
      let s1a = s0a;
      let s2a = s0a;
      let s3a = s0a;
      let s0b = w[bOff + j + 1];
      let s1b = s0b;
      let s2b = s0b;
      let s3b = s0b;
      let s0c = w[bOff + j + 2];
      let s1c = s0c;
      let s2c = s0c;
      let s3c = s0c;
      for (let k = 0; k < nin; k++) {
        const va = w[wa + k];
        const vb = w[wb + k];
        const vc = w[wc + k];
        let v = x[x0 + k];
        s0a += v * va;
        s0b += v * vb;
        s0c += v * vc;
        v = x[x1 + k];
        s1a += v * va;
        s1b += v * vb;
        s1c += v * vc;
        v = x[x2 + k];
        s2a += v * va;
        s2b += v * vb;
        s2c += v * vc;
        v = x[x3 + k];
        s3a += v * va;
        s3b += v * vb;
        s3c += v * vc;
      }
      if (relu) {
        out[o0 + j] = s0a > 0 ? s0a : 0;
        out[o1 + j] = s1a > 0 ? s1a : 0;
        out[o2 + j] = s2a > 0 ? s2a : 0;
        out[o3 + j] = s3a > 0 ? s3a : 0;
        out[o0 + j + 1] = s0b > 0 ? s0b : 0;
        out[o1 + j + 1] = s1b > 0 ? s1b : 0;
        out[o2 + j + 1] = s2b > 0 ? s2b : 0;
        out[o3 + j + 1] = s3b > 0 ? s3b : 0;
        out[o0 + j + 2] = s0c > 0 ? s0c : 0;
        out[o1 + j + 2] = s1c > 0 ? s1c : 0;
        out[o2 + j + 2] = s2c > 0 ? s2c : 0;
        out[o3 + j + 2] = s3c > 0 ? s3c : 0;
      } else {
        out[o0 + j] = s0a;
        out[o1 + j] = s1a;
        out[o2 + j] = s2a;
        out[o3 + j] = s3a;
        out[o0 + j + 1] = s0b;
        out[o1 + j + 1] = s1b;
        out[o2 + j + 1] = s2b;
        out[o3 + j + 1] = s3b;
        out[o0 + j + 2] = s0c;
        out[o1 + j + 2] = s1c;
        out[o2 + j + 2] = s2c;
        out[o3 + j + 2] = s3c;
      }
    }
    for (; j < nout; j++) {
      const wa = wOff + j * nin;
      let s0 = w[bOff + j];
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      for (let k = 0; k < nin; k++) {
        const v = w[wa + k];
        s0 += x[x0 + k] * v;
        s1 += x[x1 + k] * v;
        s2 += x[x2 + k] * v;
        s3 += x[x3 + k] * v;
      }
      if (relu) {
        s0 = s0 > 0 ? s0 : 0;
        s1 = s1 > 0 ? s1 : 0;
        s2 = s2 > 0 ? s2 : 0;
        s3 = s3 > 0 ? s3 : 0;
      }
      out[o0 + j] = s0;
      out[o1 + j] = s1;
      out[o2 + j] = s2;
      out[o3 + j] = s3;
    }
  }
  for (; r < rows; r++) {
    const x0 = r * nin;
    const o0 = r * nout;
    for (let j = 0; j < nout; j++) {
      const wa = wOff + j * nin;
      let s = w[bOff + j];
      for (let k = 0; k < nin; k++) s += x[x0 + k] * w[wa + k];
      out[o0 + j] = relu && !(s > 0) ? 0 : s;
    }
  }
}

/**
 * Weight and bias gradients of one dense layer from feature-major (transposed) copies of its input
 * `aT` (`nin × rows`) and its output delta `dT` (`nout × rows`):
 * `grad[wOff + j·nin + k] = Σ_r dT[j, r] · aT[k, r]`, `grad[bOff + j] = Σ_r dT[j, r]` (assigned, not added).
 *
 * @example
 * ```ts
 * // 2 rows, 1 input, 1 output: dW = 1·3 + 2·4 = 11, db = 3 + 4 = 7
 * const g = new Float64Array(2);
 * denseGradient(Float64Array.of(1, 2), Float64Array.of(3, 4), 2, 1, 1, g, 0, 1);
 * ```
 */
export function denseGradient(aT: Float64Array, dT: Float64Array, rows: number, nin: number, nout: number, grad: Float64Array, wOff: number, bOff: number): void {
  let j = 0;
  for (; j + 4 <= nout; j += 4) {
    const d0 = j * rows;
    const d1 = d0 + rows;
    const d2 = d1 + rows;
    const d3 = d2 + rows;
    const o0 = wOff + j * nin;
    let k = 0;
    for (; k + 2 <= nin; k += 2) {
      const xa = k * rows;
      const xb = xa + rows;
      let s0a = 0;
      let s0b = 0;
      let s1a = 0;
      let s1b = 0;
      let s2a = 0;
      let s2b = 0;
      let s3a = 0;
      let s3b = 0;
      for (let r = 0; r < rows; r++) {
        const qa = aT[xa + r];
        const qb = aT[xb + r];
        let v = dT[d0 + r];
        s0a += v * qa;
        s0b += v * qb;
        v = dT[d1 + r];
        s1a += v * qa;
        s1b += v * qb;
        v = dT[d2 + r];
        s2a += v * qa;
        s2b += v * qb;
        v = dT[d3 + r];
        s3a += v * qa;
        s3b += v * qb;
      }
      const o = o0 + k;
      grad[o] = s0a;
      grad[o + 1] = s0b;
      grad[o + nin] = s1a;
      grad[o + nin + 1] = s1b;
      grad[o + 2 * nin] = s2a;
      grad[o + 2 * nin + 1] = s2b;
      grad[o + 3 * nin] = s3a;
      grad[o + 3 * nin + 1] = s3b;
    }
    for (; k < nin; k++) {
      const xa = k * rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0; r < rows; r++) {
        const q = aT[xa + r];
        s0 += dT[d0 + r] * q;
        s1 += dT[d1 + r] * q;
        s2 += dT[d2 + r] * q;
        s3 += dT[d3 + r] * q;
      }
      const o = o0 + k;
      grad[o] = s0;
      grad[o + nin] = s1;
      grad[o + 2 * nin] = s2;
      grad[o + 3 * nin] = s3;
    }
  }
  for (; j + 2 <= nout; j += 2) {
    const da = j * rows;
    const db = da + rows;
    let k = 0;
    for (; k + 2 <= nin; k += 2) {
      const xa = k * rows;
      const xb = xa + rows;
      let saa = 0;
      let sab = 0;
      let sba = 0;
      let sbb = 0;
      for (let r = 0; r < rows; r++) {
        const pa = dT[da + r];
        const pb = dT[db + r];
        const qa = aT[xa + r];
        const qb = aT[xb + r];
        saa += pa * qa;
        sab += pa * qb;
        sba += pb * qa;
        sbb += pb * qb;
      }
      grad[wOff + j * nin + k] = saa;
      grad[wOff + j * nin + k + 1] = sab;
      grad[wOff + (j + 1) * nin + k] = sba;
      grad[wOff + (j + 1) * nin + k + 1] = sbb;
    }
    for (; k < nin; k++) {
      const xa = k * rows;
      let sa = 0;
      let sb = 0;
      for (let r = 0; r < rows; r++) {
        const q = aT[xa + r];
        sa += dT[da + r] * q;
        sb += dT[db + r] * q;
      }
      grad[wOff + j * nin + k] = sa;
      grad[wOff + (j + 1) * nin + k] = sb;
    }
  }
  for (; j < nout; j++) {
    const da = j * rows;
    for (let k = 0; k < nin; k++) {
      const xa = k * rows;
      let s = 0;
      for (let r = 0; r < rows; r++) s += dT[da + r] * aT[xa + r];
      grad[wOff + j * nin + k] = s;
    }
  }
  for (let jj = 0; jj < nout; jj++) {
    const da = jj * rows;
    let s = 0;
    for (let r = 0; r < rows; r++) s += dT[da + r];
    grad[bOff + jj] = s;
  }
}

/** `to[c, r] = from[r, c]` for a `rows × cols` row-major block. */
export function transpose(from: Float64Array, rows: number, cols: number, to: Float64Array, toOff = 0): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) to[toOff + c * rows + r] = from[o + c];
  }
}
