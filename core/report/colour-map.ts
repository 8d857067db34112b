/** A colour map: stops of [t in 0..1, r, g, b], linearly interpolated. */
export interface ColourMap {
  readonly name: string;
  readonly stops: readonly (readonly [number, number, number, number])[];
}

/** Viridis (perceptually uniform, colour-blind safe), sampled at 9 stops. For soil moisture and other magnitudes. */
export const VIRIDIS: ColourMap = {
  name: 'viridis',
  stops: [
    [0, 68, 1, 84],
    [0.125, 71, 44, 122],
    [0.25, 59, 81, 139],
    [0.375, 44, 113, 142],
    [0.5, 33, 144, 141],
    [0.625, 39, 173, 129],
    [0.75, 92, 200, 99],
    [0.875, 170, 220, 50],
    [1, 253, 231, 37],
  ],
};

/** Blue–white–red diverging map (ColorBrewer RdBu reversed): for differences, centred on zero. */
export const DIVERGING: ColourMap = {
  name: 'blue-white-red',
  stops: [
    [0, 33, 102, 172],
    [0.25, 103, 169, 207],
    [0.5, 247, 247, 247],
    [0.75, 239, 138, 98],
    [1, 178, 24, 43],
  ],
};

/** Colour of `t` in [0, 1] (clamped) as [r, g, b]. */
export function colourAt(map: ColourMap, t: number): [number, number, number] {
  const s = map.stops;
  const x = t <= 0 ? 0 : t >= 1 ? 1 : t;
  let i = 1;
  while (i < s.length - 1 && s[i][0] < x) i++;
  const [t0, r0, g0, b0] = s[i - 1];
  const [t1, r1, g1, b1] = s[i];
  const f = t1 > t0 ? (x - t0) / (t1 - t0) : 0;
  return [Math.round(r0 + f * (r1 - r0)), Math.round(g0 + f * (g1 - g0)), Math.round(b0 + f * (b1 - b0))];
}

/** CSS `linear-gradient` of a colour map, for colour bars drawn in HTML. */
export function cssGradient(map: ColourMap, direction = 'to right'): string {
  return `linear-gradient(${direction}, ${map.stops.map(([t, r, g, b]) => `rgb(${r},${g},${b}) ${(t * 100).toFixed(1)}%`).join(', ')})`;
}

/**
 * Colour-map a band: values in [min, max] → RGBA bytes; NaN (nodata) is transparent.
 * `scale` > 1 repeats each pixel scale × scale times (so small grids show as blocks, not blurs);
 * `step` > 1 keeps every step-th pixel (so large grids stay small in the page).
 */
export function colourise(values: ArrayLike<number>, width: number, height: number, min: number, max: number, map: ColourMap, options: { scale?: number; step?: number } = {}): { width: number; height: number; rgba: Uint8Array } {
  const scale = Math.max(1, Math.floor(options.scale ?? 1));
  const step = Math.max(1, Math.floor(options.step ?? 1));
  const w0 = Math.ceil(width / step);
  const h0 = Math.ceil(height / step);
  const w = w0 * scale;
  const h = h0 * scale;
  const rgba = new Uint8Array(w * h * 4);
  const span = max > min ? max - min : 1;
  const lut = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) lut.set(colourAt(map, k / 255), k * 3);
  for (let y0 = 0; y0 < h0; y0++) {
    for (let x0 = 0; x0 < w0; x0++) {
      const v = values[y0 * step * width + x0 * step];
      if (!Number.isFinite(v)) continue;
      const k = Math.round(Math.min(1, Math.max(0, (v - min) / span)) * 255) * 3;
      for (let dy = 0; dy < scale; dy++) {
        let o = ((y0 * scale + dy) * w + x0 * scale) * 4;
        for (let dx = 0; dx < scale; dx++, o += 4) {
          rgba[o] = lut[k];
          rgba[o + 1] = lut[k + 1];
          rgba[o + 2] = lut[k + 2];
          rgba[o + 3] = 255;
        }
      }
    }
  }
  return { width: w, height: h, rgba };
}

/** Robust display range: the 2nd and 98th percentiles of the finite values (a sample of at most 20 000). */
export function displayRange(bands: readonly ArrayLike<number>[], symmetric = false): [number, number] {
  const sample: number[] = [];
  const total = bands.reduce((n, b) => n + b.length, 0);
  const stride = Math.max(1, Math.floor(total / 20000));
  let k = 0;
  for (const b of bands) {
    for (let i = 0; i < b.length; i++, k++) {
      if (k % stride !== 0) continue;
      const v = b[i];
      if (Number.isFinite(v)) sample.push(symmetric ? Math.abs(v) : v);
    }
  }
  if (sample.length === 0) return [0, 1];
  sample.sort((a, b) => a - b);
  const q = (p: number): number => sample[Math.min(sample.length - 1, Math.max(0, Math.round(p * (sample.length - 1))))];
  if (symmetric) {
    const m = q(0.98) || sample[sample.length - 1] || 1;
    return [-m, m];
  }
  let lo = q(0.02);
  let hi = q(0.98);
  if (!(hi > lo)) {
    lo = sample[0];
    hi = sample[sample.length - 1];
  }
  if (!(hi > lo)) hi = lo + 1;
  return [lo, hi];
}
