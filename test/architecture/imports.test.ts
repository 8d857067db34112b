import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/**
 * The layering of the design brief, checked on the TypeScript sources: core never imports plugins
 * (nor the host entry that bundles them), plugins reach core only through its SDK entries
 * (`core/index.ts`, or `core/kernel.ts` for worker-thread kernels) — so a newcomer's plugin sees exactly
 * what the built-ins see — and the host entry (`host/index.ts`, package `soilscale/host`) is built
 * from the public entries only: core's SDK and host API, and the built-in plugin list.
 * Code several plugins share lives in `lib/` (see lib/README.md): a lib package reaches core through the
 * same public entries and may use other lib packages (without cycles); only plugins, tests and benchmarks
 * import lib/; a plugin's code never imports another plugin's folder. Tests of a plugin or a library may
 * import a plugin's manifest (`index.ts`) to compose a run, never its internals.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PUBLIC_ENTRIES = new Set([join(root, 'core', 'index.ts'), join(root, 'core', 'kernel.ts')]);
const HOST_SOURCES = new Set([join(root, 'core', 'index.ts'), join(root, 'core', 'host.ts'), join(root, 'plugins', 'index.ts')]);

const LIB = join(root, 'lib');
const PLUGINS = join(root, 'plugins');
/** Top-level folders that may import lib/: lib itself, the plugins, the tests and the benchmarks. */
const LIB_IMPORTERS = new Set(['lib', 'plugins', 'test', 'bench']);

const isUnder = (dir: string, file: string): boolean => file.startsWith(dir + sep);
const isTestFile = (file: string): boolean => file.split(sep).includes('test');
/** The package folder a file belongs to under `lib/` or `plugins/` (`lib/tree-engine`), or undefined. */
function packageOf(file: string): string | undefined {
  const [top, name, ...rest] = relative(root, file).split(sep);
  return (top === 'lib' || top === 'plugins') && rest.length > 0 ? join(root, top, name) : undefined;
}
const edge = (from: string, to: string): string => `${relative(root, from)} → ${relative(root, to)}`;
/** A plugin's manifest, `plugins/<name>/index.ts`: what tests may import to compose plugins into a run. */
const isPluginManifest = (file: string): boolean => isUnder(PLUGINS, file) && file === join(packageOf(file) ?? '', 'index.ts');

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
  it('core never imports from lib/, plugins/ or host/', () => {
    const outside = [LIB, PLUGINS, join(root, 'host')];
    const offenders = sources(join(root, 'core')).flatMap((f) =>
      relativeImports(f)
        .filter((target) => outside.some((dir) => isUnder(dir, target)))
        .map((target) => edge(f, target)),
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

  it('lib packages import only core\'s public entries and other lib packages (tests also test/support, plugin manifests)', () => {
    const files = sources(LIB);
    assert.ok(files.length > 20, `only ${files.length} lib sources found under ${LIB}`);
    const offenders = files.flatMap((f) =>
      relativeImports(f)
        .filter((target) => !isUnder(LIB, target) && !PUBLIC_ENTRIES.has(target))
        .filter((target) => !(isTestFile(f) && (isUnder(join(root, 'test', 'support'), target) || isPluginManifest(target))))
        .map((target) => edge(f, target)),
    );
    assert.deepEqual(offenders, []);
  });

  it('lib packages do not import each other in a cycle', () => {
    const uses = new Map<string, Set<string>>();
    for (const f of sources(LIB)) {
      const from = packageOf(f)!;
      for (const target of relativeImports(f)) {
        const to = packageOf(target);
        if (to && to !== from && isUnder(LIB, to)) uses.set(from, (uses.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const visit = (pkg: string, path: string[]): void => {
      if (path.includes(pkg)) {
        cycles.push([...path.slice(path.indexOf(pkg)), pkg].map((p) => relative(root, p)).join(' → '));
        return;
      }
      for (const next of uses.get(pkg) ?? []) visit(next, [...path, pkg]);
    };
    for (const pkg of uses.keys()) visit(pkg, []);
    assert.deepEqual(cycles, []);
  });

  it('only plugins, lib, tests and benchmarks import lib/ (never core, host, cli or scripts)', () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
    const folders = [...new Set(tsconfig.include.map((p) => p.split('/')[0]))].filter((d) => !LIB_IMPORTERS.has(d));
    assert.ok(folders.includes('core') && folders.includes('host'), `tsconfig include lists ${folders.join(', ')}`);
    const offenders = folders.flatMap((d) =>
      sources(join(root, d)).flatMap((f) => relativeImports(f).filter((target) => isUnder(LIB, target)).map((target) => edge(f, target))),
    );
    assert.deepEqual(offenders, []);
  });

  it('a plugin never imports another plugin\'s folder (its tests only another plugin\'s manifest)', () => {
    const offenders = sources(PLUGINS).flatMap((f) => {
      const own = packageOf(f);
      if (!own) return []; // plugins/index.ts: the built-in list, which imports every manifest
      return relativeImports(f)
        .filter((target) => isUnder(PLUGINS, target) && !isUnder(own, target))
        .filter((target) => !(isTestFile(f) && isPluginManifest(target)))
        .map((target) => edge(f, target));
    });
    assert.deepEqual(offenders, []);
  });
});
