import { inputError } from '../errors.js';
import { blockBytes, blockGrid, type BlockLayout } from './geotiff-blocks.js';
import type { RasterDataType } from './geotiff-read.js';
import { compressionName } from './geotiff-tags.js';

/**
 * The image's block layout, checked against the file before any pixel is read: dimensions in range,
 * one offset and byte count per block, every block inside the file, and a decoded size the
 * compressed bytes can actually hold. The last check bounds what a header can make the reader
 * allocate: a 1.6 KB file cannot declare gigabytes of pixels, whatever its dimensions say.
 */

/** Largest width or height (GDAL's limit too: a signed 32-bit int). */
export const MAX_DIMENSION = 2 ** 31 - 1;

/**
 * Highest ratio of decoded to compressed bytes each compression can reach: DEFLATE 1032:1 (its
 * format's bound), LZW ~2730:1 (12-bit codes of up to 4094 bytes), PackBits 64:1, ZSTD ~32768:1 (RLE
 * blocks), LERC a generous bound (a constant tile is a few dozen bytes). Uncompressed blocks must hold
 * every byte (checked per block when read).
 */
const MAX_RATIO: Readonly<Record<number, number>> = { 1: 1, 5: 2800, 8: 1100, 32946: 1100, 32773: 64, 50000: 33000, 34887: 1e6 };

/** The directory values the checks need (already parsed by geotiff.js, bounded by the structure walk). */
export interface LayoutTags {
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  readonly tiled: boolean;
  readonly tileWidth?: number;
  readonly tileLength?: number;
  readonly rowsPerStrip?: number;
  readonly planarConfiguration: number;
  readonly predictor: number;
  readonly photometric?: number;
  readonly compression: number;
  readonly dataType: RasterDataType;
  readonly littleEndian: boolean;
  readonly offsets: ArrayLike<number | bigint> | number | undefined;
  readonly byteCounts: ArrayLike<number | bigint> | number | undefined;
}

/** @throws SoilscaleError (input) naming `file` and the tag that is inconsistent. */
export function checkBlockLayout(t: LayoutTags, fileSize: number, file: string): BlockLayout {
  positive(t.width, MAX_DIMENSION, file, 'tag 256 ImageWidth');
  positive(t.height, MAX_DIMENSION, file, 'tag 257 ImageLength');
  positive(t.bandCount, 65535, file, 'tag 277 SamplesPerPixel');
  if (t.planarConfiguration !== 1 && t.planarConfiguration !== 2) {
    throw inputError('invalid PlanarConfiguration', { file, path: 'tag 284 PlanarConfiguration', expected: '1 (contiguous) or 2 (separate)', found: String(t.planarConfiguration) });
  }
  if (t.photometric === 6) {
    throw inputError('YCbCr TIFFs are not supported (their samples are not the band values)', { file, path: 'tag 262 PhotometricInterpretation', expected: 'a non-YCbCr image', found: '6 (YCbCr)' });
  }
  if (![1, 2, 3].includes(t.predictor) || (t.predictor === 3 && !t.dataType.startsWith('float'))) {
    throw inputError('invalid Predictor for this sample type', { file, path: 'tag 317 Predictor', expected: '1 or 2, or 3 (floating point) for float samples', found: `${t.predictor} with ${t.dataType} samples` });
  }
  if (!t.littleEndian && t.predictor !== 1) {
    throw inputError('big-endian TIFFs with a predictor are not supported', { file, path: 'tag 317 Predictor', expected: '1 (none) in a big-endian file, or a little-endian file', found: String(t.predictor) });
  }
  const blockWidth = t.tiled ? t.tileWidth : t.width;
  const blockHeight = t.tiled ? t.tileLength : Math.min(t.height, t.rowsPerStrip || t.height);
  positive(blockWidth, MAX_DIMENSION, file, t.tiled ? 'tag 322 TileWidth' : 'tag 256 ImageWidth');
  positive(blockHeight, MAX_DIMENSION, file, t.tiled ? 'tag 323 TileLength' : 'tag 278 RowsPerStrip');
  const planar = t.planarConfiguration as 1 | 2;
  const offsetTag = t.tiled ? 'tag 324 TileOffsets' : 'tag 273 StripOffsets';
  const countTag = t.tiled ? 'tag 325 TileByteCounts' : 'tag 279 StripByteCounts';
  const layout: BlockLayout = {
    width: t.width,
    height: t.height,
    tiled: t.tiled,
    blockWidth: blockWidth!,
    blockHeight: blockHeight!,
    planar,
    bandCount: t.bandCount,
    dataType: t.dataType,
    littleEndian: t.littleEndian,
    compression: t.compression,
    offsets: numbers(t.offsets, file, offsetTag),
    byteCounts: numbers(t.byteCounts, file, countTag),
  };
  const { across, down } = blockGrid(layout);
  const blocks = across * down * (planar === 2 ? t.bandCount : 1);
  for (const [values, tag] of [[layout.offsets, offsetTag], [layout.byteCounts, countTag]] as const) {
    if (values.length < blocks) {
      throw inputError('fewer block entries than the image has blocks', { file, path: tag, expected: `${blocks} entries (${across}×${down} blocks${planar === 2 ? ` × ${t.bandCount} planes` : ''})`, found: `${values.length}` });
    }
  }
  let compressed = 0;
  let decoded = 0;
  for (let i = 0; i < blocks; i++) {
    const end = layout.offsets[i] + layout.byteCounts[i];
    if (layout.byteCounts[i] > 0 && end > fileSize) {
      throw inputError('file is truncated: an image block extends past the end of the file', { file, path: `${offsetTag} block ${i}`, expected: `file of at least ${end} bytes`, found: `${fileSize} bytes` });
    }
    compressed += layout.byteCounts[i];
    // Sparse blocks (byte count 0) decode to nothing: they read as nodata.
    if (layout.byteCounts[i] > 0) decoded += blockBytes(layout, Math.floor((i % (across * down)) / across));
  }
  const ratio = MAX_RATIO[t.compression] ?? 1e6;
  if (decoded > ratio * compressed + 1024) {
    throw inputError('image dimensions are implausible for the file size (corrupt header?)', {
      file,
      path: 'tags 256/257/277 ImageWidth/ImageLength/SamplesPerPixel',
      expected: `at most ${ratio}:1 ${compressionName(t.compression)} compression`,
      found: `${t.width}×${t.height}×${t.bandCount} ${t.dataType} (${decoded} bytes in non-empty blocks) from ${compressed} compressed bytes`,
    });
  }
  return layout;
}

function positive(v: number | undefined, max: number, file: string, path: string): void {
  if (v === undefined || !Number.isInteger(v) || v < 1 || v > max) {
    throw inputError('TIFF dimension out of range', { file, path, expected: `an integer from 1 to ${max}`, found: String(v) });
  }
}

function numbers(v: ArrayLike<number | bigint> | number | undefined, file: string, tag: string): ArrayLike<number> {
  if (v === undefined) {
    throw inputError('TIFF directory has no block offsets', { file, path: tag, expected: 'offsets and byte counts of every block', found: 'missing' });
  }
  if (typeof v === 'number') return [v];
  const first = v.length > 0 ? v[0] : 0;
  return typeof first === 'bigint' ? Array.from(v as ArrayLike<bigint>, Number) : (v as ArrayLike<number>);
}
