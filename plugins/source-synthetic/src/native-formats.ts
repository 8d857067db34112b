import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createGrid,
  easeGrid2Global,
  rasterFromBands,
  transformCoordinates,
  warpBands,
  writeGeoTiff,
  writeSmapL3,
  writeStationsCsv,
  type Grid,
} from '../../../core/index.js';
import type { SyntheticLayer, SyntheticSceneData } from './generate.js';
import { sceneStations } from './write-scene.js';

/** MODIS sinusoidal (the land products' projection) and its global 1 km grid: 1200 pixels per 10° tile. */
const MODIS_SINUSOIDAL = '+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs';
const MODIS_TILE = 1111950.5197665554;
const MODIS_PIXEL = MODIS_TILE / 1200;
const MODIS_WEST = -20015109.355798;
const MODIS_NORTH = 10007554.677899;

/**
 * `soilscale stac build` rules for the folder {@link writeNativeScene} writes: the date of every dated
 * GeoTIFF is a `YYYYDDD` run of seven digits (MODIS `A2019091`, HLS `2019091T…`), SMAP files are recognised.
 */
export const NATIVE_DATE_PATTERN = '(?<!\\d)(?<year>\\d{4})(?<doy>\\d{3})(?!\\d)';
export const NATIVE_ASSET_RULES: readonly string[] = [
  'ndvi_1km=MOD13A2.*.tif',
  'lst_1km=MOD11A1.*.tif',
  'sigma0_vv_30m=S1_GRD_VV_sigma0_*.tif',
  'hls_30m=HLS.L30.*.tif',
  'sm_truth_1km=truth_sm_1km_*.tif',
  'dem_1km=dem_1km.tif',
  'landcover_1km=landcover_1km.tif',
  'dem_30m=dem_30m.tif',
  'landcover_30m=landcover_30m.tif',
];

const compact = (date: string): string => date.replaceAll('-', '');
function yearDoy(date: string): string {
  const day = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86400000) + 1;
  return `${date.slice(0, 4)}${String(day).padStart(3, '0')}`;
}

function layer(scene: SyntheticSceneData, key: string): SyntheticLayer {
  const found = scene.layers.find((l) => l.key === key);
  if (!found) throw new Error(`synthetic scene has no layer '${key}'`);
  return found;
}

/** Corners of a grid, transformed to `crs`: [xmin, ymin, xmax, ymax] (corners only: the grids here are small). */
function boundsIn(grid: Grid, crs: string): [number, number, number, number] {
  const t = grid.transform;
  const x0 = t[0];
  const x1 = t[0] + grid.width * t[1];
  const y0 = t[3];
  const y1 = t[3] + grid.height * t[5];
  const { x, y } = transformCoordinates(grid.crs, crs, Float64Array.of(x0, x1, x1, x0), Float64Array.of(y0, y0, y1, y1));
  return [Math.min(...x), Math.min(...y), Math.max(...x), Math.max(...y)];
}

/** The window of a global north-up grid (origin `west`, `north`, square `pixel`) that covers `grid`, in whole pixels. */
function coveringWindow(grid: Grid, crs: string, west: number, north: number, pixel: number): { col: number; row: number; grid: Grid } {
  const [xmin, ymin, xmax, ymax] = boundsIn(grid, crs);
  const col = Math.floor((xmin - west) / pixel);
  const row = Math.floor((north - ymax) / pixel);
  const width = Math.ceil((xmax - west) / pixel) - col;
  const height = Math.ceil((north - ymin) / pixel) - row;
  return { col, row, grid: createGrid(width, height, [west + col * pixel, pixel, 0, north - row * pixel, 0, -pixel], crs) };
}

/**
 * The coarse soil moisture as NASA's SMAP L3 enhanced product (SPL3SMP_E, EASE-Grid 2.0 9 km, global
 * 3856 × 1624, AM pass, −9999 outside the scene): each EASE cell touching the scene is the area-weighted
 * mean of the scene's coarse cells over the part of it inside the scene.
 */
async function writeSmap(scene: SyntheticSceneData, dir: string): Promise<void> {
  const sm = layer(scene, 'sm_coarse');
  const global = easeGrid2Global('M09');
  const t = global.transform;
  const win = coveringWindow(sm.grid, global.crs, t[0], t[3], t[1]);
  for (let i = 0; i < sm.dates.length; i++) {
    const [cells] = await warpBands([sm.values[i]], sm.grid, win.grid, { method: 'average' });
    const soilMoisture = new Float32Array(global.width * global.height).fill(NaN);
    for (let r = 0; r < win.grid.height; r++) {
      soilMoisture.set(cells.subarray(r * win.grid.width, (r + 1) * win.grid.width), (win.row + r) * global.width + win.col);
    }
    // R18290: the Composite Release ID of the CRID naming convention (R18 = release 18); 001 = first version.
    await writeSmapL3(join(dir, 'smap', `SMAP_L3_SM_P_E_${compact(sm.dates[i])}_R18290_001.h5`), { grid: 'M09', am: { soilMoisture } });
  }
}

/** NDVI and LST as MODIS 1 km sinusoidal GeoTIFFs (MOD13A2 / MOD11A1 names, tile from the grid), warped bilinearly. */
async function writeModis(scene: SyntheticSceneData, dir: string): Promise<void> {
  const win = coveringWindow(scene.grids.km, MODIS_SINUSOIDAL, MODIS_WEST, MODIS_NORTH, MODIS_PIXEL);
  const tile = `h${String(Math.floor(win.col / 1200)).padStart(2, '0')}v${String(Math.floor(win.row / 1200)).padStart(2, '0')}`;
  for (const [key, product, band] of [['ndvi_1km', 'MOD13A2', 'NDVI'], ['lst_1km', 'MOD11A1', 'LST_Day_1km']] as const) {
    const l = layer(scene, key);
    const warped = await warpBands(l.values as Float32Array[], l.grid, win.grid, { method: 'bilinear' });
    for (let i = 0; i < l.dates.length; i++) {
      const name = `${product}.A${yearDoy(l.dates[i])}.${tile}.061.${band}.tif`;
      await writeGeoTiff(join(dir, 'modis', name), { ...rasterFromBands(win.grid, [warped[i]], [band]), unit: l.unit }, { overviews: false });
    }
  }
}

/** σ⁰ per date, Landsat-like reflectances as one multi-band GeoTIFF per date (band descriptions = band names), on the scene's UTM 30 m grid. */
async function writeUtmSeries(scene: SyntheticSceneData, dir: string): Promise<void> {
  const sigma = layer(scene, 'sigma0_vv_30m');
  for (let i = 0; i < sigma.dates.length; i++) {
    const raster = { ...rasterFromBands(sigma.grid, [sigma.values[i]], ['sigma0_vv']), unit: sigma.unit };
    await writeGeoTiff(join(dir, 'sentinel1', `S1_GRD_VV_sigma0_${yearDoy(sigma.dates[i])}.tif`), raster, { overviews: false });
  }
  const bands = ['red_30m', 'nir_30m', 'ndvi_30m'].map((k) => layer(scene, k));
  for (let i = 0; i < bands[0].dates.length; i++) {
    const raster = rasterFromBands(bands[0].grid, bands.map((b) => b.values[i]), ['red', 'nir', 'ndvi']);
    await writeGeoTiff(join(dir, 'hls', `HLS.L30.T14SNF.${yearDoy(bands[0].dates[i])}T172000.v2.0.tif`), raster, { overviews: false });
  }
}

/** Static layers and the 1 km truth (for validation only) on their UTM grids. */
async function writeUtmStatics(scene: SyntheticSceneData, dir: string): Promise<void> {
  for (const key of ['dem_1km', 'landcover_1km', 'dem_30m', 'landcover_30m']) {
    const l = layer(scene, key);
    const raster = { ...rasterFromBands(l.grid, [l.values[0]], [key]), unit: l.unit };
    await writeGeoTiff(join(dir, 'static', `${key}.tif`), raster, l.categorical ? { overviews: false, dataType: 'uint8', nodata: 255 } : { overviews: false });
  }
  const truth = layer(scene, 'sm_truth_1km');
  for (let i = 0; i < truth.dates.length; i++) {
    const raster = { ...rasterFromBands(truth.grid, [truth.values[i]], ['sm_truth']), unit: truth.unit };
    await writeGeoTiff(join(dir, 'truth', `truth_sm_1km_${yearDoy(truth.dates[i])}.tif`), raster, { overviews: false });
  }
}

/**
 * Write a generated scene as a user would download it, each layer in its product's own format and grid:
 * `smap/` SMAP L3 HDF5 (EASE-Grid 2.0 9 km), `modis/` MODIS sinusoidal 1 km GeoTIFFs, `sentinel1/` and
 * `hls/` UTM 30 m GeoTIFFs, `static/` DEM and land cover, `truth/` the 1 km truth (validation only) and
 * `stations.csv`. No catalog: `soilscale stac build` with {@link NATIVE_ASSET_RULES} and
 * {@link NATIVE_DATE_PATTERN} makes one. Same scene → same bytes.
 */
export async function writeNativeScene(scene: SyntheticSceneData, outDir: string): Promise<void> {
  for (const sub of ['smap', 'modis', 'sentinel1', 'hls', 'static', 'truth']) await mkdir(join(outDir, sub), { recursive: true });
  await writeSmap(scene, outDir);
  await writeModis(scene, outDir);
  await writeUtmSeries(scene, outDir);
  await writeUtmStatics(scene, outDir);
  await writeStationsCsv(join(outDir, 'stations.csv'), sceneStations(scene));
}
