import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/**
 * The layering of the design brief, checked on the TypeScript sources: core never imports plugins
 * (nor the host entry that bundles them), plugins reach core only through its SDK entries
 * (`core/index.ts`, or `core/kernel.ts` for worker-thread kernels) — so a newcomer's plugin sees exactly
 * what the built-ins see — and the host entry (`host/index.ts`, package `soilscale/host`) is built
 * from the public entries only: core's SDK and host API, and the built-in plugin list.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PUBLIC_ENTRIES = new Set([join(root, 'core', 'index.ts'), join(root, 'core', 'kernel.ts')]);
const HOST_SOURCES = new Set([join(root, 'core', 'index.ts'), join(root, 'core', 'host.ts'), join(root, 'plugins', 'index.ts')]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative module specifiers of `import … from '…'` / `export … from '…'` / `import('…')`, resolved to .ts paths. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('architecture', () => {
  it('core never imports from plugins/ or host/', () => {
    const offenders = sources(join(root, 'core')).flatMap((f) =>
      relativeImports(f)
        .filter((target) => target.startsWith(join(root, 'plugins') + sep) || target.startsWith(join(root, 'host') + sep))
        .map((target) => `${relative(root, f)} → ${relative(root, target)}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('plugins import core only through its public entries', () => {
    const files = sources(join(root, 'plugins'));
    assert.ok(files.length > 100, `only ${files.length} plugin sources found under ${root}`);
    const offenders = files.flatMap((f) =>
      relativeImports(f)
        .filter((target) => target.startsWith(join(root, 'core') + sep) && !PUBLIC_ENTRIES.has(target))
        .map((target) => `${relative(root, f)} → ${relative(root, target)}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('a plugin reaches another plugin folder only when that folder is a shared library (no manifest)', () => {
    // Shared code (tree-engine, nn-runtime, regression-engine, resample-baseline) lives in library folders that define no
    // plugin; a plugin importing another plugin's internals would hide a library inside a plugin.
    const pluginsDir = join(root, 'plugins');
    const folderOf = (f: string) => relative(pluginsDir, f).split(sep)[0];
    const isPlugin = (folder: string) => existsSync(join(pluginsDir, folder, 'index.ts')) && /definePlugin\(|satisfies PluginManifest|: PluginManifest</.test(readFileSync(join(pluginsDir, folder, 'index.ts'), 'utf8'));
    const files = sources(pluginsDir).filter((f) => dirname(f) !== pluginsDir && !relative(pluginsDir, f).split(sep).includes('test'));
    const offenders = files.flatMap((f) =>
      relativeImports(f)
        .filter((target) => target.startsWith(pluginsDir + sep) && folderOf(target) !== folderOf(f) && isPlugin(folderOf(target)))
        .map((target) => `${relative(root, f)} → ${relative(root, target)}`),
    );
    assert.deepEqual(offenders, []);
    for (const library of ['tree-engine', 'nn-runtime', 'regression-engine']) assert.equal(isPlugin(library), false, `${library} defines a plugin`);
  });

  it('the host entry imports only the public entries of core and plugins', () => {
    const offenders = sources(join(root, 'host')).flatMap((f) =>
      relativeImports(f)
        .filter((target) => !target.startsWith(join(root, 'host') + sep) && !HOST_SOURCES.has(target))
        .map((target) => `${relative(root, f)} → ${relative(root, target)}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('the SDK entry re-exports nothing of the host API', () => {
    const host = new Set(relativeImports(join(root, 'core', 'host.ts')));
    const shared = relativeImports(join(root, 'core', 'index.ts')).filter((t) => host.has(t) || /core[\\/](report|pipeline[\\/](index|engine|plan|schema))/.test(t));
    assert.deepEqual(shared.map((t) => relative(root, t)), []);
  });

  it('the kernel entry stays light: no I/O, registry or validation modules', () => {
    const heavy = relativeImports(join(root, 'core', 'kernel.ts')).filter((t) => /core[\\/](io|stac|crs|pipeline|plugin|report)[\\/]/.test(t));
    assert.deepEqual(heavy, []);
  });
});
