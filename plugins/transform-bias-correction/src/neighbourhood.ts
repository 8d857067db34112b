/**
 * Neighbourhood features of a product around a pixel: the pixel's value, and the mean and standard
 * deviation of the valid values in the (2r+1)² window — what a point-to-area calibration regresses
 * station observations on (the station sees a point, the product an area).
 */
export const FEATURES = ['value', 'windowMean', 'windowStd'] as const;

export function windowFeatures(v: Float32Array, w: number, h: number, col: number, row: number, radius: number, out: Float64Array, o = 0): boolean {
  const centre = v[row * w + col];
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let r = Math.max(0, row - radius); r <= Math.min(h - 1, row + radius); r++) {
    for (let c = Math.max(0, col - radius); c <= Math.min(w - 1, col + radius); c++) {
      const x = v[r * w + c];
      if (x === x) ((s += x), (s2 += x * x), n++);
    }
  }
  if (!(centre === centre) || n === 0) return false;
  const m = s / n;
  out[o] = centre;
  out[o + 1] = m;
  out[o + 2] = Math.sqrt(Math.max(0, s2 / n - m * m));
  return true;
}
