import { inputError } from '../errors.js';
import { describeGrid, type Grid, type PixelWindow } from '../model/grid.js';
import { openArrayFile } from './array-file.js';
import type { MaskRule } from './flag-mask.js';
import { sniffFormat, type RasterFileFormat } from './format-sniff.js';
import { readGeoTiff, readGeoTiffInfo, resolveBands, type BandSelector, type GeoTiffInfo } from './geotiff-read.js';
import { isRemote } from './http-source.js';
import { planLayer, planMaskText, readLayerWindow, type GriddedLayerPlan, type LayerRead, type ProductOptions } from './products/index.js';

/**
 * Where one 2-D raster layer lives: a GeoTIFF band, or a variable of an HDF5/NetCDF file (absent:
 * the soil moisture of a recognised product), with per-layer reading options.
 */
export interface RasterAddress {
  readonly path: string;
  /** HDF5/NetCDF variable path (`/Soil_Moisture_Retrieval_Data_AM/soil_moisture`, `/sm`). */
  readonly variable?: string;
  /** GeoTIFF band: 0-based index or band description; required when the file has several bands. */
  readonly band?: BandSelector;
  /**
   * The grid the catalog declares for the file (STAC `proj:transform` + `proj:code`): it georeferences a
   * GeoTIFF that has no georeferencing of its own (a file that has some is checked against it by the caller).
   */
  readonly grid?: Grid;
  /** SMAP L3 half-orbit. */
  readonly pass?: 'am' | 'pm';
  /** Quality mask replacing the product's default. */
  readonly mask?: MaskRule;
}

/** What a layer is, without its pixels. */
export interface RasterLayerInfo {
  readonly path: string;
  readonly format: RasterFileFormat;
  readonly grid: Grid;
  /** The date the file itself states (products' time variables or file names). */
  readonly date?: string;
  readonly unit?: string;
  /** For the manifest and messages: `SMAP L3 SPL3SMP (36 km), AM pass /Soil_Moisture_Retrieval_Data_AM/soil_moisture`. */
  readonly description: string;
  /** The quality mask applied, in words (`none` when none). */
  readonly mask: string;
}

/** A readable layer: header read, pixels read per window. */
export interface RasterLayer {
  readonly info: RasterLayerInfo;
  /**
   * Float32 values of `window` (default all): nodata → NaN, scale/offset applied, quality mask applied,
   * with the valid counts before and after the mask, so the caller can refuse a mask that removes
   * everything (the STAC scene does, over all the dates of a load: one frozen day may be empty).
   */
  read(window?: PixelWindow): Promise<LayerRead>;
}

/**
 * Open a layer of a GeoTIFF, HDF5/NetCDF-4 or NetCDF-3 file, found by magic bytes. Product files
 * (SMAP L3/L4, ESA CCI / C3S) are recognised by structure and name and read with their grid, date,
 * fill values and default quality mask (`products` options; the address's own options win).
 *
 * @throws SoilscaleError (input) naming the file (and variable) for an unknown format or layout, a
 * missing variable, options that do not apply to the file.
 * @example
 * ```ts
 * const layer = await openRasterLayer({ path: 'SMAP_L3_SM_P_20190401_R19240_001.h5', pass: 'pm' });
 * layer.info.grid;  // EASE-Grid 2.0 36 km, EPSG:6933
 * const { values } = await layer.read({ x: 500, y: 100, width: 40, height: 30 });
 * ```
 */
export async function openRasterLayer(address: RasterAddress, products: ProductOptions = {}): Promise<RasterLayer> {
  const format = await sniffFormat(address.path);
  if (format !== 'geotiff' && isRemote(address.path)) {
    // h5wasm reads whole local files: fetching a product of hundreds of MB behind the user's back is no better than asking for it.
    throw inputError('HDF5/NetCDF files are not read over HTTP', { file: address.path, expected: 'a (Cloud-Optimized) GeoTIFF over http(s), or a local HDF5/NetCDF file: download it and point the asset href at the local copy', found: `a remote ${format === 'hdf5' ? 'HDF5/NetCDF-4' : 'NetCDF-3'} file` });
  }
  return format === 'geotiff' ? openGeoTiffLayer(address) : openGriddedLayer(address, format, products);
}

async function openGeoTiffLayer(address: RasterAddress): Promise<RasterLayer> {
  const { path } = address;
  const misplaced = (['variable', 'pass', 'mask'] as const).find((k) => address[k] !== undefined);
  if (misplaced) {
    throw inputError(`'${misplaced}' does not apply to a GeoTIFF`, { file: path, path: misplaced, expected: 'an HDF5/NetCDF file for a variable, pass or mask', found: 'a GeoTIFF' });
  }
  const { header, grid } = await geoTiffHeader(path, address.grid);
  const band = pickBand(header, address.band);
  const name = header.bandNames?.[band] ? ` (${header.bandNames[band]})` : '';
  const info: RasterLayerInfo = { path, format: 'geotiff', grid: header.grid, description: `GeoTIFF band ${band + 1}${name} of ${header.bandCount}`, mask: 'none' };
  return {
    info,
    async read(window) {
      const raster = await readGeoTiff(path, { bands: [band], ...(grid ? { grid } : {}), ...(window ? { window } : {}) });
      const values = raster.bands[0];
      let valid = 0;
      for (let i = 0; i < values.length; i++) if (values[i] === values[i]) valid++;
      return { values, validBeforeMask: valid, validAfterMask: valid };
    },
  };
}

/**
 * The file's header, on the declared grid when the file has no georeferencing of its own (an
 * ungeoreferenced TIFF reads with an empty CRS; without a declared grid it stays an error).
 */
async function geoTiffHeader(path: string, declared: Grid | undefined): Promise<{ header: GeoTiffInfo; grid?: Grid }> {
  if (!declared) return { header: await readGeoTiffInfo(path) };
  const probe = await readGeoTiffInfo(path, { allowUngeoreferenced: true });
  if (probe.grid.crs !== '') return { header: probe };
  return { header: await readGeoTiffInfo(path, { grid: declared }), grid: declared };
}

/** One band: the one named, or the only one; several bands and none named is an error, never band 1 by default. */
function pickBand(header: GeoTiffInfo, selector: BandSelector | undefined): number {
  if (selector === undefined && header.bandCount > 1) {
    const names = header.bandNames?.some(Boolean) ? ` (${header.bandNames.map((n, i) => n || `band ${i + 1}`).join(', ')})` : '';
    throw inputError(`GeoTIFF has ${header.bandCount} bands and the asset names none`, { file: header.path, path: 'band', expected: 'one band: "soilscale:band" in the STAC asset (0-based index or band name), or one asset per band', found: `${header.bandCount} bands${names} on ${describeGrid(header.grid)}` });
  }
  return resolveBands(header, [selector ?? 0])[0];
}

async function openGriddedLayer(address: RasterAddress, format: RasterFileFormat, products: ProductOptions): Promise<RasterLayer> {
  if (address.band !== undefined) {
    throw inputError("'band' does not apply to an HDF5/NetCDF file", { file: address.path, path: 'band', expected: 'a variable path (HDF5:"file"://group/var or NETCDF:"file":var)', found: `band ${address.band}` });
  }
  const overrides = { ...(address.pass ? { pass: address.pass } : {}), ...(address.mask ? { mask: address.mask } : {}) };
  // Plans hold open variables: plan and read inside one open file, closed right after.
  const withPlan = async <T>(use: (plan: GriddedLayerPlan) => T): Promise<T> => {
    const file = await openArrayFile(address.path);
    try {
      return use(planLayer(file, address.variable, products, overrides));
    } finally {
      file.close();
    }
  };
  const info = await withPlan(
    (plan): RasterLayerInfo => ({
      path: address.path,
      format,
      grid: plan.grid,
      ...(plan.date ? { date: plan.date } : {}),
      ...(plan.unit ? { unit: plan.unit } : {}),
      description: `${plan.product} ${plan.variable.name}`,
      mask: planMaskText(plan),
    }),
  );
  return { info, read: (window) => withPlan((plan) => readLayerWindow(plan, window)) };
}

export type { LayerRead, ProductOptions };
