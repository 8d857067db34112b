import { inputError } from '../errors.js';
import { parseMaskRule } from '../io/flag-mask.js';
import type { RasterAddress } from '../io/raster-source.js';
import { parseSubdatasetName } from '../io/subdataset.js';
import { resolveHref } from './stac-json.js';

const MEDIA_TYPES = /image\/tiff|application\/(x-)?hdf5?|application\/(x-)?netcdf/i;
const EXTENSIONS = /\.(tiff?|h5|hdf5?|he5|nc4?|cdf)$/i;

/** Whether a STAC asset is a raster layer: a GeoTIFF, HDF5 or NetCDF by media type, extension or GDAL subdataset href. */
export function isRasterAsset(asset: Record<string, unknown>): boolean {
  const type = typeof asset.type === 'string' ? asset.type : '';
  const href = typeof asset.href === 'string' ? asset.href : '';
  return MEDIA_TYPES.test(type) || EXTENSIONS.test(href) || parseSubdatasetName(href) !== undefined;
}

/**
 * Where an asset's pixels are: the file (resolved against the JSON file holding the asset), the
 * variable when the href uses GDAL's subdataset syntax (`HDF5:"f.h5"://group/var`,
 * `NETCDF:"f.nc":var`), and the asset's reading options `soilscale:pass` (SMAP L3 `am`/`pm`),
 * `soilscale:mask` (quality rules replacing the product default) and `soilscale:band` (the band of a
 * multi-band GeoTIFF: 0-based index or band name).
 *
 * @throws SoilscaleError (input) naming the JSON file and field for a malformed href or option.
 */
export function assetAddress(asset: Record<string, unknown>, file: string, fieldPath: string): RasterAddress {
  const href = asset.href;
  const sub = typeof href === 'string' ? parseSubdatasetName(href) : undefined;
  if (typeof href === 'string' && /^(HDF5|NETCDF):/i.test(href) && !sub) {
    throw inputError('bad subdataset href', { file, path: `${fieldPath}.href`, expected: 'HDF5:"file.h5"://group/dataset or NETCDF:"file.nc":variable', found: href });
  }
  const path = resolveHref(sub ? sub.file : href, file, `${fieldPath}.href`);
  const pass = asset['soilscale:pass'];
  if (pass !== undefined && pass !== 'am' && pass !== 'pm') {
    throw inputError('bad soilscale:pass', { file, path: `${fieldPath}.soilscale:pass`, expected: '"am" or "pm" (SMAP L3 half-orbit)', found: JSON.stringify(pass) });
  }
  const mask = asset['soilscale:mask'];
  const band = asset['soilscale:band'];
  if (band !== undefined && !(typeof band === 'string' && band !== '') && !(Number.isInteger(band) && (band as number) >= 0)) {
    throw inputError('bad soilscale:band', { file, path: `${fieldPath}.soilscale:band`, expected: 'a 0-based band index or a band name', found: JSON.stringify(band) });
  }
  return {
    path,
    ...(sub ? { variable: sub.variable } : {}),
    ...(pass ? { pass } : {}),
    ...(band !== undefined ? { band: band as number | string } : {}),
    ...(mask !== undefined ? { mask: parseMaskRule(mask, file, `${fieldPath}.soilscale:mask`) } : {}),
  };
}
