/**
 * Raster readers beyond GeoTIFF: HDF5 / NetCDF-4 (h5wasm), NetCDF-3 (netcdfjs), and the products
 * recognised in them (SMAP L3/L4, ESA CCI / C3S SM). See docs/real-data.md.
 */
export { openRasterLayer, type RasterAddress, type RasterLayer, type RasterLayerInfo, type LayerRead } from './raster-source.js';
export { sniffFormat, type RasterFileFormat } from './format-sniff.js';
export { parseSubdatasetName, type SubdatasetName } from './subdataset.js';
export { maskRuleSchema, parseMaskRule, type FlagRule, type MaskRule } from './flag-mask.js';
export {
  productOptionsSchema,
  easeGrid2Global,
  EASE2_GLOBAL,
  SMAP_QUALITY_BITS,
  SMAP_SURFACE_BITS,
  SMAP_SURFACE_GROUPS,
  SMAP_L3_DEFAULT_MASK,
  CCI_FLAG_BITS,
  CCI_DEFAULT_MASK,
  type ProductOptions,
  type LayerOverrides,
  type SmapOptions,
  type CciOptions,
} from './products/index.js';
export { cfDate } from './cf-time.js';
export { writeSmapL3, type SmapL3File, type SmapL3Pass } from './products/smap-write.js';
