/**
 * TIFF tag ids, field types and image-file-directory (IFD) encoding for classic TIFF and BigTIFF
 * (little-endian). The writer measures every IFD first, then lays out the file, then encodes.
 */

export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GdalMetadata: 42112,
  GdalNodata: 42113,
} as const;

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  2: 'ccitt-rle',
  3: 'ccitt-fax3',
  4: 'ccitt-fax4',
  5: 'lzw',
  6: 'old-jpeg',
  7: 'jpeg',
  8: 'deflate',
  32946: 'deflate',
  32773: 'packbits',
  34676: 'sgilog',
  34712: 'jpeg2000',
  34887: 'lerc',
  34925: 'lzma',
  50000: 'zstd',
  50001: 'webp',
  50002: 'jpegxl',
};

export function compressionName(code: number): string {
  return COMPRESSION_NAMES[code] ?? 'unknown';
}

/** TIFF field types used by the writer. */
export type FieldType = 'ASCII' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LONG8';

const TYPE_CODE: Record<FieldType, number> = { ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12, LONG8: 16 };
const TYPE_SIZE: Record<FieldType, number> = { ASCII: 1, SHORT: 2, LONG: 4, DOUBLE: 8, LONG8: 8 };

/** One IFD entry; `values` is a string for ASCII (the NUL terminator is added here). */
export interface TagEntry {
  readonly tag: number;
  readonly type: FieldType;
  readonly values: ArrayLike<number> | string;
}

function valueCount(e: TagEntry): number {
  return typeof e.values === 'string' ? Buffer.byteLength(e.values, 'latin1') + 1 : e.values.length;
}

function valueBytes(e: TagEntry): number {
  return valueCount(e) * TYPE_SIZE[e.type];
}

const even = (n: number): number => n + (n & 1);

/** Bytes an IFD occupies, including its out-of-line values (each started on a word boundary). */
export function measureIfd(entries: readonly TagEntry[], bigTiff: boolean): number {
  const entrySize = bigTiff ? 20 : 12;
  const inline = bigTiff ? 8 : 4;
  let size = (bigTiff ? 8 : 2) + entries.length * entrySize + (bigTiff ? 8 : 4);
  for (const e of entries) {
    const n = valueBytes(e);
    if (n > inline) size = even(size) + n;
  }
  return even(size);
}

/**
 * Encode an IFD at absolute file offset `at` into `out` (whose byte 0 is file offset `base`).
 * Entries must be sorted by tag. `next` is the offset of the next IFD (0 = last).
 */
export function encodeIfd(out: DataView, base: number, at: number, entries: readonly TagEntry[], bigTiff: boolean, next: number): void {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].tag <= entries[i - 1].tag) throw new Error(`IFD entries must be sorted by tag (${entries[i - 1].tag} before ${entries[i].tag})`);
  }
  const entrySize = bigTiff ? 20 : 12;
  const inline = bigTiff ? 8 : 4;
  let p = at - base;
  const headerEnd = (bigTiff ? 8 : 2) + entries.length * entrySize + (bigTiff ? 8 : 4);
  let extra = at + headerEnd;
  if (bigTiff) setU64(out, p, entries.length);
  else out.setUint16(p, entries.length, true);
  p += bigTiff ? 8 : 2;
  for (const e of entries) {
    const count = valueCount(e);
    const bytes = valueBytes(e);
    out.setUint16(p, e.tag, true);
    out.setUint16(p + 2, TYPE_CODE[e.type], true);
    if (bigTiff) setU64(out, p + 4, count);
    else out.setUint32(p + 4, count, true);
    const valuePos = p + (bigTiff ? 12 : 8);
    if (bytes <= inline) {
      writeValues(out, valuePos, e);
    } else {
      extra = even(extra);
      if (bigTiff) setU64(out, valuePos, extra);
      else out.setUint32(valuePos, extra, true);
      writeValues(out, extra - base, e);
      extra += bytes;
    }
    p += entrySize;
  }
  if (bigTiff) setU64(out, p, next);
  else out.setUint32(p, next, true);
}

function writeValues(out: DataView, pos: number, e: TagEntry): void {
  if (typeof e.values === 'string') {
    const b = Buffer.from(e.values, 'latin1');
    for (let i = 0; i < b.length; i++) out.setUint8(pos + i, b[i]);
    out.setUint8(pos + b.length, 0);
    return;
  }
  const v = e.values;
  const size = TYPE_SIZE[e.type];
  for (let i = 0; i < v.length; i++) {
    const at = pos + i * size;
    switch (e.type) {
      case 'SHORT':
        out.setUint16(at, v[i], true);
        break;
      case 'LONG':
        out.setUint32(at, v[i], true);
        break;
      case 'DOUBLE':
        out.setFloat64(at, v[i], true);
        break;
      case 'LONG8':
        setU64(out, at, v[i]);
        break;
      default:
        throw new Error(`numeric values for ${e.type}`);
    }
  }
}

export function setU64(out: DataView, at: number, value: number): void {
  out.setBigUint64(at, BigInt(value), true);
}
