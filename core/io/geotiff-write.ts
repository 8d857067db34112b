import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isSoilscaleError, runtimeError, usageError } from '../errors.js';
import type { Grid } from '../model/grid.js';
import type { Raster } from '../model/raster.js';
import { partialPath, produceFileAtomic } from './atomic-file.js';
import { layoutCog, tilesAcross, TILE_WRAP_BYTES, type ImageDescription } from './geotiff-cog-layout.js';
import { geoKeysFor, tagsFromTransform } from './geotiff-geokeys.js';
import { formatGdalMetadata, formatGdalNodata } from './geotiff-metadata.js';
import { OverviewReducer, pyramidSizes } from './geotiff-overviews.js';
import { Tag, type TagEntry } from './geotiff-tags.js';
import { BYTES_PER_SAMPLE, predictorCode, TileEncoder, type WritableDataType } from './geotiff-tile-encoder.js';

/** How a GeoTIFF is written. Every option has a default suited to float products. */
export interface GeoTiffWriteOptions {
  /** Sample type in the file: `float32` (default) for continuous products, `int16`/`uint8` for class maps. */
  dataType?: 'float32' | 'int16' | 'uint8';
  /** File value that stands for engine `NaN`. Default: NaN (float32), -32768 (int16), 255 (uint8). */
  nodata?: number;
  /**
   * Square tile size in pixels, a multiple of 16 from 16 to 4096 (TIFF requires multiples of 16); default 256.
   * Small rasters are written smallest with the smallest multiple of 16 that covers them (one tile).
   */
  tileSize?: number;
  /** Default `deflate`. */
  compression?: 'deflate' | 'none';
  /** Floating-point predictor (3) for float32, horizontal (2) for integers; default true (with deflate). */
  predictor?: boolean;
  /** Internal overviews, laid out as a Cloud-Optimized GeoTIFF; default true. Average for float32, mode for class maps. */
  overviews?: boolean;
  /** `auto` (default): BigTIFF when the file could pass 4 GiB; `true` forces it, `false` forbids it. */
  bigTiff?: 'auto' | boolean;
  /** Band descriptions (GDAL shows them as `Description = …`); default the raster's band names. */
  bandNames?: readonly string[];
}

/** A writer for products larger than memory: rows go in top to bottom, the COG is assembled at `close()`. */
export interface GeoTiffStreamWriter {
  /** Append `rowCount` full-width rows; `bands[b]` holds band b's rows, row-major (at least `rowCount × width` values). */
  writeRows(bands: readonly Float32Array[], rowCount: number): Promise<void>;
  /** Finalise the file and move it into place (all `grid.height` rows must have been written). */
  close(): Promise<void>;
  /** Give up: remove the partial and temporary files. */
  abort(): Promise<void>;
  /** Diagnostics: bytes held in memory (tile-row buffers, pending overview rows) and bytes spooled to disk so far. */
  stats?(): { bufferedBytes: number; spooledBytes: number };
}

/**
 * Write a raster as a tiled, compressed Cloud-Optimized GeoTIFF. Atomic: readers see the old file or
 * the complete new one. Deterministic: the same raster and options give the same bytes.
 *
 * @example
 * ```ts
 * const grid = createGrid(512, 512, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32614');
 * const sm = createRaster(grid, 1, ['sm']);
 * sm.bands[0].fill(0.25);
 * const landcover = createRaster(grid, 1, ['landcover']);
 * landcover.bands[0].fill(12);
 * await writeGeoTiff('out/sm.tif', sm);                                  // float32, deflate + predictor 3, overviews
 * await writeGeoTiff('out/lc.tif', landcover, { dataType: 'uint8', nodata: 0 }); // class map, mode overviews
 * ```
 */
export async function writeGeoTiff(path: string, raster: Raster, options: GeoTiffWriteOptions = {}): Promise<void> {
  const init = { grid: raster.grid, bandCount: raster.bands.length, bandNames: raster.bandNames, ...options };
  await produceFileAtomic(path, async (tmp) => {
    // The raster is in memory already: its compressed tiles stay there too (no temporary tile files).
    const writer = new CogStreamWriter(tmp, path, init, 'memory');
    try {
      await writer.writeRows(raster.bands, raster.grid.height);
      await writer.finish();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  });
}

/**
 * Open a streaming GeoTIFF writer. Full-resolution tiles are compressed as rows arrive and spooled to
 * temporary files (one per level and band, next to `path`); overview rows are reduced on the fly, so
 * memory stays at about one tile row per pyramid level. `close()` writes the COG and renames it into place.
 *
 * @example
 * ```ts
 * const predictRows = (y: number, rows: number): Float32Array => new Float32Array(rows * grid.width).fill(0.2 + y / 1e4);
 * const w = await createGeoTiffWriter('out/sm_30m.tif', { grid, bandCount: 1 });
 * for (let y = 0; y < grid.height; y += 256) {
 *   const rows = Math.min(256, grid.height - y);
 *   await w.writeRows([predictRows(y, rows)], rows);
 * }
 * await w.close();
 * ```
 */
export async function createGeoTiffWriter(path: string, init: { grid: Grid; bandCount: number } & GeoTiffWriteOptions): Promise<GeoTiffStreamWriter> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = partialPath(path);
  const writer = new CogStreamWriter(tmp, path, init);
  await writer.openSpools();
  return {
    writeRows: (bands, rowCount) => writer.writeRows(bands, rowCount),
    close: async () => {
      try {
        await writer.finish();
        await rename(tmp, path);
      } catch (e) {
        await writer.abort();
        throw e;
      }
    },
    abort: () => writer.abort(),
    stats: () => writer.stats(),
  };
}

interface ResolvedOptions {
  dataType: WritableDataType;
  nodata: number;
  tileSize: number;
  compression: 'deflate' | 'none';
  predictor: boolean;
  overviews: boolean;
  bigTiff: 'auto' | boolean;
  bandNames?: readonly string[];
}

const DEFAULT_NODATA: Record<WritableDataType, number> = { float32: Number.NaN, int16: -32768, uint8: 255 };
const TYPE_RANGE: Record<WritableDataType, [number, number]> = { float32: [-Infinity, Infinity], int16: [-32768, 32767], uint8: [0, 255] };

function resolveOptions(file: string, bandCount: number, o: GeoTiffWriteOptions): ResolvedOptions {
  const dataType = o.dataType ?? 'float32';
  if (!['float32', 'int16', 'uint8'].includes(dataType)) {
    throw usageError('unsupported GeoTIFF output data type', { file, path: 'options.dataType', expected: "'float32', 'int16' or 'uint8'", found: String(dataType) });
  }
  const nodata = o.nodata ?? DEFAULT_NODATA[dataType];
  const [lo, hi] = TYPE_RANGE[dataType];
  if (typeof nodata !== 'number' || (dataType !== 'float32' && (!Number.isInteger(nodata) || nodata < lo || nodata > hi))) {
    throw usageError('nodata value does not fit the output data type', { file, path: 'options.nodata', expected: dataType === 'float32' ? 'a number or NaN' : `an integer in [${lo}, ${hi}]`, found: String(nodata) });
  }
  const tileSize = o.tileSize ?? 256;
  if (!Number.isInteger(tileSize) || tileSize % 16 !== 0 || tileSize < 16 || tileSize > 4096) {
    throw usageError('unsupported tile size', { file, path: 'options.tileSize', expected: 'a multiple of 16 from 16 to 4096', found: String(tileSize) });
  }
  const compression = o.compression ?? 'deflate';
  if (compression !== 'deflate' && compression !== 'none') {
    throw usageError('unsupported compression', { file, path: 'options.compression', expected: "'deflate' or 'none'", found: String(compression) });
  }
  const bigTiff = o.bigTiff ?? 'auto';
  if (bigTiff !== 'auto' && typeof bigTiff !== 'boolean') {
    throw usageError('invalid bigTiff option', { file, path: 'options.bigTiff', expected: "'auto', true or false", found: String(bigTiff) });
  }
  if (o.bandNames && o.bandNames.length !== bandCount) {
    throw usageError('one band name per band is needed', { file, path: 'options.bandNames', expected: `${bandCount} names`, found: `${o.bandNames.length} names` });
  }
  return { dataType, nodata, tileSize, compression, predictor: o.predictor ?? true, overviews: o.overviews ?? true, bigTiff, bandNames: o.bandNames };
}

function georeferencingEntries(grid: Grid, file: string): TagEntry[] {
  if (grid.crs === '') return []; // a plain TIFF, as read with { allowUngeoreferenced: true }
  const geoKeys = geoKeysFor(grid.crs, file);
  const model = tagsFromTransform(grid.transform);
  const entries: TagEntry[] = [{ tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geoKeys.directory }];
  if (geoKeys.doubles?.length) entries.push({ tag: Tag.GeoDoubleParams, type: 'DOUBLE', values: geoKeys.doubles });
  if (geoKeys.ascii) entries.push({ tag: Tag.GeoAsciiParams, type: 'ASCII', values: geoKeys.ascii });
  if (model.modelPixelScale) entries.push({ tag: Tag.ModelPixelScale, type: 'DOUBLE', values: model.modelPixelScale });
  if (model.modelTiepoint) entries.push({ tag: Tag.ModelTiepoint, type: 'DOUBLE', values: model.modelTiepoint });
  if (model.modelTransformation) entries.push({ tag: Tag.ModelTransformation, type: 'DOUBLE', values: model.modelTransformation });
  return entries;
}

/** Where a level's encoded tiles wait for assembly: appended in order, then copied out in order. */
interface TileSpool {
  append(chunks: readonly Uint8Array[], position: number): Promise<void>;
  /** Copy the first `length` bytes into `out` at `position`; returns the bytes copied. */
  copyTo(out: FileHandle, position: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Bytes copied from a temporary tile file at a time. */
const COPY_CHUNK = 8 * 2 ** 20;

/** A temporary file (streaming writes: memory stays bounded). */
async function fileSpool(path: string): Promise<TileSpool> {
  const fh = await open(path, 'w+');
  return {
    append: async (chunks, position) => void (await fh.writev(chunks as Uint8Array[], position)),
    copyTo: async (out, position, length) => {
      const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(length, 1)));
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, length - off), off);
        if (bytesRead === 0) break;
        await out.write(chunk, 0, bytesRead, position + off);
        off += bytesRead;
      }
      return off;
    },
    close: () => fh.close(),
  };
}

/** An in-memory list of chunks (whole-raster writes, whose input is in memory anyway). */
function memorySpool(): TileSpool {
  const chunks: Uint8Array[] = [];
  return {
    append: async (more) => void chunks.push(...more),
    copyTo: async (out, position, length) => {
      let off = 0;
      for (const c of chunks) {
        if (off >= length) break;
        const n = Math.min(c.length, length - off);
        await out.write(c, 0, n, position + off);
        off += n;
      }
      return off;
    },
    close: async () => void (chunks.length = 0),
  };
}

/** One pyramid level: its tile-row buffer, spools (one per band) and tile byte counts. */
class Level {
  readonly across: number;
  readonly down: number;
  readonly byteCounts: Uint32Array;
  readonly buffers: Float32Array[];
  spools: TileSpool[] = [];
  spoolBytes: number[];
  filled = 0;
  tileRow = 0;
  rowsIn = 0;
  next: OverviewReducer | null = null;

  constructor(
    readonly index: number,
    readonly width: number,
    readonly height: number,
    readonly tileSize: number,
    readonly bandCount: number,
    readonly spoolPaths: string[],
  ) {
    this.across = tilesAcross(width, tileSize);
    this.down = tilesAcross(height, tileSize);
    this.byteCounts = new Uint32Array(this.across * this.down * bandCount);
    // One tile row per band (at most the level's height).
    this.buffers = Array.from({ length: bandCount }, () => new Float32Array(Math.min(tileSize, height) * width));
    this.spoolBytes = new Array<number>(bandCount).fill(0);
  }
}

/** Tiles compressed at once: enough to keep libuv's zlib threads busy, few enough to bound memory. */
const ENCODE_CONCURRENCY = 8;

class CogStreamWriter {
  private readonly options: ResolvedOptions;
  private readonly levels: Level[];
  private readonly encoder: TileEncoder;
  private readonly description: ImageDescription;
  private readonly width: number;
  private readonly height: number;
  private rowsWritten = 0;
  private state: 'open' | 'finished' | 'aborted' = 'open';
  private spoolsOpened = false;

  constructor(
    private readonly outPath: string,
    private readonly finalPath: string,
    private readonly init: { grid: Grid; bandCount: number } & GeoTiffWriteOptions,
    private readonly spoolKind: 'file' | 'memory' = 'file',
  ) {
    const file = finalPath;
    const { grid, bandCount } = init;
    if (!grid || !Number.isInteger(grid.width) || !Number.isInteger(grid.height) || grid.width <= 0 || grid.height <= 0) {
      throw usageError('invalid grid', { file, path: 'grid', expected: 'positive integer width and height', found: grid ? `${grid.width}×${grid.height}` : 'none' });
    }
    if (!Number.isInteger(bandCount) || bandCount < 1 || bandCount > 65535) {
      throw usageError('invalid band count', { file, path: 'bandCount', expected: 'an integer in [1, 65535]', found: String(bandCount) });
    }
    this.width = grid.width;
    this.height = grid.height;
    const o = (this.options = resolveOptions(file, bandCount, init));
    const geoEntries = georeferencingEntries(grid, file);
    this.encoder = new TileEncoder({ dataType: o.dataType, nodata: o.nodata, tileSize: o.tileSize, compression: o.compression, predictor: o.predictor, file });
    this.description = {
      bandCount,
      dataType: o.dataType,
      tileSize: o.tileSize,
      compression: o.compression,
      predictor: predictorCode(o),
      nodataText: formatGdalNodata(o.nodata),
      geoEntries,
      gdalMetadata: formatGdalMetadata(o.bandNames),
    };
    const sizes = pyramidSizes(grid.width, grid.height, o.tileSize, o.overviews);
    this.levels = sizes.map(
      (s, i) => new Level(i, s.width, s.height, o.tileSize, bandCount, Array.from({ length: bandCount }, (_, b) => `${outPath}.L${i}.b${b}.spool`)),
    );
    const resampling = o.dataType === 'float32' ? 'average' : 'mode';
    for (let i = 0; i + 1 < this.levels.length; i++) {
      const below = this.levels[i + 1];
      this.levels[i].next = new OverviewReducer(this.levels[i].width, bandCount, resampling, (rows) => this.pushRows(below, rows, 0, 1));
    }
  }

  stats(): { bufferedBytes: number; spooledBytes: number } {
    let bufferedBytes = 0;
    let spooledBytes = 0;
    for (const level of this.levels) {
      for (const b of level.buffers) bufferedBytes += b.byteLength;
      bufferedBytes += level.next?.bufferedBytes ?? 0;
      for (const n of level.spoolBytes) spooledBytes += n;
    }
    return { bufferedBytes, spooledBytes };
  }

  async openSpools(): Promise<void> {
    if (this.spoolsOpened) return;
    this.spoolsOpened = true;
    await mkdir(dirname(this.outPath), { recursive: true });
    for (const level of this.levels) {
      for (const p of level.spoolPaths) level.spools.push(this.spoolKind === 'memory' ? memorySpool() : await fileSpool(p));
    }
  }

  async writeRows(bands: readonly Float32Array[], rowCount: number): Promise<void> {
    const file = this.finalPath;
    if (this.state !== 'open') throw usageError(`GeoTIFF writer is ${this.state}`, { file, path: 'writeRows', expected: 'an open writer', found: this.state });
    if (bands.length !== this.init.bandCount) {
      throw usageError('wrong number of bands', { file, path: 'writeRows(bands)', expected: `${this.init.bandCount} bands`, found: `${bands.length}` });
    }
    if (!Number.isInteger(rowCount) || rowCount < 0 || this.rowsWritten + rowCount > this.height) {
      throw usageError('too many rows', { file, path: 'writeRows(rowCount)', expected: `at most ${this.height - this.rowsWritten} more rows`, found: String(rowCount) });
    }
    bands.forEach((b, i) => {
      if (!(b instanceof Float32Array) || b.length < rowCount * this.width) {
        throw usageError('band block too short', { file, path: `writeRows(bands[${i}])`, expected: `a Float32Array of ≥ ${rowCount * this.width} values (${rowCount} rows × ${this.width})`, found: b instanceof Float32Array ? `${b.length} values` : typeof b });
      }
    });
    try {
      await this.openSpools();
      await this.pushRows(this.levels[0], bands, 0, rowCount);
      this.rowsWritten += rowCount;
    } catch (e) {
      await this.abort();
      throw wrapIoError(e, file);
    }
  }

  /** Copy rows into a level's tile-row buffer, feed its overview reducer, flush full tile rows. */
  private async pushRows(level: Level, bands: readonly Float32Array[], firstRow: number, rowCount: number): Promise<void> {
    const w = level.width;
    let r = 0;
    while (r < rowCount) {
      const take = Math.min(rowCount - r, level.tileSize - level.filled);
      for (let b = 0; b < level.bandCount; b++) {
        level.buffers[b].set(bands[b].subarray((firstRow + r) * w, (firstRow + r + take) * w), level.filled * w);
      }
      if (level.next) {
        for (let k = 0; k < take; k++) await level.next.pushRow(bands, (firstRow + r + k) * w);
      }
      level.filled += take;
      level.rowsIn += take;
      r += take;
      if (level.filled === level.tileSize || level.rowsIn === level.height) await this.flushTileRow(level);
    }
  }

  private async flushTileRow(level: Level): Promise<void> {
    if (level.filled === 0) return;
    const ts = level.tileSize;
    const jobs: Array<{ band: number; col: number }> = [];
    for (let b = 0; b < level.bandCount; b++) for (let c = 0; c < level.across; c++) jobs.push({ band: b, col: c });
    const results = new Array<Uint8Array>(jobs.length);
    let nextJob = 0;
    const worker = async (): Promise<void> => {
      while (nextJob < jobs.length) {
        const j = nextJob++;
        const { band, col } = jobs[j];
        results[j] = await this.encoder.encode(level.buffers[band], level.width, level.filled, col * ts, band, level.index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENCODE_CONCURRENCY, jobs.length) }, worker));
    for (let j = 0; j < jobs.length; j++) {
      const { band, col } = jobs[j];
      const data = results[j];
      const leader = Buffer.alloc(4);
      leader.writeUInt32LE(data.length, 0);
      const trailer = Buffer.alloc(4);
      trailer.set(data.subarray(Math.max(0, data.length - 4)), 4 - Math.min(4, data.length));
      await level.spools[band].append([leader, data, trailer], level.spoolBytes[band]);
      level.spoolBytes[band] += data.length + TILE_WRAP_BYTES;
      level.byteCounts[band * level.across * level.down + level.tileRow * level.across + col] = data.length;
    }
    level.tileRow++;
    level.filled = 0;
  }

  /** Flush the last partial tile rows and pending overview rows, then assemble the COG into `outPath`. */
  async finish(): Promise<void> {
    const file = this.finalPath;
    if (this.state !== 'open') throw usageError(`GeoTIFF writer is ${this.state}`, { file, path: 'close', expected: 'an open writer', found: this.state });
    if (this.rowsWritten !== this.height) {
      await this.abort();
      throw usageError('GeoTIFF writer closed before every row was written', { file, path: 'close', expected: `${this.height} rows`, found: `${this.rowsWritten} rows` });
    }
    try {
      await this.openSpools();
      for (const level of this.levels) {
        await this.flushTileRow(level);
        await level.next?.finish();
      }
      await this.assemble();
      this.state = 'finished';
      await this.removeSpools();
    } catch (e) {
      await this.abort();
      throw wrapIoError(e, file);
    }
  }

  private chooseBigTiff(): boolean {
    const o = this.options;
    if (o.bigTiff !== 'auto') return o.bigTiff;
    // Uncompressed estimate (deflate can grow incompressible data slightly; keep a 1% + 1 MiB margin).
    const tileBytes = o.tileSize * o.tileSize * BYTES_PER_SAMPLE[o.dataType] + TILE_WRAP_BYTES;
    const tiles = this.levels.reduce((n, l) => n + l.byteCounts.length, 0);
    const estimate = tiles * tileBytes * 1.01 + tiles * 16 + 2 ** 20;
    return estimate >= 2 ** 32;
  }

  private async assemble(): Promise<void> {
    let bigTiff = this.chooseBigTiff();
    let layout = layoutCog(this.description, this.levels, bigTiff);
    if (!bigTiff && layout.fileSize >= 2 ** 32) {
      if (this.options.bigTiff === false) {
        throw usageError('file exceeds 4 GiB but BigTIFF was disabled', { file: this.finalPath, path: 'options.bigTiff', expected: "'auto' or true for files over 4 GiB", found: `false, file of ${layout.fileSize} bytes` });
      }
      bigTiff = true;
      layout = layoutCog(this.description, this.levels, bigTiff);
    }
    const out = await open(this.outPath, 'w');
    try {
      await out.write(layout.header, 0, layout.header.length, 0);
      let pos = layout.header.length;
      for (let i = this.levels.length - 1; i >= 0; i--) {
        const level = this.levels[i];
        for (let b = 0; b < level.bandCount; b++) {
          const total = level.spoolBytes[b];
          const copied = await level.spools[b].copyTo(out, pos, total);
          if (copied !== total) throw runtimeError('temporary tile file ended early', { file: level.spoolPaths[b], expected: `${total} bytes`, found: `${copied} bytes` });
          pos += total;
        }
      }
      if (pos !== layout.fileSize) throw runtimeError('assembled GeoTIFF has an unexpected size', { file: this.finalPath, expected: `${layout.fileSize} bytes`, found: `${pos} bytes` });
    } finally {
      await out.close();
    }
  }

  private async removeSpools(): Promise<void> {
    for (const level of this.levels) {
      for (const spool of level.spools) await spool.close().catch(() => undefined);
      level.spools = [];
      if (this.spoolKind === 'file') for (const p of level.spoolPaths) await rm(p, { force: true });
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    await this.removeSpools();
    await rm(this.outPath, { force: true });
  }
}

function wrapIoError(e: unknown, file: string): unknown {
  if (isSoilscaleError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    return runtimeError(`cannot write GeoTIFF (${err.message})`, { file, expected: 'a writable location with free space', found: err.code });
  }
  return e;
}
