import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inputError } from '../errors.js';

const require = createRequire(import.meta.url);

/** proj4 definitions already looked up, by EPSG code. */
const epsgCache = new Map<number, EpsgRecord>();

interface EpsgRecord {
  readonly code: string;
  readonly kind: string;
  readonly name: string;
  readonly proj4?: string;
  readonly wkt?: string;
}

/**
 * The EPSG code of a CRS given as `EPSG:n` (also `epsg:n`, `urn:ogc:def:crs:EPSG::n`) or as WKT whose
 * outermost `AUTHORITY`/`ID` names EPSG; `undefined` otherwise.
 *
 * @example
 * ```ts
 * epsgCode('EPSG:32633'); // 32633
 * epsgCode('PROJCS["WGS 84 / UTM zone 33N", …, AUTHORITY["EPSG","32633"]]'); // 32633
 * ```
 */
export function epsgCode(crs: string): number | undefined {
  const s = crs.trim();
  const short = /^(?:EPSG:|urn:ogc:def:crs:EPSG:[^:]*:)(\d+)$/i.exec(s);
  if (short) return Number(short[1]);
  if (!s.endsWith(']')) return undefined;
  // The outermost authority of a WKT is its last element: `…,AUTHORITY["EPSG","32633"]]` (WKT1)
  // or `…,ID["EPSG",32633]]` (WKT2).
  const tail = /(?:AUTHORITY|ID)\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]\s*\]$/i.exec(s);
  return tail ? Number(tail[1]) : undefined;
}

function epsgRecord(code: number, crs: string): EpsgRecord {
  const cached = epsgCache.get(code);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(require.resolve(`epsg-index/s/${code}.json`), 'utf8');
  } catch {
    throw inputError(`unknown CRS EPSG:${code}`, {
      path: 'crs',
      expected: 'an EPSG code of the EPSG registry (epsg-index)',
      found: crs,
    });
  }
  const record = JSON.parse(text) as EpsgRecord;
  if (!record.proj4 && !record.wkt) {
    throw inputError(`EPSG:${code} (${record.name}) has no usable definition`, {
      path: 'crs',
      expected: 'a coordinate reference system',
      found: record.kind,
    });
  }
  epsgCache.set(code, record);
  return record;
}

/**
 * A definition proj4 understands for `crs`: the registry's proj4 string for `EPSG:n`, the text
 * itself for WKT or a proj4 string (`+proj=…`).
 *
 * @throws SoilscaleError (input) naming the code when the EPSG code is unknown.
 * @example
 * ```ts
 * resolveCrs('EPSG:3035'); // '+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 …'
 * ```
 */
export function resolveCrs(crs: string): string {
  const s = crs.trim();
  if (/^(?:EPSG:|urn:ogc:def:crs:EPSG:[^:]*:)\d+$/i.test(s)) {
    const record = epsgRecord(epsgCode(s)!, crs);
    return record.proj4 ?? record.wkt!;
  }
  if (s.length === 0) {
    throw inputError('empty CRS', { path: 'crs', expected: 'EPSG:n, WKT or a proj4 string', found: '""' });
  }
  if (!/^(\+proj=|[A-Z_]+\s*\[)/i.test(s)) {
    throw inputError('unrecognised CRS', {
      path: 'crs',
      expected: 'EPSG:n, WKT or a proj4 string',
      found: s.length > 60 ? s.slice(0, 57) + '...' : s,
    });
  }
  return s;
}

/**
 * Whether `crs` has longitude/latitude (degree) coordinates.
 *
 * @example
 * ```ts
 * isGeographicCrs('EPSG:4326'); // true
 * isGeographicCrs('EPSG:32633'); // false
 * ```
 */
export function isGeographicCrs(crs: string): boolean {
  const def = resolveCrs(crs);
  if (def.startsWith('+')) return /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(def);
  return /^\s*(GEOGCS|GEOGCRS|GEOGRAPHICCRS|GEODCRS)\s*\[/i.test(def);
}

/** Whether two CRS strings name the same CRS: equal text or equal EPSG codes. */
export function sameCrs(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = epsgCode(a);
  return ca !== undefined && ca === epsgCode(b);
}
