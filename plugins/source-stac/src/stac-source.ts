import { resolve } from 'node:path';
import { readStacScene, type Source, type StacSceneOptions } from '../../../core/index.js';

/** A source reading the STAC file at `path` (relative to the working directory, or an http(s) URL) when loaded. */
export function stacSceneSource(path: string, options: StacSceneOptions = {}): Source {
  // http(s) URLs (a static catalog, a STAC API search) are used as given.
  const file = /^https?:\/\//i.test(path) ? path : resolve(path);
  return { load: () => readStacScene(file, options) };
}
