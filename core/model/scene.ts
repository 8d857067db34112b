import type { Grid, PixelWindow } from './grid.js';
import type { Series } from './series.js';
import type { Stations } from './stations.js';

/** What a scene knows about one asset key without reading pixels. */
export interface AssetInfo {
  /** The asset key as written in the catalog, e.g. `ndvi_1km`, `sm_coarse`, `sigma0_vv_30m`. */
  readonly key: string;
  /** The vocabulary variable (`ndvi`, `sm`, `sigma0_vv`), i.e. the key without its resolution suffix. */
  readonly variable: string;
  /** The resolution suffix (`1km`, `coarse`, `30m`), if the key has one. */
  readonly resolution?: string;
  readonly grid: Grid;
  /** Ascending ISO dates; empty for a static layer. */
  readonly dates: readonly string[];
  readonly unit?: string;
  readonly categorical?: boolean;
  /** How an HDF5/NetCDF asset is read: product, variable and quality mask (for the manifest and messages). */
  readonly reader?: string;
}

/**
 * Named variables (asset keys) → series, each on its own grid, read lazily.
 * Produced by `source` plugins (STAC reader, synthetic generator).
 *
 * @example
 * ```ts
 * const scene = await readStacScene('demo/catalog.json');
 * const sm = await scene.load('sm_coarse');
 * const ndviJune = await scene.load('ndvi_1km', { dates: ['2023-01-10'] });
 * ```
 */
export interface Scene {
  readonly kind: 'scene';
  readonly id: string;
  /** The STAC file the scene was read from, for messages and the run manifest. */
  readonly source?: string;
  assets(): readonly AssetInfo[];
  has(key: string): boolean;
  /** Throws a `SoilscaleError` naming the scene and the available keys when `key` is absent. */
  info(key: string): AssetInfo;
  load(key: string, options?: { dates?: readonly string[]; window?: PixelWindow }): Promise<Series>;
  /** In-situ stations attached to the scene (a collection-level `stations` asset), if any. */
  stations(): Promise<Stations | undefined>;
  /** Paths of the files behind the scene (or behind one asset `key`), for checksums and messages. */
  files?(key?: string): readonly string[];
}

/** Split an asset key into variable and resolution suffix (`ndvi_1km` → `ndvi`, `1km`). */
export function splitAssetKey(key: string): { variable: string; resolution?: string } {
  const m = /^(.*?)_(coarse|fine|medium|\d+(?:\.\d+)?(?:km|m|deg))$/.exec(key);
  return m ? { variable: m[1], resolution: m[2] } : { variable: key };
}
