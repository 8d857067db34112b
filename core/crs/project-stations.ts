import type { Grid } from '../model/grid.js';
import type { Stations } from '../model/stations.js';
import { transformCoordinates } from './transform.js';

/**
 * The stations with `x`/`y` filled in the CRS of `grid` (from their WGS84 lon/lat).
 *
 * @example
 * ```ts
 * const projected = projectStations(stations, fineGrid);
 * const [col, row] = worldToPixel(fineGrid, projected.stations[0].x!, projected.stations[0].y!);
 * ```
 */
export function projectStations(stations: Stations, grid: Grid): Stations {
  const n = stations.stations.length;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  stations.stations.forEach((s, i) => {
    lon[i] = s.lon;
    lat[i] = s.lat;
  });
  const { x, y } = transformCoordinates('EPSG:4326', grid.crs, lon, lat);
  return {
    ...stations,
    stations: stations.stations.map((s, i) => ({ ...s, x: x[i], y: y[i] })),
    crs: grid.crs,
  };
}
