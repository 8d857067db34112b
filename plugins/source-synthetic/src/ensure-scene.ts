import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { registerCleanup, usageError, type Logger } from '../../../core/index.js';
import { GENERATOR_VERSION } from './defaults.js';
import { generateSyntheticScene } from './generate.js';
import { optionsHash, resolveOptions, type SyntheticOptions } from './options.js';
import { writeScene } from './write-scene.js';

/**
 * Generate a scene from `options` and write it as STAC into `outDir` (files atomic, `catalog.json` last).
 *
 * @example
 * ```ts
 * const { catalogPath } = await writeSyntheticScene({ seed: 7, days: 60 }, 'out/scene');
 * const scene = await readStacScene(catalogPath);
 * ```
 */
export async function writeSyntheticScene(options: Partial<SyntheticOptions>, outDir: string): Promise<{ catalogPath: string }> {
  const resolved = resolveOptions(options);
  const scene = generateSyntheticScene(resolved);
  const catalogPath = await writeScene(scene, resolve(outDir), { generatorVersion: GENERATOR_VERSION, hash: optionsHash(resolved, GENERATOR_VERSION) });
  return { catalogPath };
}

/** Generate the scene for `options` and write it in the products' native formats (`native-formats.ts`). */
export async function writeSyntheticNativeScene(options: Partial<SyntheticOptions>, outDir: string): Promise<void> {
  const { writeNativeScene } = await import('./native-formats.js');
  await writeNativeScene(generateSyntheticScene(resolveOptions(options)), resolve(outDir));
}

/** The hash recorded in a scene folder's catalog, or undefined when the folder holds no synthetic scene. */
async function sceneHash(dir: string): Promise<string | undefined> {
  try {
    const catalog = JSON.parse(await readFile(join(dir, 'catalog.json'), 'utf8')) as Record<string, unknown>;
    const meta = catalog['soilscale:synthetic'] as { optionsHash?: unknown } | undefined;
    return typeof meta?.optionsHash === 'string' ? meta.optionsHash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The catalog of the scene for `options`, generating it only when the scene folder does not already hold it.
 * The folder is `options.cacheDir` or `<os temp>/soilscale-synthetic-<hash>`; a scene is generated into a
 * sibling temporary folder and renamed into place, so concurrent runs and crashes never expose half a scene.
 */
export async function ensureScene(options: Partial<SyntheticOptions>, logger?: Logger): Promise<string> {
  const resolved = resolveOptions(options);
  const hash = optionsHash(resolved, GENERATOR_VERSION);
  const dir = options.cacheDir ? resolve(options.cacheDir) : join(tmpdir(), `soilscale-synthetic-${hash}`);
  const catalogPath = join(dir, 'catalog.json');
  const existing = await sceneHash(dir);
  if (existing === hash) {
    logger?.debug('reusing synthetic scene', { dir });
    return catalogPath;
  }
  if (existing === undefined && existsSync(dir) && readdirSync(dir).length > 0) {
    throw usageError('cacheDir is not empty and holds no synthetic scene; refusing to overwrite it', {
      file: 'source:synthetic params',
      path: 'cacheDir',
      expected: 'an empty or missing folder, or one written by source:synthetic',
      found: dir,
    });
  }
  logger?.info('generating synthetic scene', { dir, ...resolved });
  const partial = `${dir}.partial-${randomBytes(4).toString('hex')}`;
  // Ctrl-C while generating must not leave half a scene in the temp folder.
  const unregister = registerCleanup(() => rmSync(partial, { recursive: true, force: true }));
  try {
    await writeSyntheticScene(resolved, partial);
    if (existing !== undefined || existsSync(dir)) {
      const old = `${dir}.old-${randomBytes(4).toString('hex')}`;
      await rename(dir, old).catch(() => undefined);
      await rm(old, { recursive: true, force: true });
    }
    try {
      await rename(partial, dir);
    } catch (e) {
      // Another process put the same scene in place first: use theirs.
      if ((await sceneHash(dir)) !== hash) throw e;
    }
  } finally {
    unregister();
    await rm(partial, { recursive: true, force: true });
  }
  return catalogPath;
}
