import { inputError, isSoilscaleError } from '../errors.js';
import type { PixelWindow } from '../model/grid.js';
import type { RasterDataType } from './geotiff-read.js';
import { checkBlockPayload } from './geotiff-payload.js';

/**
 * Block assembly: the blocks a window touches are fetched, decoded (bounded, see geotiff-codecs.ts),
 * checked to hold every pixel they must, and copied row by row through typed-array views straight
 * into the Float32 result, with nodata → NaN and scale/offset applied in the same pass. One path for
 * every layout: single band, band-separate planes and pixel-interleaved bands (a block is decoded
 * once for all the bands read from it), little- and big-endian.
 */

const BLOCKS_IN_FLIGHT = 16;

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const VIEWS: Record<RasterDataType, (b: ArrayBuffer) => Typed> = {
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  int16: (b) => new Int16Array(b, 0, b.byteLength >> 1),
  uint16: (b) => new Uint16Array(b, 0, b.byteLength >> 1),
  int32: (b) => new Int32Array(b, 0, b.byteLength >> 2),
  uint32: (b) => new Uint32Array(b, 0, b.byteLength >> 2),
  float32: (b) => new Float32Array(b, 0, b.byteLength >> 2),
  float64: (b) => new Float64Array(b, 0, b.byteLength >> 3),
};

export const BYTES: Record<RasterDataType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };

export interface BandTransform {
  readonly nodata?: number;
  readonly scale: number;
  readonly offset: number;
}

/** Where an image's blocks are and how they are cut (validated by `checkBlockLayout`). */
export interface BlockLayout {
  readonly width: number;
  readonly height: number;
  readonly tiled: boolean;
  readonly blockWidth: number;
  /** Rows per block (a strip image's RowsPerStrip, at most the image height). */
  readonly blockHeight: number;
  /** 1: pixel-interleaved (all bands in each block); 2: one plane of blocks per band. */
  readonly planar: 1 | 2;
  readonly bandCount: number;
  readonly dataType: RasterDataType;
  readonly littleEndian: boolean;
  readonly compression: number;
  readonly offsets: ArrayLike<number>;
  readonly byteCounts: ArrayLike<number>;
}

/** What block reading needs from the opened file. */
export interface BlockSource {
  readonly file: string;
  fetch(slices: ReadonlyArray<{ offset: number; length: number }>): Promise<ArrayBuffer[]>;
  decode(buffer: ArrayBuffer): Promise<ArrayBuffer>;
}

/** Blocks across and down. */
export function blockGrid(l: BlockLayout): { across: number; down: number } {
  return { across: Math.ceil(l.width / l.blockWidth), down: Math.ceil(l.height / l.blockHeight) };
}

/** Bytes block (tx, ty) must decode to: full tiles, and strips of the rows left in the last one. */
export function blockBytes(l: BlockLayout, ty: number): number {
  const rows = l.tiled ? l.blockHeight : Math.min(l.blockHeight, l.height - ty * l.blockHeight);
  return l.blockWidth * rows * BYTES[l.dataType] * (l.planar === 1 ? l.bandCount : 1);
}

/** Read `bands` (0-based) of `window` as Float32 arrays. */
export async function readBlocks(
  src: BlockSource,
  layout: BlockLayout,
  window: PixelWindow,
  bands: readonly number[],
  transforms: readonly BandTransform[],
): Promise<Float32Array[]> {
  const { across, down } = blockGrid(layout);
  const bw = layout.blockWidth;
  const bh = layout.blockHeight;
  const out = bands.map(() => new Float32Array(window.width * window.height));
  // Jobs: one per block touched; a pixel-interleaved block serves every band read.
  const jobs: Array<() => Promise<void>> = [];
  const planes = layout.planar === 2 ? bands.map((b, i) => ({ plane: b, targets: [i] })) : [{ plane: 0, targets: bands.map((_, i) => i) }];
  for (const { plane, targets } of planes) {
    for (let ty = Math.floor(window.y / bh); ty * bh < window.y + window.height; ty++) {
      for (let tx = Math.floor(window.x / bw); tx * bw < window.x + window.width; tx++) {
        const index = plane * across * down + ty * across + tx;
        jobs.push(async () => {
          const block = await loadBlock(src, layout, index, ty);
          for (const i of targets) copyBlock(block, layout, tx, ty, window, out[i], bands[i], transforms[i]);
        });
      }
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]();
  };
  // Bounded concurrency: enough blocks in flight to keep the zlib threads busy, not the whole file.
  await Promise.all(Array.from({ length: Math.min(BLOCKS_IN_FLIGHT, jobs.length) }, worker));
  return out;
}

/** A decoded block as a typed view, or `undefined` for a sparse block (no data written: nodata, or 0). */
async function loadBlock(src: BlockSource, layout: BlockLayout, index: number, ty: number): Promise<Typed | undefined> {
  const what = `${layout.tiled ? 'tile' : 'strip'} ${index}`;
  const offset = layout.offsets[index];
  const count = layout.byteCounts[index];
  if (count === 0) return undefined; // GDAL's SPARSE_OK blocks: read as nodata, or 0 without one
  const expected = blockBytes(layout, ty);
  let decoded: ArrayBuffer;
  try {
    const [raw] = await src.fetch([{ offset, length: count }]);
    checkBlockPayload(new Uint8Array(raw), layout.compression, expected, src.file, what);
    decoded = await src.decode(raw);
  } catch (e) {
    if (isSoilscaleError(e)) throw e;
    throw inputError(`cannot decode ${what} (${(e as Error).message})`, { file: src.file, path: `${what} at byte ${offset}`, expected: `a valid compressed block of ${expected} bytes`, found: `${count} bytes of corrupt data` });
  }
  if (decoded.byteLength < expected) {
    throw inputError(`${what} decodes to fewer bytes than its pixels need (truncated or corrupt data)`, { file: src.file, path: `${what} at byte ${offset}`, expected: `${expected} bytes`, found: `${decoded.byteLength} bytes` });
  }
  if (!layout.littleEndian) swapBytes(new Uint8Array(decoded, 0, expected), BYTES[layout.dataType]);
  return VIEWS[layout.dataType](decoded);
}

function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function copyBlock(src: Typed | undefined, l: BlockLayout, tx: number, ty: number, w: PixelWindow, dst: Float32Array, band: number, t: BandTransform): void {
  const bw = l.blockWidth;
  const bh = l.blockHeight;
  const stride = l.planar === 1 ? l.bandCount : 1;
  const sample = l.planar === 1 ? band : 0;
  const rowStart = Math.max(w.y, ty * bh);
  const rowEnd = Math.min(w.y + w.height, (ty + 1) * bh);
  const colStart = Math.max(w.x, tx * bw);
  const colEnd = Math.min(w.x + w.width, (tx + 1) * bw);
  const n = colEnd - colStart;
  // Compare in the file's precision: a float32 file stores fround(nodata).
  const nd = t.nodata === undefined || Number.isNaN(t.nodata) ? undefined : l.dataType === 'float32' ? Math.fround(t.nodata) : t.nodata;
  const identity = t.scale === 1 && t.offset === 0;
  for (let y = rowStart; y < rowEnd; y++) {
    const d = (y - w.y) * w.width + (colStart - w.x);
    if (!src) {
      dst.fill(t.nodata !== undefined ? Number.NaN : t.offset, d, d + n);
      continue;
    }
    const s = ((y - ty * bh) * bw + (colStart - tx * bw)) * stride + sample;
    if (stride === 1 && nd === undefined && identity) {
      dst.set(src.subarray(s, s + n), d);
    } else if (nd === undefined && identity) {
      for (let k = 0; k < n; k++) dst[d + k] = src[s + k * stride];
    } else {
      for (let k = 0; k < n; k++) {
        const v = src[s + k * stride];
        dst[d + k] = v === nd ? Number.NaN : v * t.scale + t.offset;
      }
    }
  }
}
