/**
 * Per-row resampling kernels of the warper, on `Float32Array` bands with `NaN` nodata. Positions are
 * fractional source pixel coordinates (pixel `i` covers `[i, i + 1)`); see `warp-coords.ts`.
 * Semantics follow GDAL's warp kernel (`gdalwarpkernel.cpp`, GDAL ≥ 3.1); docs/warping.md lists them.
 */

/** A source band: row-major values, `NaN` = nodata. */
export interface SourceBand {
  readonly values: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** GDAL's small offset so a position on a pixel edge falls in the pixel to its right / below. */
const EDGE_EPSILON = 1e-10;

/** Below this scale (target pixel ≥ 1/0.95 source pixels) bilinear and cubic widen their kernel, as GDAL does. */
const WIDEN_BELOW_SCALE = 0.95;

/** Nearest neighbour at each position; NaN outside the source. */
export function nearestRow(src: SourceBand, u: Float64Array, v: Float64Array, n: number, out: Float32Array, at: number): void {
  const { values, width, height } = src;
  for (let i = 0; i < n; i++) {
    const x = u[i];
    const y = v[i];
    if (!(x >= 0 && y >= 0)) {
      out[at + i] = Number.NaN;
      continue;
    }
    const col = Math.floor(x + EDGE_EPSILON);
    const row = Math.floor(y + EDGE_EPSILON);
    out[at + i] = col < width && row < height ? values[row * width + col] : Number.NaN;
  }
}

/** Keys' cubic convolution kernel with a = −0.5 (GDAL's `cubic`). */
export function cubicWeight(t: number): number {
  const x = t < 0 ? -t : t;
  if (x <= 1) return (1.5 * x - 2.5) * x * x + 1;
  if (x < 2) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return 0;
}

function triangleWeight(t: number): number {
  const x = t < 0 ? -t : t;
  return x < 1 ? 1 - x : 0;
}

/**
 * Bilinear from the 2×2 neighbours of pixel-centre position (x, y) = (u − 0.5, v − 0.5), skipping
 * neighbours outside the source or NaN and renormalising the remaining weights.
 */
function bilinearAt(src: SourceBand, x: number, y: number): number {
  const { values, width, height } = src;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  let sum = 0;
  let wsum = 0;
  for (let j = 0; j < 2; j++) {
    const row = y0 + j;
    if (row < 0 || row >= height) continue;
    const wy = j === 0 ? 1 - fy : fy;
    if (wy === 0) continue;
    const base = row * width;
    for (let i = 0; i < 2; i++) {
      const col = x0 + i;
      if (col < 0 || col >= width) continue;
      const w = wy * (i === 0 ? 1 - fx : fx);
      const value = values[base + col];
      if (w === 0 || value !== value) continue;
      sum += w * value;
      wsum += w;
    }
  }
  return wsum > 1e-5 ? sum / wsum : Number.NaN;
}

/**
 * Keys cubic on the 4×4 neighbours when all 16 lie inside the source and are valid; otherwise
 * bilinear (GDAL's 4-sample cubic does the same near edges and nodata).
 */
function cubicAt(src: SourceBand, x: number, y: number): number {
  const { values, width, height } = src;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 - 1 < 0 || x0 + 2 >= width || y0 - 1 < 0 || y0 + 2 >= height) return bilinearAt(src, x, y);
  const fx = x - x0;
  const fy = y - y0;
  const wx0 = cubicWeight(-1 - fx);
  const wx1 = cubicWeight(-fx);
  const wx2 = cubicWeight(1 - fx);
  const wx3 = cubicWeight(2 - fx);
  let sum = 0;
  let base = (y0 - 1) * width + x0;
  for (let j = -1; j <= 2; j++, base += width) {
    const a = values[base - 1];
    const b = values[base];
    const c = values[base + 1];
    const d = values[base + 2];
    // NaN anywhere in the row makes the row sum NaN: fall back to bilinear.
    const rowSum = wx0 * a + wx1 * b + wx2 * c + wx3 * d;
    if (rowSum !== rowSum) return bilinearAt(src, x, y);
    sum += cubicWeight(j - fy) * rowSum;
  }
  return sum;
}

/**
 * A separable kernel stretched by 1/scale (GDAL's general resampler when downsampling): taps within the
 * stretched support, NaN and out-of-source taps skipped, weights renormalised.
 */
function stretchedAt(src: SourceBand, x: number, y: number, kernel: (t: number) => number, radius: number, scaleX: number, scaleY: number, wx: Float64Array): number {
  const { values, width, height } = src;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const sx = Math.min(scaleX, 1);
  const sy = Math.min(scaleY, 1);
  const rx = Math.ceil(radius / sx);
  const ry = Math.ceil(radius / sy);
  // Column weights once per position (taps −rx+1 … rx), reused on every row.
  for (let i = -rx + 1; i <= rx; i++) wx[i + rx - 1] = kernel((i - fx) * sx);
  const c0 = Math.max(x0 - rx + 1, 0);
  const c1 = Math.min(x0 + rx, width - 1);
  let sum = 0;
  let wsum = 0;
  for (let j = -ry + 1; j <= ry; j++) {
    const row = y0 + j;
    if (row < 0 || row >= height) continue;
    const wy = kernel((j - fy) * sy);
    if (wy === 0) continue;
    const base = row * width;
    for (let col = c0; col <= c1; col++) {
      const value = values[base + col];
      if (value !== value) continue;
      const w = wy * wx[col - x0 + rx - 1];
      sum += w * value;
      wsum += w;
    }
  }
  return Math.abs(wsum) > 1e-6 ? sum / wsum : Number.NaN;
}

/**
 * Bilinear or cubic at each position; NaN where the position lies outside the source or on a NaN
 * source pixel (neighbouring NaNs are skipped and the weights renormalised). `scaleX`/
 * `scaleY` are target-to-source pixel scales (< 1 when downsampling) that select the widened kernel.
 */
export function interpolateRow(
  method: 'bilinear' | 'cubic',
  src: SourceBand,
  u: Float64Array,
  v: Float64Array,
  n: number,
  out: Float32Array,
  at: number,
  scaleX: number,
  scaleY: number,
): void {
  const widen = scaleX < WIDEN_BELOW_SCALE || scaleY < WIDEN_BELOW_SCALE;
  const { width, height } = src;
  const radius = method === 'bilinear' ? 1 : 2;
  const kernel = method === 'bilinear' ? triangleWeight : cubicWeight;
  const wx = new Float64Array(2 * Math.ceil(radius / Math.min(scaleX, 1)));
  for (let i = 0; i < n; i++) {
    const px = u[i];
    const py = v[i];
    const col = Math.floor(px + EDGE_EPSILON);
    const row = Math.floor(py + EDGE_EPSILON);
    // As GDAL: no value where the source pixel under the position is itself nodata.
    if (!(px >= 0 && py >= 0 && col < width && row < height) || src.values[row * width + col] !== src.values[row * width + col]) {
      out[at + i] = Number.NaN;
      continue;
    }
    const x = px - 0.5;
    const y = py - 0.5;
    if (widen) out[at + i] = stretchedAt(src, x, y, kernel, radius, scaleX, scaleY, wx);
    else out[at + i] = method === 'bilinear' ? bilinearAt(src, x, y) : cubicAt(src, x, y);
  }
}

/** Area reductions over the source pixels a target pixel covers. */
export type AreaMethod = 'average' | 'mode' | 'min' | 'max';

/** Scratch buffers for `mode`, grown on demand. */
export interface ModeScratch {
  values: Float32Array;
  counts: Int32Array;
}

export function createModeScratch(): ModeScratch {
  return { values: new Float32Array(64), counts: new Int32Array(64) };
}

/**
 * Area methods for one target row. The footprint of target pixel i is the source-space rectangle
 * spanned by the mapped top-left corner `(uTop[i], vTop[i])` and bottom-right corner
 * `(uBottom[i + 1], vBottom[i + 1])`, as in GDAL. Source pixels touching it take part:
 * - `average`: weighted by the fraction of each source pixel inside the rectangle (area-weighted),
 *   NaN pixels skipped and the weights renormalised;
 * - `mode`: the most frequent valid value (counting pixels); on a tie the value that reached the top
 *   count first in row-major order wins, as GDAL's;
 * - `min` / `max`: over the valid pixels.
 * A pixel with no valid source pixel is NaN.
 */
export function areaRow(
  method: AreaMethod,
  src: SourceBand,
  uTop: Float64Array,
  vTop: Float64Array,
  uBottom: Float64Array,
  vBottom: Float64Array,
  n: number,
  out: Float32Array,
  at: number,
  scratch: ModeScratch,
): void {
  const { values, width, height } = src;
  for (let i = 0; i < n; i++) {
    let x0 = uTop[i];
    let x1 = uBottom[i + 1];
    let y0 = vTop[i];
    let y1 = vBottom[i + 1];
    if (!(Number.isFinite(x0) && Number.isFinite(x1) && Number.isFinite(y0) && Number.isFinite(y1))) {
      out[at + i] = Number.NaN;
      continue;
    }
    if (x0 > x1) [x0, x1] = [x1, x0];
    if (y0 > y1) [y0, y1] = [y1, y0];
    const c0 = Math.max(Math.floor(x0 + EDGE_EPSILON), 0);
    let c1 = Math.min(Math.ceil(x1 - EDGE_EPSILON), width);
    const r0 = Math.max(Math.floor(y0 + EDGE_EPSILON), 0);
    let r1 = Math.min(Math.ceil(y1 - EDGE_EPSILON), height);
    if (c0 === c1 && c1 < width) c1++;
    if (r0 === r1 && r1 < height) r1++;
    if (c0 >= c1 || r0 >= r1) {
      out[at + i] = Number.NaN;
      continue;
    }
    if (method === 'average') out[at + i] = areaAverage(values, width, c0, c1, r0, r1, x0, x1, y0, y1);
    else if (method === 'mode') out[at + i] = areaMode(values, width, c0, c1, r0, r1, scratch);
    else out[at + i] = areaExtreme(values, width, c0, c1, r0, r1, method === 'max');
  }
}

/** Overlap of source pixel [k, k+1) with [lo, hi]; a footprint inside one pixel counts fully. */
function overlap(k: number, first: number, last: number, lo: number, hi: number): number {
  if (first + 1 === last) return 1;
  return Math.min(k + 1, hi) - Math.max(k, lo);
}

function areaAverage(values: Float32Array, width: number, c0: number, c1: number, r0: number, r1: number, x0: number, x1: number, y0: number, y1: number): number {
  let sum = 0;
  let wsum = 0;
  for (let r = r0; r < r1; r++) {
    const wy = overlap(r, r0, r1, y0, y1);
    if (wy <= 0) continue;
    const base = r * width;
    for (let c = c0; c < c1; c++) {
      const value = values[base + c];
      if (value !== value) continue;
      const w = wy * overlap(c, c0, c1, x0, x1);
      if (w <= 0) continue;
      sum += w * value;
      wsum += w;
    }
  }
  return wsum > 0 ? sum / wsum : Number.NaN;
}

function areaMode(values: Float32Array, width: number, c0: number, c1: number, r0: number, r1: number, scratch: ModeScratch): number {
  const cap = (c1 - c0) * (r1 - r0);
  if (scratch.values.length < cap) {
    scratch.values = new Float32Array(cap);
    scratch.counts = new Int32Array(cap);
  }
  const seen = scratch.values;
  const counts = scratch.counts;
  let distinct = 0;
  let best = -1;
  for (let r = r0; r < r1; r++) {
    const base = r * width;
    for (let c = c0; c < c1; c++) {
      const value = values[base + c];
      if (value !== value) continue;
      let k = 0;
      while (k < distinct && seen[k] !== value) k++;
      if (k === distinct) {
        seen[k] = value;
        counts[k] = 0;
        distinct++;
      }
      counts[k]++;
      if (best < 0 || counts[k] > counts[best]) best = k;
    }
  }
  return best < 0 ? Number.NaN : seen[best];
}

function areaExtreme(values: Float32Array, width: number, c0: number, c1: number, r0: number, r1: number, max: boolean): number {
  let acc = max ? -Infinity : Infinity;
  let any = false;
  for (let r = r0; r < r1; r++) {
    const base = r * width;
    for (let c = c0; c < c1; c++) {
      const value = values[base + c];
      if (value !== value) continue;
      any = true;
      if (max ? value > acc : value < acc) acc = value;
    }
  }
  return any ? acc : Number.NaN;
}
