import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inputError, usageError } from '../errors.js';
import type { GeoTransform } from '../model/grid.js';
import { epsgCode } from '../crs/resolve.js';
import { GeoKey, userDefinedCrs, userDefinedGeoKeys, type GeoKeyEncoding } from './geotiff-crs.js';

/**
 * GeoTIFF georeferencing: GeoKeys ↔ `EPSG:n`, and model tags (ModelPixelScale, ModelTiepoint,
 * ModelTransformation) ↔ GDAL geotransform. Shared by the reader and the writer.
 */

export { GeoKey };

const MODEL_PROJECTED = 1;
const MODEL_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;
const RASTER_PIXEL_IS_POINT = 2;
const USER_DEFINED = 32767;

/** The parts of a TIFF directory the georeferencing decoders need (already-loaded tag values). */
export interface GeoTags {
  readonly modelPixelScale?: ArrayLike<number>;
  readonly modelTiepoint?: ArrayLike<number>;
  readonly modelTransformation?: ArrayLike<number>;
  /** GeoKeys by numeric id (SHORT values or already-resolved doubles/strings). */
  readonly geoKeys?: ReadonlyMap<number, number | string | readonly number[]>;
}

/** Parse a raw GeoKeyDirectory (tag 34735) into id → value, resolving double/ASCII parameters. */
export function parseGeoKeyDirectory(
  directory: ArrayLike<number>,
  doubles: ArrayLike<number> | undefined,
  ascii: string | undefined,
  file: string,
): Map<number, number | string | readonly number[]> {
  const keys = new Map<number, number | string | readonly number[]>();
  if (directory.length < 4) {
    throw inputError('GeoKeyDirectory is too short', { file, path: 'tag 34735 GeoKeyDirectory', expected: '≥ 4 values', found: String(directory.length) });
  }
  const [version, , , count] = [directory[0], directory[1], directory[2], directory[3]];
  const where = 'tag 34735 GeoKeyDirectory';
  if (version !== 1) {
    throw inputError('GeoKeyDirectory has an unknown version', { file, path: where, expected: 'KeyDirectoryVersion 1', found: String(version) });
  }
  if (directory.length < 4 + count * 4) {
    throw inputError('GeoKeyDirectory is truncated', { file, path: where, expected: `${4 + count * 4} values for ${count} keys`, found: String(directory.length) });
  }
  for (let i = 0; i < count; i++) {
    const [id, location, n, offset] = [directory[4 + i * 4], directory[5 + i * 4], directory[6 + i * 4], directory[7 + i * 4]];
    const key = `GeoKey ${id}`;
    const bad = (expected: string, found: string) => inputError('GeoKeyDirectory entry is corrupt', { file, path: `${where}: ${key}`, expected, found });
    if (location === 0) {
      if (n !== 1) throw bad('count 1 for a SHORT value held in the directory', `count ${n}`);
      keys.set(id, offset);
    } else if (location === 34736) {
      if (!doubles || offset + n > doubles.length || n < 1) throw bad(`${n} values inside GeoDoubleParams (tag 34736)`, `offset ${offset}, ${doubles?.length ?? 0} doubles`);
      keys.set(id, n === 1 ? doubles[offset] : Array.from({ length: n }, (_, k) => doubles[offset + k]));
    } else if (location === 34737) {
      if (ascii === undefined || offset + n > ascii.length) throw bad(`${n} characters inside GeoAsciiParams (tag 34737)`, `offset ${offset}, ${ascii?.length ?? 0} characters`);
      keys.set(id, ascii.slice(offset, offset + n).replace(/\|$/, ''));
    } else if (location === 34735) {
      if (offset + n > directory.length) throw bad(`${n} values inside the GeoKeyDirectory`, `offset ${offset}`);
      keys.set(id, Array.from({ length: n }, (_, k) => directory[offset + k]));
    } else {
      throw bad('TIFFTagLocation 0, 34735, 34736 or 34737', String(location));
    }
  }
  return keys;
}

/**
 * The CRS from GeoKeys: `EPSG:n`, or for a user-defined one (code 32767: MODIS sinusoidal, a custom
 * projection, a WKT-only CRS) a proj4 string built from its keys. A missing or unsupported one is an
 * input error naming the key.
 */
export function crsFromGeoKeys(keys: ReadonlyMap<number, unknown> | undefined, file: string): string {
  if (!keys || keys.size === 0) {
    throw inputError('GeoTIFF has no GeoKeys, so its CRS is unknown', { file, path: 'tag 34735 GeoKeyDirectory', expected: 'ProjectedCSTypeGeoKey (3072) or GeographicTypeGeoKey (2048)', found: 'no GeoKeyDirectory' });
  }
  const model = keys.get(GeoKey.GTModelType);
  const order = model === MODEL_GEOGRAPHIC ? [GeoKey.GeographicType, GeoKey.ProjectedCSType] : [GeoKey.ProjectedCSType, GeoKey.GeographicType];
  if (model !== undefined && model !== MODEL_PROJECTED && model !== MODEL_GEOGRAPHIC && model !== 3) {
    throw inputError('GeoTIFF model type is invalid', { file, path: 'GTModelTypeGeoKey (1024)', expected: '1 (projected) or 2 (geographic)', found: String(model) });
  }
  if (model === 3) {
    throw inputError('geocentric GeoTIFFs are not supported', { file, path: 'GTModelTypeGeoKey (1024)', expected: '1 (projected) or 2 (geographic)', found: '3 (geocentric)' });
  }
  for (const id of order) {
    const code = keys.get(id);
    if (code === undefined) continue;
    const name = id === GeoKey.ProjectedCSType ? 'ProjectedCSTypeGeoKey (3072)' : 'GeographicTypeGeoKey (2048)';
    if (code === USER_DEFINED) return userDefinedCrs(keys, file);
    if (typeof code !== 'number' || !Number.isInteger(code) || code <= 0) {
      throw inputError('GeoTIFF CRS code is not a valid EPSG code', { file, path: name, expected: 'an EPSG code', found: String(code) });
    }
    const crs = `EPSG:${code}`;
    let kind: CrsKind | undefined;
    try {
      kind = epsgKind(crs, file).kind;
    } catch {
      kind = undefined;
    }
    const wanted: CrsKind = id === GeoKey.ProjectedCSType ? 'projected' : 'geographic';
    if (kind !== wanted) {
      throw inputError(`GeoTIFF CRS code is not a known ${wanted} EPSG CRS`, { file, path: name, expected: `the code of a ${wanted} CRS in the EPSG registry`, found: kind ? `${code} (a ${kind} CRS)` : `${code} (not in the registry)` });
    }
    return crs;
  }
  throw inputError('GeoTIFF GeoKeys do not name a CRS', { file, path: 'GeoKeyDirectory', expected: 'ProjectedCSTypeGeoKey (3072) or GeographicTypeGeoKey (2048)', found: `keys ${[...keys.keys()].join(', ')}` });
}

/** Whether the raster's tie points refer to pixel centres (GTRasterTypeGeoKey = PixelIsPoint). */
export function isPixelIsPoint(keys: ReadonlyMap<number, unknown> | undefined): boolean {
  return keys?.get(GeoKey.GTRasterType) === RASTER_PIXEL_IS_POINT;
}

/**
 * GDAL geotransform from model tags. PixelIsPoint files are shifted by half a pixel so the transform
 * addresses pixel corners, as GDAL does by default (GTIFF_POINT_GEO_IGNORE=NO).
 */
export function transformFromTags(tags: GeoTags, file: string): GeoTransform {
  let gt: [number, number, number, number, number, number];
  const m = tags.modelTransformation;
  const tie = tags.modelTiepoint;
  const scale = tags.modelPixelScale;
  if (m && m.length >= 16) {
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
  } else if (tie && tie.length >= 6 && scale && scale.length >= 2) {
    if (tie.length > 6) {
      throw inputError('GeoTIFF is georeferenced by several tie points (GCPs), which is not supported; warp it first (gdalwarp)', { file, path: 'tag 33922 ModelTiepoint', expected: '1 tie point with ModelPixelScale', found: `${tie.length / 6} tie points` });
    }
    const [i, j, , x, y] = [tie[0], tie[1], tie[2], tie[3], tie[4]];
    gt = [x - i * scale[0], scale[0], 0, y + j * scale[1], 0, -scale[1]];
  } else {
    throw inputError('GeoTIFF has no geotransform', { file, path: 'tags 33550/33922/34264', expected: 'ModelPixelScale + ModelTiepoint, or ModelTransformation', found: tie ? 'a tie point without ModelPixelScale' : 'none' });
  }
  if (isPixelIsPoint(tags.geoKeys)) {
    gt[0] -= 0.5 * gt[1] + 0.5 * gt[2];
    gt[3] -= 0.5 * gt[4] + 0.5 * gt[5];
  }
  if (gt.some((v) => !Number.isFinite(v)) || gt[1] * gt[5] - gt[2] * gt[4] === 0) {
    throw inputError('GeoTIFF geotransform is degenerate', { file, path: 'tags 33550/33922/34264', expected: 'finite, invertible transform', found: `[${gt.join(', ')}]` });
  }
  return gt;
}

/** Model tags that encode `transform` (PixelIsArea): scale + tie point when north-up/axis-aligned, else a full matrix. */
export function tagsFromTransform(t: GeoTransform): { modelPixelScale?: number[]; modelTiepoint?: number[]; modelTransformation?: number[] } {
  if (t[2] === 0 && t[4] === 0 && t[1] > 0 && t[5] < 0) {
    return { modelPixelScale: [t[1], -t[5], 0], modelTiepoint: [0, 0, 0, t[0], t[3], 0] };
  }
  return { modelTransformation: [t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1] };
}

/** Kind of an EPSG CRS, looked up in the `epsg-index` package data. */
export type CrsKind = 'projected' | 'geographic';

let epsgDir: string | undefined;
function epsgIndexDir(): string {
  if (epsgDir === undefined) {
    const require = createRequire(import.meta.url);
    epsgDir = join(dirname(require.resolve('epsg-index/package.json')), 's');
  }
  return epsgDir;
}

/** Whether `EPSG:n` (or WKT whose outermost authority is EPSG) is a projected or a geographic 2D CRS; unknown codes and other kinds are usage errors. */
export function epsgKind(crs: string, file?: string): { code: number; kind: CrsKind } {
  const code = epsgCode(crs);
  if (code === undefined) {
    throw usageError('not an EPSG CRS', { file, path: 'grid.crs', expected: 'EPSG:n', found: crs.length > 60 ? crs.slice(0, 57) + '...' : crs });
  }
  const entryPath = join(epsgIndexDir(), `${code}.json`);
  if (!existsSync(entryPath)) {
    throw usageError('unknown EPSG code', { file, path: 'grid.crs', expected: 'a code in the EPSG registry', found: crs });
  }
  const entry = JSON.parse(readFileSync(entryPath, 'utf8')) as { kind?: string; proj4?: string };
  if (entry.kind === 'CRS-PROJCRS') return { code, kind: 'projected' };
  if (entry.kind === 'CRS-GEOGCRS' || (entry.proj4 ?? '').includes('+proj=longlat')) return { code, kind: 'geographic' };
  throw usageError('GeoTIFF CRS must be a projected or geographic 2D CRS', { file, path: 'grid.crs', expected: 'projected or geographic 2D CRS', found: `${crs} (${entry.kind ?? 'unknown kind'})` });
}

/**
 * GeoKeys (tags 34735–34737) for a CRS, PixelIsArea: the EPSG code when it has one, else the
 * user-defined encoding of its projection (see geotiff-crs.ts), so GDAL reads back the same CRS.
 */
export function geoKeysFor(crs: string, file?: string): GeoKeyEncoding {
  if (epsgCode(crs) === undefined) return userDefinedGeoKeys(crs, file);
  const { code, kind } = epsgKind(crs, file);
  const keys: Array<[number, number]> = [
    [GeoKey.GTModelType, kind === 'projected' ? MODEL_PROJECTED : MODEL_GEOGRAPHIC],
    [GeoKey.GTRasterType, RASTER_PIXEL_IS_AREA],
    [kind === 'projected' ? GeoKey.ProjectedCSType : GeoKey.GeographicType, code],
  ];
  const out = [1, 1, 0, keys.length];
  for (const [id, value] of keys) out.push(id, 0, 1, value);
  return { directory: out };
}
