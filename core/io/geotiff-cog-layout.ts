import { encodeIfd, measureIfd, setU64, Tag, type TagEntry } from './geotiff-tags.js';
import type { WritableDataType } from './geotiff-tile-encoder.js';

/**
 * Cloud-Optimized GeoTIFF layout: header, GDAL "ghost" structural metadata, every IFD (full
 * resolution first, then overviews from largest to smallest), then tile data from the smallest
 * overview to full resolution, each tile wrapped in a 4-byte size leader and a 4-byte trailer
 * repeating its last bytes — the layout GDAL's COG driver writes and reports as `LAYOUT=COG`.
 */

const GHOST_BODY =
  'LAYOUT=IFDS_BEFORE_DATA\n' +
  'BLOCK_ORDER=ROW_MAJOR\n' +
  'BLOCK_LEADER=SIZE_AS_UINT4\n' +
  'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n' +
  'KNOWN_INCOMPATIBLE_EDITION=NO\n ';

/** GDAL's structural metadata block, placed right after the TIFF header. */
export const GHOST_AREA = `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST_BODY.length).padStart(6, '0')} bytes\n${GHOST_BODY}`;

/** Bytes added around every tile: 4-byte leader + 4-byte trailer. */
export const TILE_WRAP_BYTES = 8;

/** Tags common to every level. */
export interface ImageDescription {
  readonly bandCount: number;
  readonly dataType: WritableDataType;
  readonly tileSize: number;
  readonly compression: 'deflate' | 'none';
  readonly predictor: 1 | 2 | 3;
  readonly nodataText: string;
  /** Georeferencing entries (model tags + GeoKeys), full-resolution IFD only; empty when ungeoreferenced. */
  readonly geoEntries: readonly TagEntry[];
  readonly gdalMetadata?: string;
}

/** One pyramid level's tiles: byte counts of the stored tiles, band-major then row-major. */
export interface LevelTiles {
  readonly width: number;
  readonly height: number;
  readonly byteCounts: ArrayLike<number>;
}

export function tilesAcross(width: number, tileSize: number): number {
  return Math.ceil(width / tileSize);
}

const BITS: Record<WritableDataType, number> = { float32: 32, int16: 16, uint8: 8 };
const FORMAT: Record<WritableDataType, number> = { float32: 3, int16: 2, uint8: 1 };

function ifdEntries(d: ImageDescription, level: LevelTiles, isOverview: boolean, offsets: ArrayLike<number>, bigTiff: boolean): TagEntry[] {
  const n = d.bandCount;
  const repeat = (v: number, k = n): number[] => new Array<number>(k).fill(v);
  const entries: TagEntry[] = [];
  if (isOverview) entries.push({ tag: Tag.NewSubfileType, type: 'LONG', values: [1] });
  entries.push(
    { tag: Tag.ImageWidth, type: 'LONG', values: [level.width] },
    { tag: Tag.ImageLength, type: 'LONG', values: [level.height] },
    { tag: Tag.BitsPerSample, type: 'SHORT', values: repeat(BITS[d.dataType]) },
    { tag: Tag.Compression, type: 'SHORT', values: [d.compression === 'deflate' ? 8 : 1] },
    { tag: Tag.Photometric, type: 'SHORT', values: [1] },
    { tag: Tag.SamplesPerPixel, type: 'SHORT', values: [n] },
    { tag: Tag.PlanarConfiguration, type: 'SHORT', values: [n > 1 ? 2 : 1] },
  );
  if (d.predictor !== 1) entries.push({ tag: Tag.Predictor, type: 'SHORT', values: [d.predictor] });
  entries.push(
    { tag: Tag.TileWidth, type: 'SHORT', values: [d.tileSize] },
    { tag: Tag.TileLength, type: 'SHORT', values: [d.tileSize] },
    { tag: Tag.TileOffsets, type: bigTiff ? 'LONG8' : 'LONG', values: offsets },
    { tag: Tag.TileByteCounts, type: 'LONG', values: level.byteCounts },
  );
  if (n > 1) entries.push({ tag: Tag.ExtraSamples, type: 'SHORT', values: repeat(0, n - 1) });
  entries.push({ tag: Tag.SampleFormat, type: 'SHORT', values: repeat(FORMAT[d.dataType]) });
  if (!isOverview) entries.push(...d.geoEntries);
  if (!isOverview && d.gdalMetadata) entries.push({ tag: Tag.GdalMetadata, type: 'ASCII', values: d.gdalMetadata });
  entries.push({ tag: Tag.GdalNodata, type: 'ASCII', values: d.nodataText });
  return entries.sort((a, b) => a.tag - b.tag);
}

export interface CogLayout {
  /** Header + ghost area + all IFDs: the first `header.length` bytes of the file. */
  readonly header: Uint8Array;
  /** Total file size. */
  readonly fileSize: number;
}

/**
 * Lay out the file. `levels[0]` is full resolution. Tile data follows the header in the order
 * levels n…0, and within a level band 0…B-1, tiles row-major, each wrapped (leader + data + trailer).
 */
export function layoutCog(d: ImageDescription, levels: readonly LevelTiles[], bigTiff: boolean): CogLayout {
  const headerSize = bigTiff ? 16 : 8;
  const even = (v: number): number => v + (v & 1);
  const firstIfd = even(headerSize + GHOST_AREA.length);
  // Sizes do not depend on offset values, only on counts and types.
  const sizes = levels.map((lv, i) => measureIfd(ifdEntries(d, lv, i > 0, lv.byteCounts, bigTiff), bigTiff));
  const ifdAt: number[] = [];
  let pos = firstIfd;
  for (const s of sizes) {
    ifdAt.push(pos);
    pos += s;
  }
  const dataStart = pos;
  const offsets = levels.map((lv) => new Float64Array(lv.byteCounts.length));
  for (let i = levels.length - 1; i >= 0; i--) {
    const counts = levels[i].byteCounts;
    for (let t = 0; t < counts.length; t++) {
      offsets[i][t] = pos + 4;
      pos += counts[t] + TILE_WRAP_BYTES;
    }
  }
  const header = new Uint8Array(dataStart);
  const view = new DataView(header.buffer);
  view.setUint16(0, 0x4949, false);
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setUint16(6, 0, true);
    setU64(view, 8, firstIfd);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstIfd, true);
  }
  header.set(Buffer.from(GHOST_AREA, 'latin1'), headerSize);
  levels.forEach((lv, i) => {
    const next = i + 1 < levels.length ? ifdAt[i + 1] : 0;
    encodeIfd(view, 0, ifdAt[i], ifdEntries(d, lv, i > 0, offsets[i], bigTiff), bigTiff, next);
  });
  return { header, fileSize: pos };
}
