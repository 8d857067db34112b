import { transformCoordinates } from '../../core/crs/transform.js';
import { createGrid, type Grid } from '../../core/model/grid.js';

/** The native grids of the products a study mixes (../shared/docs/formats.md). */
export const MODIS_SINUSOIDAL = '+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs';
/** Upper-left corner of the MODIS sinusoidal tile grid (tile h00v00). */
export const MODIS_ORIGIN: [number, number] = [-20015109.354, 10007554.677];
export const MODIS_1KM = 926.625433055833;
/** Upper-left corner of the global EASE-Grid 2.0 (EPSG:6933). */
export const EASE2_ORIGIN: [number, number] = [-17367530.445, 7314540.831];
export const EASE2_9KM = 9008.055210146;

/**
 * A north-up grid of `cols × rows` cells of `cell` in `crs`, centred near (lon, lat) and snapped to the
 * product's lattice `origin + k·cell`, as real tiles are.
 */
export function gridAround(crs: string, lon: number, lat: number, cell: number, cols: number, rows: number, origin: [number, number] = [0, 0]): Grid {
  const { x, y } = transformCoordinates('EPSG:4326', crs, Float64Array.of(lon), Float64Array.of(lat));
  const x0 = origin[0] + Math.round((x[0] - (cols / 2) * cell - origin[0]) / cell) * cell;
  const y0 = origin[1] + Math.round((y[0] + (rows / 2) * cell - origin[1]) / cell) * cell;
  return createGrid(cols, rows, [x0, cell, 0, y0, 0, -cell], crs);
}
