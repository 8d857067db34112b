import { sameCrs } from '../crs/resolve.js';
import { transformCoordinates } from '../crs/transform.js';
import { runtimeError } from '../errors.js';
import { pixelCount, worldToPixel, type Grid } from '../model/grid.js';
import type { Raster } from '../model/raster.js';
import type { Series } from '../model/series.js';
import type { GeoJsonArtifact } from '../plugin/artifact.js';
import { rasterizePolygons } from '../grid-ops/rasterize.js';

/**
 * Which part owns each pixel of a grid: `owner(grid)[i]` is a part index, or -1 when no part does.
 * Built from a class raster (nearest neighbour at pixel centres) or from polygons (centre inside).
 */
export interface RegionMap {
  owner(grid: Grid): Int32Array;
  /** Pixel size of the region raster (polygons: undefined, resolution-free). */
  readonly pixelSize?: number;
  readonly crs?: string;
}

/** Part lookup: class id (or property value) → part index; `fallback` is the `*` part or -1. */
export interface ClassAssignment {
  readonly byClass: ReadonlyMap<string, number>;
  readonly fallback: number;
}

/** A region map from a class raster or static series (temporal: its first date). */
export function classRasterRegions(regions: Series | Raster, assign: ClassAssignment): RegionMap {
  const grid = regions.grid;
  const values = regions.kind === 'series' ? regions.values[0] : regions.bands[0];
  const cache = new Map<string, Int32Array>();
  return {
    pixelSize: Math.abs(grid.transform[1]),
    crs: grid.crs,
    owner(target) {
      const key = gridKey(target);
      let out = cache.get(key);
      if (!out) {
        out = new Int32Array(pixelCount(target));
        const { xs, ys } = centres(target, grid.crs);
        for (let i = 0; i < out.length; i++) {
          const [c, r] = worldToPixel(grid, xs[i], ys[i]);
          const col = Math.floor(c);
          const row = Math.floor(r);
          const v = col >= 0 && row >= 0 && col < grid.width && row < grid.height ? values[row * grid.width + col] : Number.NaN;
          out[i] = Number.isNaN(v) ? assign.fallback : assign.byClass.get(String(v)) ?? assign.fallback;
        }
        cache.set(key, out);
      }
      return out;
    },
  };
}

/**
 * A region map from GeoJSON polygons: a pixel belongs to the first feature (in file order) whose
 * polygon contains its centre (even-odd rule, holes honoured). Coordinates are in `geojson.crs`
 * (default EPSG:4326, as RFC 7946 says). Burnt with the scanline rasteriser of grid-ops.
 */
export function polygonRegions(geojson: GeoJsonArtifact, property: string | undefined, assign: ClassAssignment, file?: string): RegionMap {
  const crs = geojson.crs ?? 'EPSG:4326';
  const features = (geojson.data.features as Array<{ geometry?: unknown; properties?: Record<string, unknown> }>).map((f, i) => {
    const value = property === undefined ? (f.properties?.id ?? i) : f.properties?.[property];
    if (value === undefined) {
      throw runtimeError(`feature ${i} has no property '${property}'`, { file, path: `features[${i}].properties`, expected: `a '${property}' value`, found: 'none' });
    }
    return { type: 'Feature', geometry: f.geometry ?? null, properties: { part: assign.byClass.get(String(value)) ?? assign.fallback } };
  });
  // rasterizePolygons lets the last feature win; reversing makes the first feature in file order win.
  const byPart = { type: 'FeatureCollection' as const, features: features.reverse() };
  const cache = new Map<string, Int32Array>();
  return {
    crs,
    owner(target) {
      const key = gridKey(target);
      let out = cache.get(key);
      if (!out) {
        const burnt = rasterizePolygons(byPart, target, { property: 'part', crs, source: file });
        out = Int32Array.from(burnt, (v) => (Number.isNaN(v) ? assign.fallback : v));
        cache.set(key, out);
      }
      return out;
    },
  };
}

/** Pixel-centre coordinates of `grid`, in `crs`. */
function centres(grid: Grid, crs: string): { xs: Float64Array; ys: Float64Array } {
  const n = pixelCount(grid);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const t = grid.transform;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const i = r * grid.width + c;
      xs[i] = t[0] + (c + 0.5) * t[1] + (r + 0.5) * t[2];
      ys[i] = t[3] + (c + 0.5) * t[4] + (r + 0.5) * t[5];
    }
  }
  if (sameCrs(grid.crs, crs)) return { xs, ys };
  const p = transformCoordinates(grid.crs, crs, xs, ys);
  return { xs: p.x, ys: p.y };
}

function gridKey(g: Grid): string {
  return `${g.width}x${g.height}@${g.transform.join(',')}|${g.crs}`;
}
