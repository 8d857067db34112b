import proj4, { type Converter } from 'proj4';
import { inputError } from '../errors.js';
import { resolveCrs, sameCrs } from './resolve.js';

const converters = new Map<string, Converter>();

/**
 * The (cached) proj4 converter from `from` to `to`: `forward` maps `from` coordinates to `to`.
 *
 * @throws SoilscaleError (input) when proj4 cannot build the pair.
 */
export function crsConverter(from: string, to: string): Converter {
  const key = `${from}\u0000${to}`;
  let c = converters.get(key);
  if (!c) {
    try {
      c = proj4(resolveCrs(from), resolveCrs(to));
    } catch (e) {
      if (e instanceof Error && e.name === 'SoilscaleError') throw e;
      throw inputError('proj4 cannot use this CRS pair', {
        path: 'crs',
        expected: 'CRS definitions proj4 understands',
        found: `${from} → ${to}: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
    converters.set(key, c);
  }
  return c;
}

/**
 * Transform coordinates between two CRSs (proj4). Geographic coordinates are (lon, lat) in degrees.
 * Points that cannot be transformed come back as `NaN`.
 *
 * @example
 * ```ts
 * const { x, y } = transformCoordinates('EPSG:4326', 'EPSG:3035', Float64Array.of(10), Float64Array.of(52));
 * // x[0] = 4321000, y[0] = 3210000 (the LAEA Europe false origin)
 * ```
 */
export function transformCoordinates(
  from: string,
  to: string,
  xs: Float64Array,
  ys: Float64Array,
): { x: Float64Array; y: Float64Array } {
  if (xs.length !== ys.length) throw new RangeError(`${xs.length} x values but ${ys.length} y values`);
  if (sameCrs(from, to)) return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
  const c = crsConverter(from, to);
  const x = new Float64Array(xs.length);
  const y = new Float64Array(xs.length);
  const point = { x: 0, y: 0 };
  for (let i = 0; i < xs.length; i++) {
    point.x = xs[i];
    point.y = ys[i];
    let out: { x: number; y: number };
    try {
      out = c.forward(point);
    } catch {
      out = { x: Number.NaN, y: Number.NaN };
    }
    x[i] = Number.isFinite(out.x) ? out.x : Number.NaN;
    y[i] = Number.isFinite(out.y) ? out.y : Number.NaN;
  }
  return { x, y };
}
