import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/**
 * The layering of the design brief, checked on the TypeScript sources: core never imports plugins,
 * and plugins reach core only through its public entries (`core/index.ts`, or `core/kernel.ts` for
 * worker-thread kernels) — so a newcomer's plugin sees exactly what the built-ins see.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PUBLIC_ENTRIES = new Set([join(root, 'core', 'index.ts'), join(root, 'core', 'kernel.ts')]);

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
  it('core never imports from plugins/', () => {
    const offenders = sources(join(root, 'core')).flatMap((f) =>
      relativeImports(f)
        .filter((target) => target.startsWith(join(root, 'plugins') + sep))
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

  it('the kernel entry stays light: no I/O, registry or validation modules', () => {
    const heavy = relativeImports(join(root, 'core', 'kernel.ts')).filter((t) => /core[\\/](io|stac|crs|pipeline|plugin|report)[\\/]/.test(t));
    assert.deepEqual(heavy, []);
  });
});
