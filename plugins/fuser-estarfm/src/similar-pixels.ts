/**
 * The similar-pixel search of one tile: which window pixels lie within the threshold of the centre in
 * every packed dimension (each band of both fine images).
 *
 * The tile's values are indexed once as bit planes: per row, dimension and value bin, one bit per
 * column, set when the pixel is valid and its value falls in that bin *or a lower one* (cumulative).
 * For a centre, the pixels whose bin lies in the bins its interval [v − th, v + th] touches are then
 * `plane[hi] & ~plane[lo − 1]`, 32 columns per word, ANDed over the dimensions — a window row of
 * 51 columns is filtered in a few word operations instead of 51 pixel tests. The filter keeps a
 * superset (bins are coarser than the interval). Only pixels in the two boundary bins of some
 * dimension can fail the interval test, so a bit that lies in the interior bins of every dimension
 * (`plane[hi − 1] & ~plane[lo]`) is accepted without it, and the others get the exact test: the
 * search returns exactly the pixels the reference selects, in row-major order. A dimension whose
 * interval spans the tile's whole value range is not looked at.
 */

/**
 * Bin budget over all dimensions: edges at quantiles of the tile's values, so each of a dimension's
 * `BIN_BUDGET / dims` bins holds about as many pixels. More bins make fewer pixels fall in an
 * interval's boundary bins (the only ones needing the exact test) at the cost of plane memory
 * (`rows × dims × (bins + 1) × columns / 8` bytes; 1.1 MB for a 178² tile of one band).
 */
const BIN_BUDGET = 256;
/** At most this many values per dimension are sorted to place the bin edges. */
const EDGE_SAMPLE = 2048;

/** The WebAssembly scan (`wasm-tile-kernel.ts`) and its column-mask buffer in the kernel's memory. */
export interface KernelScan {
  /** Byte addresses and the window's bounds → count. */
  readonly scan: (...args: number[]) => number;
  /** One word per word of the vectors a window row touches. */
  readonly masks: Int32Array;
  /** `scratch`'s plane offsets as byte addresses in the kernel's memory. */
  readonly planeBytes: Int32Array;
}

/** A tile's bit-plane index (plain typed arrays; built per tile on the worker). */
export interface SimilarityIndex {
  /** Packed dimensions per pixel (2 × bands). */
  readonly dims: number;
  readonly width: number;
  readonly height: number;
  readonly bins: number;
  /** 32-bit words per row of one plane (a multiple of 4). */
  readonly wordsPerRow: number;
  /** Words per plane (`height × wordsPerRow`). */
  readonly planeStride: number;
  /** `[dim][bins − 1]` ascending bin edges: bin(v) = number of edges ≤ v. */
  readonly edges: Float64Array;
  /** `[dim][bin + 1][row][word]`: bit set when the pixel is valid and its bin ≤ `bin` (plane 0 is empty). */
  readonly planes: Int32Array;
  /** Dimensions in the order they are tested (most selective first). */
  readonly order: Int32Array;
  /** Smallest and largest valid value per dimension. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * A tile's index dimensions: bins per dimension, 32-bit words per plane row (padded to whole 128-bit
 * vectors: the WebAssembly scan reads four words at a time), words per plane and in all (`planes` must
 * be that long and start zeroed).
 */
export function similarityIndexGeometry(dims: number, width: number, height: number): { bins: number; wordsPerRow: number; planeStride: number; words: number } {
  const bins = Math.max(16, Math.min(128, Math.floor(BIN_BUDGET / dims)));
  const wordsPerRow = ((width + 127) >>> 7) * 4;
  const planeStride = height * wordsPerRow;
  return { bins, wordsPerRow, planeStride, words: dims * (bins + 1) * planeStride };
}

/** Number of edges ≤ v among `count` ascending edges starting at `from` (NaN → count). */
function upperBound(edges: Float64Array, from: number, count: number, v: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[from + mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Index the packed values (`dims` per pixel, row-major `width × height`) of the valid pixels.
 *
 * @example
 * ```ts
 * const index = buildSimilarityIndex(packed, valid, 6, width, height, Int32Array.of(0, 1, 2, 3, 4, 5));
 * const n = scanSimilar(index, packed, thresholds, centre, scratch, row, col, 25, cand, candOff);
 * ```
 */
export function buildSimilarityIndex(
  packed: Float32Array,
  valid: Uint8Array,
  dims: number,
  width: number,
  height: number,
  order: Int32Array,
  planes: Int32Array = new Int32Array(similarityIndexGeometry(dims, width, height).words),
): SimilarityIndex {
  const N = width * height;
  const { bins, wordsPerRow, planeStride } = similarityIndexGeometry(dims, width, height);
  const ne = bins - 1;
  const planeCount = bins + 1;

  // Bin edges at quantiles of a strided sample of the valid values (any edges are correct; these make
  // the bins hold similar numbers of pixels, so the filter is tight wherever the data are dense).
  let nValid = 0;
  for (let p = 0; p < N; p++) nValid += valid[p];
  const stride = Math.max(1, Math.floor(nValid / EDGE_SAMPLE));
  const edges = new Float64Array(dims * ne);
  const lower = new Float64Array(dims).fill(Infinity);
  const upper = new Float64Array(dims).fill(-Infinity);
  const sample = new Float64Array(Math.ceil(nValid / stride));
  for (let j = 0; j < dims; j++) {
    let m = 0;
    for (let p = 0, seen = 0; p < N; p++) {
      if (!valid[p]) continue;
      const v = packed[p * dims + j];
      if (v < lower[j]) lower[j] = v;
      if (v > upper[j]) upper[j] = v;
      if (seen++ % stride === 0) sample[m++] = v;
    }
    const sorted = sample.subarray(0, m).sort();
    for (let e = 0; e < ne; e++) edges[j * ne + e] = m ? sorted[Math.min(m - 1, Math.floor(((e + 1) * m) / bins))] : 0;
  }

  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const p = r * width + c;
      if (!valid[p]) continue;
      const bit = 1 << (c & 31);
      const word = r * wordsPerRow + (c >>> 5);
      for (let j = 0; j < dims; j++) {
        const b = upperBound(edges, j * ne, ne, packed[p * dims + j]);
        planes[word + (j * planeCount + b + 1) * planeStride] |= bit;
      }
    }
  }
  // Make the planes cumulative: plane b+1 holds every valid pixel with bin ≤ b.
  for (let j = 0; j < dims; j++) {
    for (let b = 2; b < planeCount; b++) {
      const at = (j * planeCount + b) * planeStride;
      for (let k = 0; k < planeStride; k++) planes[at + k] |= planes[at - planeStride + k];
    }
  }
  return { dims, width, height, bins, wordsPerRow, planeStride, edges, planes, order, lower, upper };
}

/**
 * Collect the valid pixels of the window of half size `w` around (`row`, `col`) (clipped at the tile
 * edges) within `thresholds[j]` of `centre[j]` in every dimension: pixel index into `cand`, window
 * offset `(dy + w)·(2w + 1) + dx + w` into `candOff`, in row-major order. Returns their count.
 * `scratch` holds 4·dims ints. With `kernel`, the WebAssembly scan runs the word loop (every array then
 * lives in its memory), with the same result.
 */
export function scanSimilar(
  index: SimilarityIndex,
  packed: Float32Array,
  thresholds: Float64Array,
  centre: Float64Array,
  scratch: Int32Array,
  row: number,
  col: number,
  w: number,
  cand: Int32Array,
  candOff: Int32Array,
  kernel: KernelScan | null = null,
): number {
  const active = scanIntervals(index, thresholds, centre, scratch);
  if (active === 0) return 0;
  const { dims, width: W, height: H, wordsPerRow, planes } = index;
  const side = 2 * w + 1;

  const r0 = row > w ? row - w : 0;
  const r1 = row + w < H ? row + w : H - 1;
  const c0 = col > w ? col - w : 0;
  const c1 = col + w < W ? col + w : W - 1;
  const w0 = c0 >>> 5;
  const w1 = c1 >>> 5;
  const firstMask = -1 << (c0 & 31);
  const lastMask = (c1 & 31) === 31 ? -1 : ((1 << ((c1 & 31) + 1)) - 1) | 0;
  if (kernel) {
    // The window's column mask per word of the vectors it touches.
    const masks = kernel.masks;
    for (let wi = w0 & ~3, k = 0; wi <= (w1 | 3); wi++, k++) masks[k] = wi < w0 || wi > w1 ? 0 : (wi === w0 ? firstMask : -1) & (wi === w1 ? lastMask : -1);
    // The planes' byte addresses, so the kernel adds only the row's and vector's offset.
    const planeBytes = kernel.planeBytes;
    for (let i = 0; i < 4 * active; i++) planeBytes[i] = planes.byteOffset + 4 * scratch[i];
    const at = (a: { readonly byteOffset: number }) => a.byteOffset;
    return kernel.scan(at(planes), at(packed), at(thresholds), at(centre), at(planeBytes), active, r0, r1, c0, c1, row, col, W, wordsPerRow, dims, side, w, at(cand), at(candOff), at(masks));
  }
  let n = 0;
  for (let rr = r0; rr <= r1; rr++) {
    const rowBase = rr * wordsPerRow;
    const offRow = (rr - row + w) * side - col + w;
    const pixRow = rr * W;
    for (let wi = w0; wi <= w1; wi++) {
      let m = wi === w0 ? firstMask : -1;
      if (wi === w1) m &= lastMask;
      const base = rowBase + wi;
      for (let a = 0; a < active && m !== 0; a++) m &= planes[base + scratch[4 * a]] & ~planes[base + scratch[4 * a + 1]];
      if (m === 0) continue;
      let sure = m;
      for (let a = 0; a < active; a++) sure &= planes[base + scratch[4 * a + 2]] & ~planes[base + scratch[4 * a + 3]];
      if ((m & ~sure) === 0) {
        // Every candidate of the word is strictly inside every interval.
        while (m !== 0) {
          const low = m & -m;
          m ^= low;
          const cc = (wi << 5) + 31 - Math.clz32(low);
          cand[n] = pixRow + cc;
          candOff[n] = offRow + cc;
          n++;
        }
        continue;
      }
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        const cc = (wi << 5) + 31 - Math.clz32(low);
        const q = pixRow + cc;
        let ok = 1;
        if ((sure & low) === 0) {
          const qb = q * dims;
          for (let j = 0; j < dims; j++) ok &= +(Math.abs(packed[qb + j] - centre[j]) < thresholds[j]);
        }
        cand[n] = q;
        candOff[n] = offRow + cc;
        n += ok;
      }
    }
  }
  return n;
}

/**
 * The plane offsets the scan ANDs for a centre, into `scratch` (4 words per active dimension, in test
 * order): candidates (bins lo..hi: planes `hi + 1` and `lo`) and sure pixels (bins lo+1..hi−1, strictly
 * inside the interval: planes `hi` and `lo + 1`), for each dimension whose interval does not span every
 * valid value. Returns the number of active dimensions, 0 when no pixel can be similar.
 */
export function scanIntervals(index: SimilarityIndex, thresholds: Float64Array, centre: Float64Array, scratch: Int32Array): number {
  const { dims, bins, planeStride, edges, order, lower, upper } = index;
  const ne = bins - 1;
  const planeCount = bins + 1;
  let active = 0;
  for (let k = 0; k < dims; k++) {
    const j = order[k];
    const th = thresholds[j];
    // |d| < th never holds: no pixel is similar, not even the centre.
    if (!(th > 0)) return 0;
    const lo = centre[j] - th;
    const hi = centre[j] + th;
    if (lo < lower[j] && hi > upper[j]) continue;
    const bl = upperBound(edges, j * ne, ne, lo);
    const bh = upperBound(edges, j * ne, ne, hi);
    const at = j * planeCount;
    scratch[4 * active] = (at + bh + 1) * planeStride;
    scratch[4 * active + 1] = (at + bl) * planeStride;
    scratch[4 * active + 2] = (at + bh) * planeStride;
    scratch[4 * active + 3] = (at + bl + 1) * planeStride;
    active++;
  }
  if (active === 0) {
    // Every valid pixel is similar: the last plane of dimension 0 is the validity mask.
    scratch[0] = scratch[2] = bins * planeStride;
    scratch[1] = scratch[3] = 0;
    active = 1;
  }
  return active;
}
