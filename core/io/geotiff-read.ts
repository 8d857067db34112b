import { stat } from 'node:fs/promises';
import type GeoTIFF from 'geotiff';
import type { GeoTIFFImage } from 'geotiff';
import { inputError, isSoilscaleError, SoilscaleError, usageError } from '../errors.js';
import { sameCrs } from '../crs/resolve.js';
import { createGrid, describeGrid, windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import { rasterFromBands, type Raster } from '../model/raster.js';
import { readBlocks, type BlockLayout } from './geotiff-blocks.js';
import { decoderParameters, loadGeotiff } from './geotiff-codecs.js';
import { crsFromGeoKeys, parseGeoKeyDirectory, transformFromTags } from './geotiff-geokeys.js';
import { checkBlockLayout } from './geotiff-layout.js';
import { isWellFormedGdalMetadata, parseGdalMetadata, parseGdalNodata } from './geotiff-metadata.js';
import { CountingFileSource } from './geotiff-source.js';
import { readTiffStructure, type TiffStructure } from './geotiff-structure.js';
import { HttpRangeSource, isRemote } from './http-source.js';
import { Tag, compressionName } from './geotiff-tags.js';

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
  /**
   * The grid the caller knows the file is on (e.g. from STAC `proj:transform` + `proj:code`): it
   * georeferences a plain TIFF, and must agree with the file's own georeferencing when it has one
   * (same size; same CRS and transform to 1e-6 of a pixel). Its size must be the file's.
   */
  grid?: Grid;
}

/**
 * A band: its 0-based index, or its name — the GDAL band description (`DESCRIPTION` in
 * GDAL_METADATA, what `gdalinfo` prints as `Description = nir`), compared case-insensitively.
 */
export type BandSelector = number | string;

export interface GeoTiffReadOptions extends GeoTiffOpenOptions {
  /** Pixel window to read; only the blocks it touches are read from the file. */
  window?: PixelWindow;
  /**
   * Bands to read, in the order wanted (default: all bands): 0-based indices or band names
   * (see `BandSelector`). A multi-band Landsat-like file: `{ bands: ['red', 'nir'] }` or `{ bands: [2, 3] }`.
   */
  bands?: readonly BandSelector[];
}

export { loadGeotiff } from './geotiff-codecs.js';

/** ASCII tags whose text soilscale parses (GeoAsciiParams, GDAL_METADATA, GDAL_NODATA). */
const TEXT_TAGS: ReadonlySet<number> = new Set([Tag.GeoAsciiParams, Tag.GdalMetadata, Tag.GdalNodata]);

/** Compressions read losslessly (LERC: error-bounded). JPEG/WebP are refused: lossy and 8-bit. */
const READABLE_COMPRESSIONS = new Set([1, 5, 8, 32946, 32773, 34887, 50000]);

/**
 * Read a GeoTIFF's header: grid, band count, data type, nodata, scale/offset, block layout, overviews.
 * The whole structure is checked here (see `docs/geotiff-reader.md`): a damaged file fails now, with
 * a message naming it, rather than when pixels are read.
 *
 * @example
 * ```ts
 * const info = await readGeoTiffInfo('ndvi.tif');
 * console.log(info.grid.width, info.grid.crs, info.dataType, info.overviewCount);
 * ```
 */
export async function readGeoTiffInfo(path: string, options: GeoTiffOpenOptions = {}): Promise<GeoTiffInfo> {
  return naming(path, async () => {
    const opened = await openGeoTiff(path, options);
    await opened.source.close();
    return opened.info;
  });
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

/**
 * `readGeoTiff` plus the number of file bytes it read (for tests and diagnostics).
 *
 * @throws SoilscaleError naming the file for every problem: missing file, damaged structure,
 * truncated or corrupt blocks (never read as zeros), unsupported encodings, unknown band names.
 */
export async function readGeoTiffCounted(path: string, options: GeoTiffReadOptions = {}): Promise<{ raster: Raster; bytesRead: number }> {
  return naming(path, async () => {
    const { info, layout, source, decode } = await openGeoTiff(path, options);
    try {
      const { width, height } = info.grid;
      const window = options.window ?? { x: 0, y: 0, width, height };
      checkWindow(window, width, height, path);
      const bands = resolveBands(info, options.bands);
      const transforms = bands.map((b) => ({ nodata: info.nodata, scale: info.scale?.[b] ?? 1, offset: info.offset?.[b] ?? 0 }));
      const out = await readBlocks({ file: path, fetch: (s) => source.fetch(s), decode }, layout, window, bands, transforms);
      const grid = windowGrid(info.grid, window);
      const names = info.bandNames ? bands.map((b) => info.bandNames![b]) : undefined;
      return { raster: rasterFromBands(grid, out, names), bytesRead: source.bytesRead };
    } finally {
      await source.close();
    }
  });
}

/**
 * 0-based band indices for `selectors` (default: every band). Names match the GDAL band descriptions
 * (`info.bandNames`) case-insensitively.
 *
 * @throws SoilscaleError (usage) naming the file, the selector and the bands it has.
 * @example
 * ```ts
 * const info = await readGeoTiffInfo('ndvi.tif'); // one band, described "ndvi"
 * resolveBands(info, ['NDVI', 0]); // [0, 0]
 * const byName = await readGeoTiff('ndvi.tif', { bands: ['ndvi'] }); // what a STAC eo:bands name resolves through
 * const onGrid = await readGeoTiff('ndvi.tif', { grid: info.grid }); // a grid from STAC proj:* fields, checked against the file's
 * ```
 */
export function resolveBands(info: GeoTiffInfo, selectors?: readonly BandSelector[]): number[] {
  if (!selectors) return Array.from({ length: info.bandCount }, (_, i) => i);
  return selectors.map((s, i) => {
    if (typeof s === 'string') {
      const k = (info.bandNames ?? []).findIndex((n) => n.toLowerCase() === s.toLowerCase());
      if (k < 0) {
        const names = (info.bandNames ?? []).filter(Boolean);
        throw usageError('no band with this name', { file: info.path, path: `options.bands[${i}]`, expected: names.length ? `one of ${names.map((n) => JSON.stringify(n)).join(', ')} or an index in [0, ${info.bandCount - 1}]` : `an index in [0, ${info.bandCount - 1}] (the file's bands have no descriptions)`, found: JSON.stringify(s) });
      }
      return k;
    }
    if (!Number.isInteger(s) || s < 0 || s >= info.bandCount) {
      throw usageError('band index out of range', { file: info.path, path: `options.bands[${i}]`, expected: `an integer in [0, ${info.bandCount - 1}]`, found: String(s) });
    }
    return s;
  });
}

/** Run `fn`; any error without the file's name (a parser's own, a grid check's) is re-raised naming it. */
async function naming<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSoilscaleError(e)) {
      if (e.details.file) throw e;
      throw new SoilscaleError(e.kind, bareMessage(e), { ...e.details, file }, e.problems);
    }
    throw inputError(`cannot read the GeoTIFF (${e instanceof Error ? e.message : String(e)})`, { file, expected: 'a valid GeoTIFF', found: 'a file the TIFF parser rejects' });
  }
}

/** A SoilscaleError's message without the location and expected/found its details add to it. */
function bareMessage(e: SoilscaleError): string {
  const d = e.details;
  let text = e.message;
  const where = [d.file, d.path].filter(Boolean).join(': ');
  if (where && text.startsWith(`${where}: `)) text = text.slice(where.length + 2);
  const tail = d.expected !== undefined || d.found !== undefined ? ` (expected ${d.expected ?? '?'}, found ${d.found ?? '?'})` : '';
  return tail && text.endsWith(tail) ? text.slice(0, -tail.length) : text;
}

function checkWindow(w: PixelWindow, width: number, height: number, file: string): void {
  const ok = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= width && w.y + w.height <= height;
  if (!ok) {
    throw usageError('read window is outside the raster', { file, path: 'options.window', expected: `integers inside ${width}×${height}`, found: `x=${w.x} y=${w.y} width=${w.width} height=${w.height}` });
  }
}

interface OpenedGeoTiff {
  info: GeoTiffInfo;
  layout: BlockLayout;
  source: TiffByteSource;
  decode(buffer: ArrayBuffer): Promise<ArrayBuffer>;
}

/** Where a TIFF's bytes come from (geotiff.js's source interface, plus the size and a byte count). */
interface TiffByteSource {
  readonly fileSize: number;
  readonly bytesRead: number;
  fetch(slices: ReadonlyArray<{ offset: number; length: number }>): Promise<ArrayBuffer[]>;
  close(): Promise<void>;
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

/** Open a TIFF from a byte source: its structure checked first (geotiff-structure.ts), then parsed. */
async function openGeoTiffFrom(path: string, source: TiffByteSource, options: GeoTiffOpenOptions): Promise<OpenedGeoTiff> {
  const size = source.fileSize;
  try {
    if (size < 8) throw inputError('file is too short to be a TIFF (truncated?)', { file: path, expected: '≥ 8 bytes', found: `${size} bytes` });
    const reader = { read: async (offset: number, length: number) => new DataView((await source.fetch([{ offset, length }]))[0]) };
    const structure = await readTiffStructure(reader, size, path);
    let image: GeoTIFFImage;
    let tiff: GeoTIFF;
    const m = await loadGeotiff();
    try {
      tiff = await m.GeoTIFF.fromSource(source as never);
      image = await tiff.getImage(0);
    } catch (e) {
      throw inputError(`not a readable TIFF (${(e as Error).message})`, { file: path, expected: 'a TIFF/BigTIFF header and image directory', found: `${size} bytes that do not parse` });
    }
    const { info, layout } = await describeImage(path, size, tiff, image, structure, options);
    const decoder = await m.getDecoder(layout.compression, (await decoderParameters(image.getFileDirectory() as never)) as never);
    return { info, layout, source, decode: (b) => decoder.decode(b) as Promise<ArrayBuffer> };
  } catch (e) {
    await source.close();
    throw e;
  }
}

async function describeImage(path: string, size: number, tiff: GeoTIFF, image: GeoTIFFImage, structure: TiffStructure, options: GeoTiffOpenOptions): Promise<{ info: GeoTiffInfo; layout: BlockLayout }> {
  const load = tagLoader(image, path);
  const layout = await imageLayout(image, structure, 0, size, path);
  const { width, height, bandCount, dataType, tiled } = layout;
  const grid = await imageGrid(path, width, height, load, options);
  const nodataText = await load(Tag.GdalNodata);
  const nodata = parseGdalNodata(nodataText);
  if (nodata === undefined && typeof nodataText === 'string' && nodataText.replace(/\0/g, '').trim() !== '') {
    // GDAL would read a numeric prefix ('-9999x' as -9999); ignoring it would turn nodata into values.
    throw inputError('GDAL_NODATA is not a number', { file: path, path: 'tag 42113 GDAL_NODATA', expected: 'a number, nan or inf', found: JSON.stringify(nodataText.slice(0, 40)) });
  }
  const metadataXml = await load(Tag.GdalMetadata);
  if (typeof metadataXml === 'string' && !isWellFormedGdalMetadata(metadataXml)) {
    throw inputError('GDAL_METADATA is not well-formed (damaged file?)', { file: path, path: 'tag 42112 GDAL_METADATA', expected: '<GDALMetadata><Item name="…">…</Item>…</GDALMetadata>', found: JSON.stringify(metadataXml.slice(0, 80)) });
  }
  const meta = parseGdalMetadata(metadataXml, bandCount, path);
  const overviewCount = await checkOverviews(tiff, structure, size, path);

  const info: GeoTiffInfo = { path, grid, bandCount, dataType, tiled, blockWidth: layout.blockWidth, blockHeight: layout.blockHeight, compression: compressionName(layout.compression), overviewCount };
  if (nodata !== undefined) info.nodata = nodata;
  if (meta.scale) info.scale = meta.scale;
  if (meta.offset) info.offset = meta.offset;
  if (meta.bandNames) info.bandNames = meta.bandNames;
  return { info, layout };
}

/** Tag values of one image, read errors and damaged text reported naming the file and tag. */
function tagLoader(image: GeoTIFFImage, path: string): (tag: number) => Promise<any> {
  const fd = image.getFileDirectory();
  return async (tag) => {
    let value: unknown;
    try {
      value = await fd.loadValue(tag);
    } catch (e) {
      throw inputError(`cannot read TIFF tag ${tag} (${(e as Error).message})`, { file: path, path: `tag ${tag}`, expected: 'a readable tag value', found: 'truncated or corrupt directory' });
    }
    // libtiff truncates text at a NUL byte inside it (and GDAL then rejects the text); geotiff.js keeps it all.
    if (TEXT_TAGS.has(tag) && typeof value === 'string' && /\0[^\0]/.test(value)) {
      throw inputError('text tag contains a NUL byte inside its value (damaged file?)', { file: path, path: `tag ${tag}`, expected: 'one NUL-terminated string', found: JSON.stringify(value.slice(0, 60)) });
    }
    return value;
  };
}

/** The checked block layout of IFD `index` (compression, sample type, blocks; see geotiff-layout.ts). */
async function imageLayout(image: GeoTIFFImage, structure: TiffStructure, index: number, size: number, path: string): Promise<BlockLayout> {
  const load = tagLoader(image, path);
  const width = Number(await load(Tag.ImageWidth));
  const height = Number(await load(Tag.ImageLength));
  const bandCount = Number((await load(Tag.SamplesPerPixel)) ?? 1);
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
  checkExtraSamples(await load(Tag.ExtraSamples), bandCount, path);
  const tiled = structure.ifds[index].has(Tag.TileWidth);
  return checkBlockLayout(
    {
      width,
      height,
      bandCount,
      tiled,
      tileWidth: tiled ? Number(await load(Tag.TileWidth)) : undefined,
      tileLength: tiled ? Number(await load(Tag.TileLength)) : undefined,
      rowsPerStrip: tiled ? undefined : Number((await load(Tag.RowsPerStrip)) ?? height),
      planarConfiguration: Number((await load(Tag.PlanarConfiguration)) ?? 1),
      predictor: Number((await load(Tag.Predictor)) ?? 1),
      photometric: (await load(Tag.Photometric)) as number | undefined,
      compression: compressionCode,
      dataType,
      littleEndian: structure.littleEndian,
      offsets: await load(tiled ? Tag.TileOffsets : Tag.StripOffsets),
      byteCounts: await load(tiled ? Tag.TileByteCounts : Tag.StripByteCounts),
    },
    size,
    path,
  );
}

/**
 * Every further IFD (overviews, masks) is checked like the first — GDAL rejects a file with a damaged
 * one — and the reduced-resolution copies (NewSubfileType bit 0 set, not a mask) are counted.
 */
async function checkOverviews(tiff: GeoTIFF, structure: TiffStructure, size: number, path: string): Promise<number> {
  let n = 0;
  for (let i = 1; i < structure.ifds.length; i++) {
    const image = await tiff.getImage(i);
    try {
      await imageLayout(image, structure, i, size, path);
    } catch (e) {
      if (!isSoilscaleError(e)) throw e;
      throw new SoilscaleError(e.kind, `image ${i} (overview or mask): ${e.message.replace(`${path}: `, '')}`, { file: path, path: `IFD ${i}` });
    }
    const sub = Number(image.getFileDirectory().getValue('NewSubfileType') ?? 0);
    if ((sub & 1) === 1 && (sub & 4) === 0) n++;
  }
  return n;
}

/** The file's grid from its GeoKeys and model tags, or the caller's override grid (checked against them). */
async function imageGrid(path: string, width: number, height: number, load: (tag: number) => Promise<any>, options: GeoTiffOpenOptions): Promise<Grid> {
  const geoDir = await load(Tag.GeoKeyDirectory);
  const geoKeys = geoDir ? parseGeoKeyDirectory(geoDir, await load(Tag.GeoDoubleParams), await load(Tag.GeoAsciiParams), path) : undefined;
  const tags = {
    modelPixelScale: await load(Tag.ModelPixelScale),
    modelTiepoint: await load(Tag.ModelTiepoint),
    modelTransformation: await load(Tag.ModelTransformation),
    geoKeys,
  };
  const georeferenced = !!(geoKeys || tags.modelPixelScale || tags.modelTiepoint || tags.modelTransformation);
  const own = georeferenced ? createGrid(width, height, transformFromTags(tags, path), crsFromGeoKeys(geoKeys, path)) : undefined;
  if (own) {
    const t = own.transform;
    if (![t[0] + width * t[1] + height * t[2], t[3] + width * t[4] + height * t[5]].every(Number.isFinite)) {
      throw inputError('GeoTIFF geotransform puts the raster beyond any coordinate (corrupt pixel size?)', { file: path, path: 'tags 33550/33922/34264', expected: 'finite corner coordinates', found: `[${t.join(', ')}] for ${width}×${height} px` });
    }
  }
  const override = options.grid;
  if (override) {
    if (override.width !== width || override.height !== height) {
      throw usageError('the grid given for the file has another size', { file: path, path: 'options.grid', expected: `${width}×${height} px (the file's size)`, found: `${override.width}×${override.height} px` });
    }
    if (own && !agrees(own, override)) {
      throw inputError("the file's georeferencing differs from the grid given for it", { file: path, path: 'options.grid', expected: describeGrid(override), found: describeGrid(own) });
    }
    return override;
  }
  if (own) return own;
  if (!options.allowUngeoreferenced) {
    throw inputError('TIFF has no georeferencing (pass { grid } from STAC proj:transform + proj:code, or { allowUngeoreferenced: true } to read it in pixel coordinates)', { file: path, path: 'tags 33550/33922/34264/34735', expected: 'GeoTIFF tags (geotransform and GeoKeys)', found: 'none' });
  }
  return createGrid(width, height, [0, 1, 0, 0, 0, 1], '');
}

/** Same CRS, transforms equal to 1e-6 of a pixel. */
function agrees(a: Grid, b: Grid): boolean {
  const px = Math.max(Math.abs(a.transform[1]), Math.abs(a.transform[5]));
  return sameCrs(a.crs, b.crs) && a.transform.every((v, i) => Math.abs(v - b.transform[i]) <= 1e-6 * px);
}

/** ExtraSamples as libtiff accepts it (else GDAL rejects the file): at most one per sample, each 0–2. */
function checkExtraSamples(value: unknown, bandCount: number, file: string): void {
  if (value === undefined) return;
  const values = typeof value === 'number' ? [value] : Array.from(value as ArrayLike<number>);
  if (values.length > bandCount || values.some((v) => v > 2)) {
    throw inputError('invalid ExtraSamples', { file, path: 'tag 338 ExtraSamples', expected: `at most ${bandCount} values, each 0 (unspecified), 1 or 2 (alpha)`, found: `[${values.slice(0, 8).join(', ')}]` });
  }
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
