import type { Rng } from '../../../core/index.js';

/**
 * Spatially correlated random fields and grid helpers on plain typed arrays (row-major).
 * Fields are "value noise": standard-normal values on a lattice of spacing `scale` pixels, interpolated
 * with a C¹ smoothstep, summed over octaves, then standardised to mean 0 and standard deviation 1.
 */
export interface FieldOptions {
  /** Correlation length of the first octave, in pixels. */
  readonly scale: number;
  readonly octaves?: number;
  /** Amplitude ratio between successive octaves (each has half the scale). */
  readonly persistence?: number;
}

export function smoothField(width: number, height: number, rng: Rng, options: FieldOptions): Float64Array {
  const out = new Float64Array(width * height);
  const octaves = options.octaves ?? 1;
  let amp = 1;
  let scale = Math.max(options.scale, 1);
  for (let o = 0; o < octaves; o++) {
    addValueNoise(out, width, height, rng, scale, amp);
    amp *= options.persistence ?? 0.5;
    scale = Math.max(scale / 2, 1);
  }
  return standardise(out);
}

function addValueNoise(out: Float64Array, width: number, height: number, rng: Rng, scale: number, amp: number): void {
  const lw = Math.ceil(width / scale) + 2;
  const lh = Math.ceil(height / scale) + 2;
  const lattice = new Float64Array(lw * lh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.normal();
  // Random phase so the lattice is not aligned with the grid origin.
  const ox = rng.next() * scale;
  const oy = rng.next() * scale;
  for (let r = 0; r < height; r++) {
    const v = (r + oy) / scale;
    const j = Math.floor(v);
    const ty = smoothstep(v - j);
    for (let c = 0; c < width; c++) {
      const u = (c + ox) / scale;
      const i = Math.floor(u);
      const tx = smoothstep(u - i);
      const a = lattice[j * lw + i];
      const b = lattice[j * lw + i + 1];
      const d = lattice[(j + 1) * lw + i];
      const e = lattice[(j + 1) * lw + i + 1];
      out[r * width + c] += amp * ((a + (b - a) * tx) * (1 - ty) + (d + (e - d) * tx) * ty);
    }
  }
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Shift and scale in place to mean 0, standard deviation 1 (a constant field becomes 0). */
export function standardise(a: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const m = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
  const sd = Math.sqrt(v / a.length) || 1;
  for (let i = 0; i < a.length; i++) a[i] = (a[i] - m) / sd;
  return a;
}

/**
 * Bilinear interpolation of a window of a coarse array onto a nested fine grid: fine pixel (c, r) has its
 * centre at coarse pixel coordinate `x0 + (c + 0.5) / factor - 0.5` (edge pixels are clamped).
 */
export function upsampleBilinear(
  src: ArrayLike<number>,
  srcWidth: number,
  srcHeight: number,
  window: { x: number; y: number; width: number; height: number },
  factor: number,
  out: Float64Array = new Float64Array(window.width * factor * window.height * factor),
): Float64Array {
  createUpsampler(srcWidth, srcHeight, window, factor)(src, out);
  return out;
}

/** Interpolation taps along one axis: lower index, upper index and the weight of the upper one. */
function axisTaps(start: number, count: number, factor: number, size: number): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const t = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = Math.min(Math.max(start + (i + 0.5) / factor - 0.5, 0), size - 1);
    const j = Math.min(Math.floor(u), size - 2 < 0 ? 0 : size - 2);
    lo[i] = j;
    hi[i] = Math.min(j + 1, size - 1);
    t[i] = size > 1 ? u - j : 0;
  }
  return { lo, hi, t };
}

/**
 * `upsampleBilinear` with its taps computed once, for interpolating many fields on the same window
 * (the daily forcing): `upsample(src, out)` writes the window of `src` into `out`.
 */
export function createUpsampler(
  srcWidth: number,
  srcHeight: number,
  window: { x: number; y: number; width: number; height: number },
  factor: number,
): (src: ArrayLike<number>, out: Float64Array) => void {
  const fw = window.width * factor;
  const fh = window.height * factor;
  const cols = axisTaps(window.x, fw, factor, srcWidth);
  const rows = axisTaps(window.y, fh, factor, srcHeight);
  return (src, out) => {
    for (let r = 0; r < fh; r++) {
      const top = rows.lo[r] * srcWidth;
      const bottom = rows.hi[r] * srcWidth;
      const ty = rows.t[r];
      const base = r * fw;
      for (let c = 0; c < fw; c++) {
        const i = cols.lo[c];
        const i1 = cols.hi[c];
        const tx = cols.t[c];
        const a = src[top + i];
        const upper = a + (src[top + i1] - a) * tx;
        const d = src[bottom + i];
        out[base + c] = upper * (1 - ty) + (d + (src[bottom + i1] - d) * tx) * ty;
      }
    }
  };
}

/** Mean of each `factor` × `factor` block of a fine array (dimensions must be multiples of `factor`). */
export function blockMean(src: ArrayLike<number>, width: number, height: number, factor: number): Float64Array {
  const cw = width / factor;
  const ch = height / factor;
  const out = new Float64Array(cw * ch);
  const colBlock = new Int32Array(width);
  for (let c = 0; c < width; c++) colBlock[c] = Math.floor(c / factor);
  for (let r = 0; r < height; r++) {
    const rowBase = Math.floor(r / factor) * cw;
    const srcBase = r * width;
    for (let c = 0; c < width; c++) out[rowBase + colBlock[c]] += src[srcBase + c];
  }
  const n = factor * factor;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

/** Most frequent value of each block (ties → the smallest value), for class maps. */
export function blockMajority(src: ArrayLike<number>, width: number, height: number, factor: number): Float64Array {
  const cw = width / factor;
  const ch = height / factor;
  const out = new Float64Array(cw * ch);
  const counts = new Map<number, number>();
  for (let br = 0; br < ch; br++) {
    for (let bc = 0; bc < cw; bc++) {
      counts.clear();
      for (let r = br * factor; r < (br + 1) * factor; r++) {
        for (let c = bc * factor; c < (bc + 1) * factor; c++) {
          const v = src[r * width + c];
          counts.set(v, (counts.get(v) ?? 0) + 1);
        }
      }
      let best = Number.POSITIVE_INFINITY;
      let bestN = -1;
      for (const [v, n] of counts) if (n > bestN || (n === bestN && v < best)) [best, bestN] = [v, n];
      out[br * cw + bc] = best;
    }
  }
  return out;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Gamma(shape k, scale 1) variate (Marsaglia & Tsang 2000), k ≥ 1. */
export function gammaVariate(rng: Rng, k: number): number {
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
