import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '../errors.js';
import type { AnyPluginManifest } from './manifest.js';
import { isPluginManifest } from './registry.js';

/**
 * Load the plugins a pipeline names in its top-level `plugins` field.
 *
 * Entries starting with `.` or `/` are module paths relative to the pipeline's folder; anything else
 * is an npm package resolved from the pipeline's folder (as `import` would from a file there). The
 * module's default export or its named export `plugins` must be a manifest or an array of manifests.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('out/my-plugin.mjs', `export default { id: 'transform:noop', version: '1.0.0', title: 'No-op', description: 'Nothing.',
 *   params: { type: 'object', additionalProperties: false }, inputs: {}, create: () => ({ apply: async () => ({}) }) };`);
 * // './…' is relative to the pipeline file; a bare name ('soilscale-plugin-foo') is an npm package installed there.
 * const extra = await loadThirdPartyPlugins(['./my-plugin.mjs'], 'out/pipeline.json');
 * const runRegistry = createRegistry(builtinPlugins).child(extra);
 * assert.ok(runRegistry.has('transform:noop'));
 * ```
 */
export async function loadThirdPartyPlugins(entries: readonly string[], pipelineFile: string | undefined): Promise<AnyPluginManifest[]> {
  const baseDir = pipelineFile ? dirname(resolve(pipelineFile)) : process.cwd();
  const out: AnyPluginManifest[] = [];
  for (let i = 0; i < entries.length; i++) {
    out.push(...(await loadEntry(entries[i], `plugins[${i}]`, baseDir, pipelineFile)));
  }
  return out;
}

/** The file: URLs of a pipeline's plugin entries, resolved as `loadThirdPartyPlugins` resolves them (what tile workers import). */
export function pluginModuleUrls(entries: readonly string[], pipelineFile: string | undefined): string[] {
  const baseDir = pipelineFile ? dirname(resolve(pipelineFile)) : process.cwd();
  return entries.map((e, i) => pluginEntryUrl(e, `plugins[${i}]`, baseDir, pipelineFile));
}

function pluginEntryUrl(entry: string, path: string, baseDir: string, file: string | undefined): string {
  // A file: URL is what a tile stage lists (resolved once by the run, for workers anywhere).
  if (entry.startsWith('file:')) return entry;
  if (entry.startsWith('.') || isAbsolute(entry)) {
    const abs = resolve(baseDir, entry);
    if (!existsSync(abs)) {
      throw usageError(`plugin module '${entry}' not found`, { file, path, expected: 'a JavaScript module path relative to the pipeline file', found: `no file at ${abs}` });
    }
    return pathToFileURL(abs).href;
  }
  const resolved = resolvePackage(entry, baseDir);
  if (!resolved) {
    throw usageError(`plugin package '${entry}' not found`, { file, path, expected: `an npm package installed where the pipeline is (node_modules above ${baseDir})`, found: 'nothing' });
  }
  return pathToFileURL(resolved).href;
}

async function loadEntry(entry: string, path: string, baseDir: string, file: string | undefined): Promise<AnyPluginManifest[]> {
  const url = pluginEntryUrl(entry, path, baseDir, file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw usageError(`plugin module '${entry}' failed to load: ${(e as Error)?.message ?? String(e)}`, { file, path });
  }
  const exported = mod.plugins ?? mod.default;
  const list = Array.isArray(exported) ? exported : [exported];
  if (exported === undefined || list.length === 0) {
    throw usageError(`plugin module '${entry}' exports no plugins`, { file, path, expected: 'a default export or an export named `plugins`: a manifest or an array of manifests', found: `exports ${Object.keys(mod).join(', ') || '(none)'}` });
  }
  list.forEach((m, j) => {
    if (!isPluginManifest(m)) {
      const id = typeof (m as { id?: unknown })?.id === 'string' ? ` '${(m as { id: string }).id}'` : '';
      throw usageError(`plugin module '${entry}' exports something that is not a plugin manifest${id}`, {
        file,
        path: Array.isArray(exported) ? `${path}[${j}]` : path,
        expected: '{ id: "<kind>:<name>", version, title, description, params, create }',
        found: m === null || typeof m !== 'object' ? JSON.stringify(m) ?? typeof m : `keys ${Object.keys(m).join(', ')}`,
      });
    }
  });
  return list as AnyPluginManifest[];
}

/** Resolve an npm package's entry as `import` from a file in `baseDir` would (exports `import`/`default`, then `main`). */
function resolvePackage(name: string, baseDir: string): string | undefined {
  const req = createRequire(join(baseDir, '__soilscale_resolve__.js'));
  try {
    return req.resolve(name);
  } catch {
    // ESM-only packages (exports without a `require` condition): look the package up by hand.
  }
  const [pkgName, subpath] = splitPackageName(name);
  for (let dir = baseDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', pkgName);
    const pkgJson = join(pkgDir, 'package.json');
    if (existsSync(pkgJson)) {
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: unknown; module?: string; main?: string };
      const target = exportTarget(pkg.exports, subpath ? `./${subpath}` : '.') ?? (subpath ? `./${subpath}` : pkg.module ?? pkg.main ?? './index.js');
      const file = resolve(pkgDir, target);
      return existsSync(file) ? file : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function splitPackageName(name: string): [string, string | undefined] {
  const parts = name.split('/');
  const n = name.startsWith('@') ? 2 : 1;
  return [parts.slice(0, n).join('/'), parts.length > n ? parts.slice(n).join('/') : undefined];
}

function exportTarget(exports: unknown, sub: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports === 'string') return sub === '.' ? exports : undefined;
  const rec = exports as Record<string, unknown>;
  const entry = Object.keys(rec).some((k) => k.startsWith('.')) ? rec[sub] : sub === '.' ? rec : undefined;
  return pickCondition(entry);
}

function pickCondition(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) return entry.map(pickCondition).find((x) => x !== undefined);
  if (entry && typeof entry === 'object') {
    const rec = entry as Record<string, unknown>;
    for (const k of ['import', 'node', 'default']) if (k in rec) return pickCondition(rec[k]);
  }
  return undefined;
}
