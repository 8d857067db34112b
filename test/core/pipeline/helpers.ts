import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryLogger } from '../../../core/index.js';
import { createRegistry, type PluginRegistry } from '../../../core/host.js';

/** The repository root (the folder holding package.json and dist/). */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'dist')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();

export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const pipelineFixture = (name: string): string => join(FIXTURES, 'pipelines', `${name}.json`);
/** Compiled test plugins, for pipelines given as objects (paths relative to the cwd). */
export const TEST_PLUGINS = join(ROOT, 'dist', 'test', 'fixtures', 'plugins', 'test-plugins.js');
export const TSYRINGE_PLUGIN = join(ROOT, 'dist', 'test', 'fixtures', 'tsyringe-plugin', 'index.js');

export function emptyRegistry(): PluginRegistry {
  return createRegistry([]);
}

export function tempDir(prefix = 'soilscale-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const quiet = { logger: createMemoryLogger() };
