import { inputError } from '../errors.js';
import { pixelCount, type Grid } from '../model/grid.js';
import { sameCrs } from '../crs/resolve.js';
import { transformCoordinates } from '../crs/transform.js';

export interface RasterizeOptions {
  /** Numeric feature property to burn; default: the feature index + 1. */
  readonly property?: string;
  /** CRS of the GeoJSON coordinates. Default `EPSG:4326` (lon, lat). */
  readonly crs?: string;
  /** File the GeoJSON came from, for error messages. */
  readonly source?: string;
}

type Ring = readonly (readonly number[])[];

/**
 * Burn GeoJSON polygons into a grid: a pixel takes the value of the last feature whose polygon
 * contains its centre (holes and MultiPolygons honoured, even-odd rule); NaN elsewhere. Vertices are
 * transformed to the grid's CRS; edges are straight in the grid's CRS.
 *
 * @example
 * ```ts
 * const zones = rasterizePolygons(basins.data, fineGrid, { property: 'zone_id' });
 * ```
 */
export function rasterizePolygons(
  geojson: { type: 'FeatureCollection'; features: unknown[] },
  grid: Grid,
  options: RasterizeOptions = {},
): Float32Array {
  const file = options.source;
  if (!geojson || geojson.type !== 'FeatureCollection' || !Array.isArray(geojson.features)) {
    throw inputError('not a GeoJSON FeatureCollection', { file, path: 'type', expected: '"FeatureCollection" with a features array', found: JSON.stringify((geojson as { type?: unknown })?.type) });
  }
  const from = options.crs ?? 'EPSG:4326';
  const out = new Float32Array(pixelCount(grid)).fill(Number.NaN);
  geojson.features.forEach((raw, index) => {
    const feature = raw as { geometry?: { type?: string; coordinates?: unknown } | null; properties?: Record<string, unknown> | null };
    const path = `features[${index}]`;
    let value = index + 1;
    if (options.property !== undefined) {
      const v = feature?.properties?.[options.property];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw inputError(`feature property '${options.property}' is not a number`, { file, path: `${path}.properties.${options.property}`, expected: 'a finite number', found: JSON.stringify(v) });
      }
      value = v;
    }
    const geometry = feature?.geometry;
    if (geometry == null) return;
    let polygons: Ring[][];
    if (geometry.type === 'Polygon') polygons = [geometry.coordinates as Ring[]];
    else if (geometry.type === 'MultiPolygon') polygons = geometry.coordinates as Ring[][];
    else {
      throw inputError('unsupported geometry', { file, path: `${path}.geometry.type`, expected: 'Polygon or MultiPolygon', found: JSON.stringify(geometry.type) });
    }
    if (!Array.isArray(polygons)) {
      throw inputError('bad coordinates', { file, path: `${path}.geometry.coordinates`, expected: 'an array of linear rings', found: typeof polygons });
    }
    for (const rings of polygons) burnPolygon(toPixelRings(rings, from, grid, `${path}.geometry.coordinates`, file), grid, value, out);
  });
  return out;
}

/** Rings as flat (u, v) pixel coordinates, u = column, v = row (pixel edges at integers). */
function toPixelRings(rings: Ring[], from: string, grid: Grid, path: string, file?: string): Float64Array[] {
  const [a, b, c, d, e, f] = grid.transform;
  const det = b * f - c * e;
  return rings.map((ring, ri) => {
    if (!Array.isArray(ring) || ring.some((p) => !Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number')) {
      throw inputError('bad linear ring', { file, path: `${path}[${ri}]`, expected: 'an array of [x, y] positions', found: JSON.stringify(ring).slice(0, 60) });
    }
    const xs = Float64Array.from(ring, (p) => p[0]);
    const ys = Float64Array.from(ring, (p) => p[1]);
    const t = sameCrs(from, grid.crs) ? { x: xs, y: ys } : transformCoordinates(from, grid.crs, xs, ys);
    const uv = new Float64Array(2 * ring.length);
    for (let i = 0; i < ring.length; i++) {
      const dx = t.x[i] - a;
      const dy = t.y[i] - d;
      uv[2 * i] = (f * dx - c * dy) / det;
      uv[2 * i + 1] = (-e * dx + b * dy) / det;
    }
    return uv;
  });
}

/** Scanline fill at pixel-centre rows with the even-odd rule over all rings of one polygon. */
function burnPolygon(rings: Float64Array[], grid: Grid, value: number, out: Float32Array): void {
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const r of rings) {
    for (let i = 1; i < r.length; i += 2) {
      if (r[i] < vmin) vmin = r[i];
      if (r[i] > vmax) vmax = r[i];
    }
  }
  if (!(vmax > vmin)) return;
  const w = grid.width;
  const rowStart = Math.max(0, Math.ceil(vmin - 0.5));
  const rowEnd = Math.min(grid.height - 1, Math.floor(vmax - 0.5));
  const xs: number[] = [];
  for (let row = rowStart; row <= rowEnd; row++) {
    const vc = row + 0.5;
    xs.length = 0;
    for (const r of rings) {
      const n = r.length / 2;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ui = r[2 * i], vi = r[2 * i + 1];
        const uj = r[2 * j], vj = r[2 * j + 1];
        // Half-open rule so a vertex on the scanline is counted once.
        if (vi > vc !== vj > vc) xs.push(ui + ((vc - vi) * (uj - ui)) / (vj - vi));
      }
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Columns whose centre c + 0.5 lies in [xs[k], xs[k+1]).
      const c0 = Math.max(0, Math.ceil(xs[k] - 0.5));
      const c1 = Math.min(w - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
      const base = row * w;
      for (let col = c0; col <= c1; col++) out[base + col] = value;
    }
  }
}
