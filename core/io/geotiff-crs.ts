import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import proj4 from 'proj4';
import { inputError, usageError } from '../errors.js';

/**
 * User-defined CRSs in GeoTIFF GeoKeys (ProjectedCRSGeoKey or GeodeticCRSGeoKey = 32767): the
 * projection method, its parameters, the ellipsoid and the units, as GDAL writes them for a CRS with
 * no EPSG code (MODIS sinusoidal, a custom LAEA, a WKT-only CRS). Read into a proj4 string; written
 * from any CRS text proj4 parses (WKT or proj4), so GDAL reads back the same projection.
 */

type Keys = ReadonlyMap<number, unknown>;

/** GeoKey ids (GeoTIFF 1.1, OGC 19-008r4): the CRS codes, and the parts of a user-defined CRS. */
export const GeoKey = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GTCitation: 1026,
  GeographicType: 2048,
  GeodeticDatum: 2050,
  GeogAngularUnits: 2054,
  Ellipsoid: 2056,
  SemiMajor: 2057,
  SemiMinor: 2058,
  InvFlattening: 2059,
  PrimeMeridianLong: 2061,
  ProjectedCSType: 3072,
  PCSCitation: 3073,
  Projection: 3074,
  ProjMethod: 3075,
  ProjLinearUnits: 3076,
  ProjLinearUnitSize: 3077,
  StdParallel1: 3078,
  StdParallel2: 3079,
  NatOriginLong: 3080,
  NatOriginLat: 3081,
  FalseEasting: 3082,
  FalseNorthing: 3083,
  FalseOriginLong: 3084,
  FalseOriginLat: 3085,
  FalseOriginEasting: 3086,
  FalseOriginNorthing: 3087,
  CenterLong: 3088,
  CenterLat: 3089,
  ScaleAtNatOrigin: 3092,
  StraightVertPoleLong: 3095,
} as const;

const K = GeoKey;
const USER_DEFINED = 32767;
const DEGREE = 9102;

/**
 * Projection methods (GeoTIFF CT codes) ↔ proj4 names, and which GeoKeys hold which proj4 parameter.
 * Each proj4 parameter lists the keys to read it from, first the one written (as GDAL writes it).
 */
interface Method {
  readonly ct: number;
  readonly proj: string;
  readonly params: ReadonlyArray<readonly [string, readonly number[]]>;
}

const LON0 = [K.NatOriginLong, K.CenterLong, K.FalseOriginLong, K.StraightVertPoleLong];
const LAT0 = [K.NatOriginLat, K.CenterLat, K.FalseOriginLat];
const X0 = [K.FalseEasting, K.FalseOriginEasting];
const Y0 = [K.FalseNorthing, K.FalseOriginNorthing];
const METHODS: readonly Method[] = [
  { ct: 1, proj: 'tmerc', params: [['lat_0', LAT0], ['lon_0', LON0], ['k', [K.ScaleAtNatOrigin]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 7, proj: 'merc', params: [['lat_ts', [K.StdParallel1]], ['lon_0', LON0], ['k', [K.ScaleAtNatOrigin]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 8, proj: 'lcc', params: [['lat_1', [K.StdParallel1]], ['lat_2', [K.StdParallel2]], ['lat_0', [K.FalseOriginLat, ...LAT0]], ['lon_0', [K.FalseOriginLong, ...LON0]], ['x_0', [K.FalseOriginEasting, K.FalseEasting]], ['y_0', [K.FalseOriginNorthing, K.FalseNorthing]]] },
  { ct: 9, proj: 'lcc', params: [['lat_1', LAT0], ['lat_0', LAT0], ['lon_0', LON0], ['k_0', [K.ScaleAtNatOrigin]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 10, proj: 'laea', params: [['lat_0', [K.CenterLat, ...LAT0]], ['lon_0', [K.CenterLong, ...LON0]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 11, proj: 'aea', params: [['lat_1', [K.StdParallel1]], ['lat_2', [K.StdParallel2]], ['lat_0', LAT0], ['lon_0', LON0], ['x_0', X0], ['y_0', Y0]] },
  { ct: 12, proj: 'aeqd', params: [['lat_0', [K.CenterLat, ...LAT0]], ['lon_0', [K.CenterLong, ...LON0]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 15, proj: 'stere', params: [['lat_ts', [K.NatOriginLat]], ['lon_0', [K.StraightVertPoleLong, ...LON0]], ['k', [K.ScaleAtNatOrigin]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 16, proj: 'sterea', params: [['lat_0', LAT0], ['lon_0', LON0], ['k', [K.ScaleAtNatOrigin]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 17, proj: 'eqc', params: [['lat_ts', [K.StdParallel1]], ['lat_0', [K.CenterLat, ...LAT0]], ['lon_0', [K.CenterLong, ...LON0]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 24, proj: 'sinu', params: [['lon_0', [K.CenterLong, ...LON0]], ['x_0', X0], ['y_0', Y0]] },
  { ct: 28, proj: 'cea', params: [['lat_ts', [K.StdParallel1]], ['lon_0', LON0], ['x_0', X0], ['y_0', Y0]] },
];

const LINEAR_UNITS: Readonly<Record<number, string>> = { 9001: '+units=m', 9002: '+units=ft', 9003: '+units=us-ft' };

const require = createRequire(import.meta.url);

/** `+datum=WGS84`-like part of an EPSG geographic CRS's proj4 definition. */
function earthOfGeographicCode(code: number, file: string): string {
  let def: string | undefined;
  try {
    def = (JSON.parse(readFileSync(require.resolve(`epsg-index/s/${code}.json`), 'utf8')) as { proj4?: string }).proj4;
  } catch {
    def = undefined;
  }
  if (!def || !/\+proj=longlat\b/.test(def)) {
    throw inputError('unknown geographic CRS code in GeoKeys', { file, path: 'GeodeticCRSGeoKey (2048)', expected: 'an EPSG geographic CRS code', found: String(code) });
  }
  return def.replace(/\+proj=longlat\s*/, '').replace(/\s*\+no_defs\b/, '').trim();
}

function num(keys: Keys, id: number): number | undefined {
  const v = keys.get(id);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The ellipsoid/datum part of the proj4 string. */
function earth(keys: Keys, file: string): string {
  const code = num(keys, K.GeographicType);
  if (code !== undefined && code !== USER_DEFINED) return earthOfGeographicCode(code, file);
  const a = num(keys, K.SemiMajor);
  const b = num(keys, K.SemiMinor);
  const rf = num(keys, K.InvFlattening);
  let text: string;
  if (a !== undefined && (b === a || rf === 0)) text = `+R=${a}`;
  else if (a !== undefined && rf !== undefined) text = `+a=${a} +rf=${rf}`;
  else if (a !== undefined && b !== undefined) text = `+a=${a} +b=${b}`;
  else {
    throw inputError('user-defined GeoTIFF CRS has no ellipsoid', { file, path: 'GeoKeys 2057–2059', expected: 'EllipsoidSemiMajorAxis with SemiMinorAxis or InvFlattening', found: 'none' });
  }
  const pm = num(keys, K.PrimeMeridianLong);
  return pm ? `${text} +pm=${pm}` : text;
}

/**
 * A proj4 string for a user-defined CRS in GeoKeys, or — when its keys do not describe it but a
 * citation holds an `ESRI PE String = <WKT>` — that WKT.
 *
 * A MODIS tile (CT_Sinusoidal, sphere of radius 6371007.181 m) gives
 * `+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs`.
 *
 * @throws SoilscaleError (input) naming the key when the method or units are not supported.
 */
export function userDefinedCrs(keys: Keys, file: string): string {
  const angular = num(keys, K.GeogAngularUnits);
  if (angular !== undefined && angular !== DEGREE) {
    throw inputError('GeoTIFF angular unit is not supported', { file, path: 'GeogAngularUnitsGeoKey (2054)', expected: '9102 (degree)', found: String(angular) });
  }
  if (keys.get(K.GTModelType) === 2) return `+proj=longlat ${earth(keys, file)} +no_defs`;
  const esri = [K.PCSCitation, K.GTCitation].map((id) => keys.get(id)).find((c): c is string => typeof c === 'string' && c.includes('ESRI PE String = '));
  const ct = num(keys, K.ProjMethod);
  const projection = num(keys, K.Projection);
  let projectionText: string;
  if (projection !== undefined && ((projection >= 16001 && projection <= 16060) || (projection >= 16101 && projection <= 16160))) {
    projectionText = `+proj=utm +zone=${projection % 100}${projection > 16100 ? ' +south' : ''}`;
  } else if (ct !== undefined && ct !== USER_DEFINED) {
    const method = METHODS.find((m) => m.ct === ct);
    if (!method) {
      throw inputError('GeoTIFF projection method is not supported', { file, path: 'ProjMethodGeoKey (3075)', expected: `one of CT codes ${METHODS.map((m) => m.ct).join(', ')}, or an EPSG CRS`, found: String(ct) });
    }
    const parts = [`+proj=${method.proj}`];
    for (const [name, ids] of method.params) {
      const v = ids.map((id) => num(keys, id)).find((x) => x !== undefined) ?? (name.startsWith('k') ? 1 : name === 'lat_1' || name === 'lat_2' ? undefined : 0);
      if (v === undefined) throw inputError('GeoTIFF projection parameter missing', { file, path: `GeoKeys ${ids.join('/')}`, expected: `${name} of ${method.proj}`, found: 'none' });
      parts.push(`+${name}=${v}`);
    }
    if (method.ct === 15) parts.splice(1, 0, `+lat_0=${(num(keys, K.NatOriginLat) ?? 90) < 0 ? -90 : 90}`);
    projectionText = parts.join(' ');
  } else if (esri) {
    return esri.slice(esri.indexOf('ESRI PE String = ') + 17).replace(/\|.*$/, '').trim();
  } else {
    throw inputError('GeoTIFF CRS is user-defined but its projection is not described', { file, path: 'ProjMethodGeoKey (3075)', expected: 'a projection method with its parameters, or an EPSG code', found: 'none' });
  }
  const unitCode = num(keys, K.ProjLinearUnits) ?? 9001;
  const size = num(keys, K.ProjLinearUnitSize);
  const units = LINEAR_UNITS[unitCode] ?? (unitCode === USER_DEFINED && size ? `+to_meter=${size}` : undefined);
  if (!units) throw inputError('GeoTIFF linear unit is not supported', { file, path: 'ProjLinearUnitsGeoKey (3076)', expected: '9001 (metre), 9002/9003 (feet) or a user-defined unit size', found: String(unitCode) });
  return `${projectionText} ${earth(keys, file)} ${units} +no_defs`;
}

/** proj4's parsed definition (angles in radians). */
interface Parsed {
  projName?: string;
  lat0?: number;
  lat1?: number;
  lat2?: number;
  lat_ts?: number;
  long0?: number;
  k0?: number;
  x0?: number;
  y0?: number;
  a: number;
  b: number;
  rf?: number;
  to_meter?: number;
  zone?: number;
  utmSouth?: boolean;
}

const ALIASES: Readonly<Record<string, string>> = {
  transverse_mercator: 'tmerc', utm: 'utm', mercator: 'merc', mercator_1sp: 'merc', mercator_2sp: 'merc',
  lambert_conformal_conic: 'lcc', lambert_conformal_conic_1sp: 'lcc', lambert_conformal_conic_2sp: 'lcc',
  lambert_azimuthal_equal_area: 'laea', albers: 'aea', albers_conic_equal_area: 'aea', albers_equal_area: 'aea',
  azimuthal_equidistant: 'aeqd', polar_stereographic: 'stere', stereographic_north_pole: 'stere', stereographic_south_pole: 'stere',
  oblique_stereographic: 'sterea', equirectangular: 'eqc', plate_carree: 'eqc', equidistant_cylindrical: 'eqc',
  sinusoidal: 'sinu', cylindrical_equal_area: 'cea', lambert_cylindrical_equal_area: 'cea', latlong: 'longlat', lonlat: 'longlat', latlon: 'longlat',
};

export interface GeoKeyEncoding {
  /** SHORT values of tag 34735. */
  readonly directory: number[];
  /** Tag 34736 (absent when no key needs a double). */
  readonly doubles?: number[];
  /** Tag 34737 (absent when no key needs text). */
  readonly ascii?: string;
}

/**
 * GeoKeys for a CRS without an EPSG code, from its WKT or proj4 text (as GDAL writes them).
 *
 * @throws SoilscaleError (usage) naming `grid.crs` when proj4 cannot parse it or GeoTIFF has no
 * code for its projection method.
 */
export function userDefinedGeoKeys(crs: string, file?: string): GeoKeyEncoding {
  let p: Parsed;
  try {
    p = proj4.Proj(crs) as unknown as Parsed;
  } catch (e) {
    throw usageError('proj4 cannot parse this CRS', { file, path: 'grid.crs', expected: 'EPSG:n, WKT or a proj4 string', found: `${crs.slice(0, 60)} (${(e as Error).message})` });
  }
  const name = (p.projName ?? '').toLowerCase();
  const proj = ALIASES[name] ?? name;
  const deg = (r: number | undefined) => (r === undefined ? 0 : Number(((r * 180) / Math.PI).toFixed(12)));
  const shorts: Array<[number, number]> = [];
  const doubles: Array<[number, number]> = [];
  const geographic = proj === 'longlat';
  shorts.push([K.GTModelType, geographic ? 2 : 1], [K.GTRasterType, 1], [K.GeographicType, USER_DEFINED], [K.GeodeticDatum, USER_DEFINED], [K.GeogAngularUnits, DEGREE], [K.Ellipsoid, USER_DEFINED]);
  doubles.push([K.SemiMajor, p.a]);
  if (p.b === p.a || !p.rf) doubles.push([K.SemiMinor, p.b]);
  else doubles.push([K.InvFlattening, p.rf]);
  doubles.push([K.PrimeMeridianLong, 0]);
  if (!geographic) {
    const params = projectionKeys(proj, p, deg);
    if (!params) {
      throw usageError('this projection has no GeoTIFF encoding here; reproject the data or use an EPSG CRS', { file, path: 'grid.crs', expected: `one of ${[...new Set(METHODS.map((m) => m.proj))].join(', ')}, utm or longlat`, found: p.projName ?? crs.slice(0, 60) });
    }
    shorts.push([K.ProjectedCSType, USER_DEFINED], [K.Projection, USER_DEFINED], [K.ProjMethod, params.ct]);
    const toMeter = p.to_meter ?? 1;
    if (toMeter === 1) shorts.push([K.ProjLinearUnits, 9001]);
    else shorts.push([K.ProjLinearUnits, USER_DEFINED]), doubles.push([K.ProjLinearUnitSize, toMeter]);
    doubles.push(...params.values);
  }
  return encode(shorts, doubles, geographic ? undefined : 'unknown|');
}

function projectionKeys(proj: string, p: Parsed, deg: (r: number | undefined) => number): { ct: number; values: Array<[number, number]> } | undefined {
  if (proj === 'utm') {
    const lon = (p.zone ?? 31) * 6 - 183;
    return { ct: 1, values: [[K.NatOriginLong, lon], [K.NatOriginLat, 0], [K.FalseEasting, 500000], [K.FalseNorthing, p.utmSouth ? 10000000 : 0], [K.ScaleAtNatOrigin, 0.9996]] };
  }
  const twoParallels = p.lat2 !== undefined && p.lat1 !== undefined && Math.abs(p.lat1 - p.lat2) > 1e-12;
  const method = METHODS.find((m) => m.proj === proj && (proj !== 'lcc' || (m.ct === 8) === twoParallels) && (proj !== 'stere' || Math.abs(Math.abs(p.lat0 ?? 0) - Math.PI / 2) < 1e-9));
  if (!method) return undefined;
  const value: Record<string, number> = {
    lat_0: deg(p.lat0),
    lat_1: deg(p.lat1 ?? p.lat0),
    lat_2: deg(p.lat2),
    lat_ts: deg(p.lat_ts ?? (method.ct === 15 ? p.lat0 : 0)),
    lon_0: deg(p.long0),
    // proj4 turns polar stereographic's lat_ts into a scale factor; the file keeps lat_ts with k = 1.
    k: method.ct === 15 && p.lat_ts !== undefined ? 1 : (p.k0 ?? 1),
    k_0: p.k0 ?? 1,
    x_0: p.x0 ?? 0,
    y_0: p.y0 ?? 0,
  };
  return { ct: method.ct, values: method.params.map(([name, ids]) => [ids[0], value[name]] as [number, number]) };
}

function encode(shorts: Array<[number, number]>, doubles: Array<[number, number]>, citation: string | undefined): GeoKeyEncoding {
  const entries: Array<[number, number, number, number]> = shorts.map(([id, v]) => [id, 0, 1, v]);
  const values: number[] = [];
  for (const [id, v] of doubles) {
    entries.push([id, 34736, 1, values.length]);
    values.push(v);
  }
  if (citation) entries.push([K.GTCitation, 34737, citation.length, 0]);
  entries.sort((a, b) => a[0] - b[0]);
  return { directory: [1, 1, 0, entries.length, ...entries.flat()], doubles: values, ...(citation ? { ascii: citation } : {}) };
}
