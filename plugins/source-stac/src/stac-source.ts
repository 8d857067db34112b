import { resolve } from 'node:path';
import { readStacScene, type Source } from '../../../core/index.js';

/** A source reading the STAC file at `path` (relative to the working directory) when loaded. */
export function stacSceneSource(path: string): Source {
  const file = resolve(path);
  return { load: () => readStacScene(file) };
}
