import { definePlugin, productOptionsSchema } from '../../core/index.js';

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
 *
 * @example
 * ```json
 * "scene": { "uses": "source:stac", "with": { "path": { "$param": "scene" } } }
 * ```
 */
export const stacSource = definePlugin({
  id: 'source:stac',
  version: '1.0.0',
  title: 'STAC scene',
  description: 'Reads a local STAC catalog or ItemCollection: one Item per date, asset keys are variables, assets are GeoTIFFs or HDF5/NetCDF files (SMAP, ESA CCI recognised; other variables by GDAL subdataset href).',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'STAC JSON file (catalog, collection, item collection or item), relative to the working directory; "demo" for the built-in synthetic scene' },
      demo: { type: 'object', default: {}, description: 'options of source:synthetic (days, coarseCells, seed, …) used when path is "demo"' },
      products: productOptionsSchema,
    },
    required: ['path'],
    additionalProperties: false,
  },
  async create(params, context) {
    if (params.path === DEMO_SCENE) return context.instantiate({ uses: 'source:synthetic', with: params.demo }, 'source');
    const { stacSceneSource } = await import('./src/stac-source.js');
    return stacSceneSource(params.path, { products: params.products });
  },
});
