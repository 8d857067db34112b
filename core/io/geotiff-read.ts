import { stat } from 'node:fs/promises';
import { inflate } from 'node:zlib';
import type GeoTIFF from 'geotiff';
import type { GeoTIFFImage } from 'geotiff';
import { inputError, isSoilscaleError, usageError } from '../errors.js';
import { createGrid, windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import { rasterFromBands, type Raster } from '../model/raster.js';
import { crsFromGeoKeys, parseGeoKeyDirectory, transformFromTags } from './geotiff-geokeys.js';
import { parseGdalMetadata, parseGdalNodata } from './geotiff-metadata.js';
import { canReadFast, readBlocksFast } from './geotiff-blocks.js';
import { CountingFileSource } from './geotiff-source.js';
import { HttpRangeSource, isRemote } from './http-source.js';
import { Tag, compressionName } from './geotiff-tags.js';
import { undoFloatingPointPredictor } from './geotiff-tile-encoder.js';

/** Sample types soilscale reads (and, for float32/int16/uint8, writes). */
export type RasterDataType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

/** What a GeoTIFF header says, without reading pixels. */
export interface GeoTiffInfo {
  path: string;
  grid: Grid;
  bandCount: number;
  dataType: RasterDataType;
  /** The file's nodata value (GDAL_NODATA); pixels equal to it read as `NaN`. */
  nodata?: number;
  /** Per-band scale (GDAL metadata SCALE); physical = raw × scale + offset. */
  scale?: number[];
  /** Per-band offset (GDAL metadata OFFSET). */
  offset?: number[];
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  /** `none`, `deflate`, `lzw`, `packbits`, `zstd`, `lerc`, … */
  compression: string;
  overviewCount: number;
  bandNames?: string[];
}

/** Options shared by the header and pixel readers. */
export interface GeoTiffOpenOptions {
  /**
   * Accept a plain TIFF without any georeferencing (no GeoKeys, no model tags): its grid gets GDAL's
   * default pixel transform `[0, 1, 0, 0, 0, 1]` and an empty CRS. Default `false` (an input error).
   */
  allowUngeoreferenced?: boolean;
}

export interface GeoTiffReadOptions extends GeoTiffOpenOptions {
  /** Pixel window to read; only the blocks it touches are read from the file. */
  window?: PixelWindow;
  /** 0-based band indices to read, in the order wanted (default: all bands). */
  bands?: readonly number[];
}

interface DecoderParameters {
  tileWidth: number;
  predictor: number;
  planarConfiguration: number;
  bitsPerSample: number | ArrayLike<number> | undefined;
}

type GeotiffModule = typeof import('geotiff');
let geotiffModule: Promise<GeotiffModule> | undefined;

/**
 * geotiff.js, loaded on first use (so importing core does not load it, e.g. in worker threads), with
 * DEFLATE routed through node's native zlib instead of pako: several times faster, and async, so the
 * blocks of one read inflate in parallel on libuv's thread pool.
 */
export function loadGeotiff(): Promise<GeotiffModule> {
  geotiffModule ??= import('geotiff').then((m) => {
    class NativeDeflateDecoder extends m.BaseDecoder {
      override decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
        return new Promise((resolve, reject) =>
          inflate(new Uint8Array(buffer), (err, out) => (err ? reject(err) : resolve(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer))),
        );
      }

      /** Float32 + predictor 3 with one sample per block (what soilscale writes): undone here, faster than geotiff.js's row loop. */
      override async decode(buffer: ArrayBuffer): Promise<ArrayBuffer> {
        const p = (this as unknown as { parameters: DecoderParameters }).parameters;
        const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample ?? []);
        if (p.predictor === 3 && bits[0] === 32 && (bits.length === 1 || p.planarConfiguration === 2)) {
          const block = await this.decodeBlock(buffer);
          undoFloatingPointPredictor(new Uint8Array(block), p.tileWidth);
          return block;
        }
        return (await super.decode(buffer)) as ArrayBuffer;
      }
    }
    m.addDecoder([8, 32946], async () => NativeDeflateDecoder as never, undefined, false);
    return m;
  });
  return geotiffModule;
}

/** Compressions geotiff.js decodes losslessly (or error-bounded, LERC). JPEG/WebP are refused: lossy and 8-bit. */
const READABLE_COMPRESSIONS = new Set([1, 5, 8, 32946, 32773, 34887, 50000]);

/**
 * Read a GeoTIFF's header: grid, band count, data type, nodata, scale/offset, block layout, overviews.
 *
 * @example
 * ```ts
 * const info = await readGeoTiffInfo('ndvi.tif');
 * console.log(info.grid.width, info.grid.crs, info.dataType, info.overviewCount);
 * ```
 */
export async function readGeoTiffInfo(path: string, options: GeoTiffOpenOptions = {}): Promise<GeoTiffInfo> {
  const opened = await openGeoTiff(path, options);
  await opened.source.close();
  return opened.info;
}

/**
 * Read a GeoTIFF as Float32 bands: file nodata → `NaN`, scale/offset applied. A `window` read fetches
 * only the blocks it needs.
 *
 * @example
 * ```ts
 * const r = await readGeoTiff('ndvi.tif', { window: { x: 10, y: 5, width: 8, height: 8 }, bands: [0] });
 * r.bands[0][0]; // value of pixel (10, 5), NaN where the file holds its nodata value
 * ```
 */
export async function readGeoTiff(path: string, options: GeoTiffReadOptions = {}): Promise<Raster> {
  const result = await readGeoTiffCounted(path, options);
  return result.raster;
}

/** `readGeoTiff` plus the number of file bytes it read (for tests and diagnostics). */
export async function readGeoTiffCounted(path: string, options: GeoTiffReadOptions = {}): Promise<{ raster: Raster; bytesRead: number }> {
  const { info, image, source, compressionCode } = await openGeoTiff(path, options);
  try {
    const { width, height } = info.grid;
    const window = options.window ?? { x: 0, y: 0, width, height };
    checkWindow(window, width, height, path);
    const bands = options.bands ?? Array.from({ length: info.bandCount }, (_, i) => i);
    bands.forEach((b, i) => {
      if (!Number.isInteger(b) || b < 0 || b >= info.bandCount) {
        throw usageError('band index out of range', { file: path, path: `options.bands[${i}]`, expected: `an integer in [0, ${info.bandCount - 1}]`, found: String(b) });
      }
    });
    let out: Float32Array[];
    try {
      if (canReadFast(image, info.bandCount, compressionCode)) {
        const transforms = bands.map((b) => ({ nodata: info.nodata, scale: info.scale?.[b] ?? 1, offset: info.offset?.[b] ?? 0 }));
        out = await readBlocksFast(image, info.dataType, compressionCode, window, bands, transforms);
      } else {
        const data = (await image.readRasters({
          window: [window.x, window.y, window.x + window.width, window.y + window.height],
          samples: [...bands],
          interleave: false,
        })) as unknown as ArrayLike<number>[];
        out = data.map((values, i) => toEngineValues(values, info.nodata, info.scale?.[bands[i]], info.offset?.[bands[i]]));
      }
    } catch (e) {
      if (isSoilscaleError(e)) throw e;
      throw inputError(`cannot decode pixel data (${(e as Error).message})`, { file: path, path: `tag 259 Compression (${info.compression})`, expected: 'a valid compressed block', found: 'corrupt data' });
    }
    const grid = windowGrid(info.grid, window);
    const names = info.bandNames ? bands.map((b) => info.bandNames![b]) : undefined;
    return { raster: rasterFromBands(grid, out, names), bytesRead: source.bytesRead };
  } finally {
    await source.close();
  }
}

function checkWindow(w: PixelWindow, width: number, height: number, file: string): void {
  const ok = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= width && w.y + w.height <= height;
  if (!ok) {
    throw usageError('read window is outside the raster', { file, path: 'options.window', expected: `integers inside ${width}×${height}`, found: `x=${w.x} y=${w.y} width=${w.width} height=${w.height}` });
  }
}

/** Float32 copy with nodata → NaN and scale/offset applied (one pass, no per-pixel allocation). */
function toEngineValues(values: ArrayLike<number>, nodata: number | undefined, scale = 1, offset = 0): Float32Array {
  const n = values.length;
  const out = values instanceof Float32Array && nodata === undefined && scale === 1 && offset === 0 ? values : new Float32Array(n);
  if (out === values) return out;
  const isFloat32 = values instanceof Float32Array;
  // Compare in the file's precision: a float32 file stores fround(nodata).
  const nd = nodata === undefined ? undefined : isFloat32 ? Math.fround(nodata) : nodata;
  if (nd === undefined || Number.isNaN(nd)) {
    for (let i = 0; i < n; i++) out[i] = values[i] * scale + offset;
  } else {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = v === nd ? Number.NaN : v * scale + offset;
    }
  }
  return out;
}

interface OpenedGeoTiff {
  info: GeoTiffInfo;
  compressionCode: number;
  image: GeoTIFFImage;
  source: CountingFileSource | HttpRangeSource;
}

async function openGeoTiff(path: string, options: GeoTiffOpenOptions): Promise<OpenedGeoTiff> {
  if (isRemote(path)) return openGeoTiffFrom(path, await HttpRangeSource.open(path), options);
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw inputError('not a file', { file: path, expected: 'a GeoTIFF file', found: 'a directory or special file' });
    size = s.size;
  } catch (e) {
    if (isSoilscaleError(e)) throw e;
    throw inputError('GeoTIFF file not found', { file: path, expected: 'an existing GeoTIFF file', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  return openGeoTiffFrom(path, new CountingFileSource(path, size), options);
}

/** Open a TIFF from a byte source: a local file, or an http(s) URL read by range requests. */
async function openGeoTiffFrom(path: string, source: CountingFileSource | HttpRangeSource, options: GeoTiffOpenOptions): Promise<OpenedGeoTiff> {
  const size = source.fileSize;
  try {
    if (size < 8) throw inputError('file is too short to be a TIFF (truncated?)', { file: path, expected: '≥ 8 bytes', found: `${size} bytes` });
    let tiff: GeoTIFF;
    let image: GeoTIFFImage;
    let imageCount: number;
    try {
      const { GeoTIFF: GeoTIFFClass } = await loadGeotiff();
      tiff = await GeoTIFFClass.fromSource(source as never);
      image = await tiff.getImage(0);
      imageCount = await tiff.getImageCount();
    } catch (e) {
      throw inputError(`not a readable TIFF (${(e as Error).message})`, { file: path, expected: 'a TIFF/BigTIFF header and image directory', found: `${size} bytes that do not parse` });
    }
    const info = await describeImage(path, size, tiff, image, imageCount, options);
    const compressionCode = Number(image.getFileDirectory().getValue('Compression') ?? 1);
    return { info, image, source, compressionCode };
  } catch (e) {
    await source.close();
    throw e;
  }
}

async function describeImage(path: string, size: number, tiff: GeoTIFF, image: GeoTIFFImage, imageCount: number, options: GeoTiffOpenOptions): Promise<GeoTiffInfo> {
  const fd = image.getFileDirectory();
  const load = async (tag: number): Promise<any> => {
    try {
      return await fd.loadValue(tag);
    } catch (e) {
      throw inputError(`cannot read TIFF tag ${tag} (${(e as Error).message})`, { file: path, path: `tag ${tag}`, expected: 'a readable tag value', found: 'truncated or corrupt directory' });
    }
  };
  const width = image.getWidth();
  const height = image.getHeight();
  const bandCount = image.getSamplesPerPixel();
  const compressionCode = Number((await load(Tag.Compression)) ?? 1);
  if (!READABLE_COMPRESSIONS.has(compressionCode)) {
    throw inputError('unsupported TIFF compression', {
      file: path,
      path: 'tag 259 Compression',
      expected: 'none (1), LZW (5), Deflate (8/32946), PackBits (32773), LERC (34887) or ZSTD (50000)',
      found: `${compressionCode} (${compressionName(compressionCode)})`,
    });
  }
  const dataType = sampleDataType(image, bandCount, path);

  // Georeferencing.
  const geoDir = await load(Tag.GeoKeyDirectory);
  const geoKeys = geoDir ? parseGeoKeyDirectory(geoDir, await load(Tag.GeoDoubleParams), await load(Tag.GeoAsciiParams), path) : undefined;
  const tags = {
    modelPixelScale: await load(Tag.ModelPixelScale),
    modelTiepoint: await load(Tag.ModelTiepoint),
    modelTransformation: await load(Tag.ModelTransformation),
    geoKeys,
  };
  let grid: Grid;
  if (!geoKeys && !tags.modelPixelScale && !tags.modelTiepoint && !tags.modelTransformation) {
    if (!options.allowUngeoreferenced) {
      throw inputError('TIFF has no georeferencing (pass { allowUngeoreferenced: true } to read it in pixel coordinates)', { file: path, path: 'tags 33550/33922/34264/34735', expected: 'GeoTIFF tags (geotransform and GeoKeys)', found: 'none' });
    }
    grid = createGrid(width, height, [0, 1, 0, 0, 0, 1], '');
  } else {
    grid = createGrid(width, height, transformFromTags(tags, path), crsFromGeoKeys(geoKeys, path));
  }

  const nodata = parseGdalNodata(await load(Tag.GdalNodata));
  const meta = parseGdalMetadata(await load(Tag.GdalMetadata), bandCount);

  const tiled = image.isTiled;
  const blockWidth = image.getTileWidth();
  const blockHeight = image.getTileHeight();
  await checkBlocksInsideFile(path, size, fd, tiled, load);

  let overviewCount = 0;
  for (let i = 1; i < imageCount; i++) {
    const sub = Number((await tiff.getImage(i)).getFileDirectory().getValue('NewSubfileType') ?? 0);
    if ((sub & 1) === 1 && (sub & 4) === 0) overviewCount++;
  }

  const info: GeoTiffInfo = { path, grid, bandCount, dataType, tiled, blockWidth, blockHeight, compression: compressionName(compressionCode), overviewCount };
  if (nodata !== undefined) info.nodata = nodata;
  if (meta.scale) info.scale = meta.scale;
  if (meta.offset) info.offset = meta.offset;
  if (meta.bandNames) info.bandNames = meta.bandNames;
  return info;
}

function sampleDataType(image: GeoTIFFImage, bandCount: number, file: string): RasterDataType {
  const format = image.getSampleFormat(0) ?? 1;
  const bits = image.getBitsPerSample(0);
  for (let s = 1; s < bandCount; s++) {
    if ((image.getSampleFormat(s) ?? 1) !== format || image.getBitsPerSample(s) !== bits) {
      throw inputError('bands with different sample types are not supported', { file, path: 'tags 258/339 BitsPerSample/SampleFormat', expected: 'one sample type for all bands', found: `band 1: format ${format}/${bits} bit, band ${s + 1}: format ${image.getSampleFormat(s)}/${image.getBitsPerSample(s)} bit` });
    }
  }
  const types: Record<string, RasterDataType> = {
    '1/8': 'uint8', '1/16': 'uint16', '1/32': 'uint32',
    '2/8': 'int8', '2/16': 'int16', '2/32': 'int32',
    '3/32': 'float32', '3/64': 'float64',
  };
  const type = types[`${format}/${bits}`];
  if (!type) {
    throw inputError('unsupported sample type', { file, path: 'tags 258/339 BitsPerSample/SampleFormat', expected: 'Int8–Int32, UInt8–UInt32, Float32 or Float64', found: `SampleFormat ${format}, ${bits} bits` });
  }
  return type;
}

/** A truncated file shows as blocks that extend past its end; report it before geotiff.js reads garbage. */
async function checkBlocksInsideFile(file: string, size: number, fd: { hasTag(tag: number): boolean }, tiled: boolean, load: (tag: number) => Promise<any>): Promise<void> {
  const offsetTag = tiled ? Tag.TileOffsets : Tag.StripOffsets;
  const countTag = tiled ? Tag.TileByteCounts : Tag.StripByteCounts;
  const offsets = (await load(offsetTag)) as ArrayLike<number | bigint> | number | undefined;
  const counts = (await load(countTag)) as ArrayLike<number | bigint> | number | undefined;
  if (offsets === undefined || counts === undefined) {
    throw inputError('TIFF directory has no block offsets', { file, path: `tag ${offsetTag}/${countTag}`, expected: 'offsets and byte counts of every block', found: 'missing' });
  }
  const offs = typeof offsets === 'number' ? [offsets] : offsets;
  const cnts = typeof counts === 'number' ? [counts] : counts;
  for (let i = 0; i < offs.length; i++) {
    const end = Number(offs[i]) + Number(cnts[i] ?? 0);
    if (Number(cnts[i] ?? 0) > 0 && end > size) {
      throw inputError('file is truncated: an image block extends past the end of the file', { file, path: `tag ${offsetTag} block ${i}`, expected: `file of at least ${end} bytes`, found: `${size} bytes` });
    }
  }
}
