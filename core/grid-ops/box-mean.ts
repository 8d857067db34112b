/**
 * Mean over the `window × window` pixels centred on every pixel of a `width × height` raster, over the
 * window's valid pixels (windows cut at the raster's edge); a NaN pixel stays NaN, so gaps and masks are
 * never filled. Running sums along rows, then columns: O(pixels) for any window. A new array always.
 * Used for multilooking σ⁰ (WCM) and for neighbourhood predictor features (regression engine).
 */
export function boxMean(values: ArrayLike<number>, width: number, height: number, window: number): Float32Array {
  if (window <= 1) return Float32Array.from(values);
  const half = Math.floor(window / 2);
  const rowSum = new Float64Array(width * height);
  const rowCount = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    const base = r * width;
    let s = 0;
    let k = 0;
    // running window over columns [c − half, c + half]
    for (let c = 0; c < Math.min(half, width); c++) {
      const x = values[base + c];
      if (x === x) { s += x; k++; }
    }
    for (let c = 0; c < width; c++) {
      const add = c + half;
      if (add < width) {
        const x = values[base + add];
        if (x === x) { s += x; k++; }
      }
      const drop = c - half - 1;
      if (drop >= 0) {
        const x = values[base + drop];
        if (x === x) { s -= x; k--; }
      }
      rowSum[base + c] = s;
      rowCount[base + c] = k;
    }
  }
  const out = new Float32Array(width * height);
  for (let c = 0; c < width; c++) {
    let s = 0;
    let k = 0;
    for (let r = 0; r < Math.min(half, height); r++) {
      s += rowSum[r * width + c];
      k += rowCount[r * width + c];
    }
    for (let r = 0; r < height; r++) {
      const add = r + half;
      if (add < height) {
        s += rowSum[add * width + c];
        k += rowCount[add * width + c];
      }
      const drop = r - half - 1;
      if (drop >= 0) {
        s -= rowSum[drop * width + c];
        k -= rowCount[drop * width + c];
      }
      const p = r * width + c;
      out[p] = values[p] === values[p] && k > 0 ? s / k : Number.NaN;
    }
  }
  return out;
}
