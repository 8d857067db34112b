import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';

export const exec = promisify(execFile);

/**
 * A fresh project whose node_modules holds soilscale as `npm pack` publishes it, unpacked, plus
 * symlinks to this repository's installed dependencies — the layout `npm install <tarball>` would
 * produce, without npm (an offline install fails with ENOTCACHED: the dependencies are not in the npm
 * cache). Returns the project folder and the tarball.
 */
export async function projectWithPackedSoilscale(): Promise<{ project: string; tarball: string }> {
  const dir = tempDir('soilscale-pack-');
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  const project = join(dir, 'project');
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'soilscale'), { recursive: true });
  await exec('tar', ['-xzf', join(dir, filename), '-C', join(modules, 'soilscale'), '--strip-components=1']);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== 'soilscale' && name !== '.bin') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  return { project, tarball: join(dir, filename) };
}
