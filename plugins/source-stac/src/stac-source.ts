import { resolve } from 'node:path';
import { readStacScene, type Source, type StacSceneOptions } from '../../../core/index.js';

/** A source reading the STAC file at `path` (relative to the working directory) when loaded. */
export function stacSceneSource(path: string, options: StacSceneOptions = {}): Source {
  const file = resolve(path);
  return { load: () => readStacScene(file, options) };
}
