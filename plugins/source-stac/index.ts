import type { PluginManifest } from '../../core/index.js';

/**
 * `source:stac`: a scene from a local STAC Catalog, Collection, ItemCollection or Item (JSON).
 * Node outputs: `scene`, `stations`, and every asset key (`sm_coarse`, `ndvi_1km`, …), read lazily.
 *
 * `path` is resolved against the current working directory (as every path on the command line is);
 * absolute paths are used as given.
 *
 * @example
 * ```json
 * "scene": { "uses": "source:stac", "with": { "path": { "$param": "scene" } } }
 * ```
 */
export const stacSource = {
  id: 'source:stac',
  version: '1.0.0',
  title: 'STAC scene',
  description: 'Reads a local STAC catalog or ItemCollection: one Item per date, asset keys are variables, assets are GeoTIFFs.',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'STAC JSON file (catalog, collection, item collection or item), relative to the working directory' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  async create(params: { path: string }) {
    const { stacSceneSource } = await import('./src/stac-source.js');
    return stacSceneSource(params.path);
  },
} as const satisfies PluginManifest<'source'>;
