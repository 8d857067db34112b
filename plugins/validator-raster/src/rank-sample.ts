/**
 * The pairs Spearman ρ and KL rank, from the tiles to the validator: chosen by a hash of each
 * pixel-date's global index (so the same pairs whatever the tiling), packed as binary per tile and date,
 * and read back in raster order (date, row, column) — the order the whole-raster validator read them.
 *
 * Two samples are drawn, per date and pooled, each by a threshold on the same hash, so the smaller is a
 * subset of the larger: a tile sends the larger and one bit per pair saying whether it is in the smaller.
 */
import { mixSeed, type PixelWindow } from '../../../core/index.js';

/**
 * A pseudo-random 32-bit hash of a pixel-date's global index (matched date × pixels + row-major pixel):
 * which pairs the sample keeps depends on where they are, never on the tile they fall in.
 */
export function pairHash(index: number): number {
  return mixSeed(index >>> 0, Math.floor(index / 4294967296));
}

/**
 * The threshold on {@link pairHash} that keeps every pair when n ≤ maxSample, else about one pair in
 * ⌈n / maxSample⌉ (the whole-raster validator's stride, so samples keep its sizes: KL is a sum over them).
 */
export function sampleThreshold(n: number, maxSample: number): number {
  return n <= maxSample ? 2 ** 32 : Math.floor(2 ** 32 / Math.ceil(n / maxSample));
}

/** Where a tile's pixels are in the whole grid of the matched dates (a pixel-date's global index). */
export interface SampleGeometry {
  readonly window: PixelWindow;
  readonly gridWidth: number;
  readonly gridPixels: number;
}

/**
 * A tile's valid pairs of matched date `d` whose hash is below `keep`, packed (little-endian, base64):
 * per window row the count of kept pairs (uint32), the product values and the reference values
 * (float32, row-major), then one bit per pair (least significant first): hash below `smaller`.
 * Not JSON numbers: parsing a million of those made the first tiled validator ~10× slower.
 */
export function encodeDateSample(geometry: SampleGeometry, d: number, p: Float32Array, r: Float32Array, keep: number, smaller: number): string {
  const { window, gridWidth, gridPixels } = geometry;
  const height = window.height, width = window.width;
  const { e, o, bits } = scratchFor(p.length);
  const rows = new Uint32Array(height);
  let n = 0;
  for (let y = 0, k = 0; y < height; y++) {
    const base = d * gridPixels + (window.y + y) * gridWidth + window.x;
    // pairHash(base + x), with the index's high half taken once per row (unless the row crosses 2^32).
    const high = Math.floor(base / 4294967296);
    const oneHigh = Math.floor((base + width - 1) / 4294967296) === high;
    const first = n;
    for (let x = 0; x < width; x++, k++) {
      const a = p[k], b = r[k];
      if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
      const h = oneHigh ? mixSeed((base + x) >>> 0, high) : pairHash(base + x);
      if (h >= keep) continue;
      e[n] = a;
      o[n] = b;
      if (h < smaller) bits[n >> 3] |= 1 << (n & 7);
      n++;
    }
    rows[y] = n - first;
  }
  const flagBytes = (n + 7) >> 3;
  const bytes = new Uint8Array(4 * height + 8 * n + flagBytes);
  bytes.set(new Uint8Array(rows.buffer));
  bytes.set(new Uint8Array(e.buffer, 0, 4 * n), 4 * height);
  bytes.set(new Uint8Array(o.buffer, 0, 4 * n), 4 * height + 4 * n);
  bytes.set(bits.subarray(0, flagBytes), 4 * height + 8 * n);
  bits.fill(0, 0, flagBytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Arrays a thread packs its samples in, kept between dates and tiles (tile functions run one at a time). */
let scratch = { e: new Float32Array(0), o: new Float32Array(0), bits: new Uint8Array(0) };

function scratchFor(pixels: number): typeof scratch {
  if (scratch.e.length < pixels) scratch = { e: new Float32Array(pixels), o: new Float32Array(pixels), bits: new Uint8Array((pixels + 7) >> 3) };
  return scratch;
}

/** One tile's packed sample of a date, read back. */
interface TileSample {
  readonly rows: Uint32Array;
  readonly product: Float32Array;
  readonly reference: Float32Array;
  readonly bits: Uint8Array;
}

function decodeDateSample(text: string, height: number): TileSample {
  const copy = new Uint8Array(Buffer.from(text, 'base64')); // aligned, own buffer
  const rows = new Uint32Array(copy.buffer, 0, height);
  let n = 0;
  for (const c of rows) n += c;
  if (copy.length !== 4 * height + 8 * n + ((n + 7) >> 3)) {
    throw new RangeError(`validator:raster: a tile's rank sample has ${copy.length} bytes, expected ${4 * height + 8 * n + ((n + 7) >> 3)} for ${n} pairs in ${height} rows`);
  }
  return { rows, product: new Float32Array(copy.buffer, 4 * height, n), reference: new Float32Array(copy.buffer, 4 * height + 4 * n, n), bits: copy.subarray(4 * height + 8 * n) };
}

/** Pairs as the rank metrics take them. */
export interface SamplePairs {
  readonly product: Float64Array;
  readonly reference: Float64Array;
}

/**
 * The tiles' samples of one date (`texts[t]` of `windows[t]`, tiles in row-band order as the stage lists
 * them) in raster order: every pair sent (`larger`) and those flagged in the smaller sample.
 */
export function mergeDateSamples(windows: readonly PixelWindow[], texts: readonly string[]): { larger: SamplePairs; smaller: SamplePairs } {
  const samples = texts.map((text, t) => decodeDateSample(text, windows[t].height));
  const n = samples.reduce((s, t) => s + t.product.length, 0);
  const larger = { product: new Float64Array(n), reference: new Float64Array(n) };
  const smaller = { product: new Float64Array(n), reference: new Float64Array(n) };
  let k = 0, f = 0;
  for (let first = 0; first < windows.length; ) {
    // A band: the tiles sharing a row span, read row by row across them.
    let end = first;
    while (end < windows.length && windows[end].y === windows[first].y) end++;
    const cursor = new Array<number>(end - first).fill(0);
    for (let row = 0; row < windows[first].height; row++) {
      for (let t = first; t < end; t++) {
        const s = samples[t];
        const from = cursor[t - first], to = from + s.rows[row];
        larger.product.set(s.product.subarray(from, to), k);
        larger.reference.set(s.reference.subarray(from, to), k);
        k += to - from;
        for (let i = from; i < to; i++) {
          if ((s.bits[i >> 3] >> (i & 7)) & 1) {
            smaller.product[f] = s.product[i];
            smaller.reference[f] = s.reference[i];
            f++;
          }
        }
        cursor[t - first] = to;
      }
    }
    first = end;
  }
  return { larger, smaller: { product: smaller.product.subarray(0, f), reference: smaller.reference.subarray(0, f) } };
}
