import { definePlugin, productOptionsSchema, WARP_METHODS } from '../../core/index.js';

/** The reserved `path` naming the built-in synthetic study area. */
export const DEMO_SCENE = 'demo';

/**
 * `source:stac`: a scene from a local STAC Catalog, Collection, ItemCollection or Item (JSON).
 * Node outputs: `scene`, `stations`, and every asset key (`sm_coarse`, `ndvi_1km`, …), read lazily.
 *
 * `path` is resolved against the current working directory (as every path on the command line is);
 * absolute paths are used as given. The reserved path `demo` means the built-in synthetic study area
 * (`source:synthetic`, resolved through the registry with the options in `demo`), so every pipeline runs
 * on the demo by default and on a user's catalog with `--param scene=path/to/catalog.json`.
 * With `grid`, every asset is delivered on that grid (docs/warping.md). A large local GeoTIFF asset
 * already on it stays in its files, read by window by tile stages and whole by other readers
 * (docs/scale-out.md, Memory); warped assets, HDF5/NetCDF and remote files are loaded.
 *
 * @example
 * ```json
 * "scene": { "uses": "source:stac", "with": { "path": { "$param": "scene" }, "grid": { "like": "sigma0_vv_20m" } } }
 * ```
 */
export const stacSource = definePlugin({
  id: 'source:stac',
  version: '1.0.0',
  title: 'STAC scene',
  description: 'Reads a STAC catalog, ItemCollection or STAC API search (local or http(s)): one Item per date, asset keys are variables, assets are GeoTIFFs or HDF5/NetCDF files (SMAP, ESA CCI recognised; other variables by GDAL subdataset href).',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'STAC JSON file (catalog, collection, item collection or item), relative to the working directory; "demo" for the built-in synthetic scene' },
      demo: { type: 'object', default: {}, description: 'options of source:synthetic (days, coarseCells, seed, …) used when path is "demo"' },
      products: productOptionsSchema,
      grid: {
        description: 'the grid the run produces: every asset is warped onto it, coarse products onto a coarse grid in its CRS that it nests in (docs/warping.md); absent = assets on their own grids',
        oneOf: [
          { type: 'object', properties: { like: { type: 'string', minLength: 1, description: 'asset key whose grid is the target' } }, required: ['like'], additionalProperties: false },
          {
            type: 'object',
            properties: {
              crs: { type: 'string', minLength: 1, description: 'EPSG:n, WKT or a proj4 string' },
              resolution: { oneOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 2, maxItems: 2 }], description: 'pixel size in CRS units (or [x, y])' },
              bbox: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4, description: '[xmin, ymin, xmax, ymax] in the CRS' },
            },
            required: ['crs', 'resolution', 'bbox'],
            additionalProperties: false,
          },
        ],
      },
      resampling: { type: 'object', default: {}, additionalProperties: { enum: WARP_METHODS }, description: 'warp resampling per asset key; default mode for class maps, average when the source is finer, bilinear otherwise' },
      coarse: { type: 'array', items: { type: 'string' }, description: 'asset keys of coarse products, regridded by area-weighted averaging onto a coarse grid nesting the target; default: keys ending in _coarse and soil moisture at ≥ 2 target pixels per cell' },
      coarseResolution: { type: 'number', exclusiveMinimum: 0, description: 'cell size of that coarse grid in target CRS units (whole target pixels); default the native cell size' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  async create(params, context) {
    const source = params.path === DEMO_SCENE ? await context.instantiate({ uses: 'source:synthetic', with: params.demo }, 'source') : (await import('./src/stac-source.js')).stacSceneSource(params.path, { products: params.products });
    if (!params.grid) return source;
    const { onTargetGrid } = await import('./src/on-target-grid.js');
    return onTargetGrid(source, { ...params, grid: params.grid }, context);
  },
});
