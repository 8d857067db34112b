/**
 * Every TSDoc `@example` written in TypeScript on the published surface — core (the SDK and host
 * modules), the host entry and each plugin's manifest module — compiles and runs.
 *
 * Each ```ts block becomes a module in the package's own scope, importing the names it uses from the
 * package entries as a user would (`soilscale`, `soilscale/host`, `soilscale/plugins`,
 * `soilscale/testing`, `soilscale/kernel`) or from the example world (example-fixtures.ts: a small
 * synthetic scene and the values examples name). All modules are compiled with one `tsc` run, then
 * run in turn with the scratch folder as working directory. The examples of the library guide
 * (docs/library.md) run the same way. Examples in plugins' internal `src/` modules are not part of the
 * published surface and are not collected.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../core/pipeline/helpers.js';

interface Example {
  readonly where: string;
  readonly code: string;
}

/** Published sources: core/**, host/**, plugins/<name>/index.ts (tests and fixtures excluded). */
function publishedSources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return name === 'test' || name === 'fixtures' ? [] : walk(p);
      return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
    });
  const plugins = readdirSync(join(ROOT, 'plugins'))
    .map((d) => join(ROOT, 'plugins', d, 'index.ts'))
    .filter(existsSync);
  return [...walk(join(ROOT, 'core')), ...walk(join(ROOT, 'host')), ...plugins].sort();
}

/** The ```ts (or ```json) blocks of `@example` tags in a file's TSDoc comments. */
function examplesOf(file: string, language = 'ts'): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split('\n').map((l) => l.replace(/^\s*\/?\*+\/?\s?/, ''));
    const body = lines.join('\n');
    const commentLine = text.slice(0, comment.index).split('\n').length;
    for (const tag of body.matchAll(new RegExp('@example\\s*\\n```' + language + '\\n([\\s\\S]*?)```', 'g'))) {
      out.push({ where: `${relative(ROOT, file)}:${commentLine + body.slice(0, tag.index).split('\n').length - 1}`, code: tag[1] });
    }
  }
  return out;
}

/** The ```ts blocks of a Markdown guide. */
function markdownExamples(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({ where: `${relative(ROOT, file)}:${text.slice(0, m.index).split('\n').length}`, code: m[1] }));
}

/** Names exported by a compiled entry (its .d.ts, following `export *` and named re-exports). */
function exportedNames(dts: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(dts) || !existsSync(dts)) return names;
  seen.add(dts);
  const text = readFileSync(dts, 'utf8');
  for (const m of text.matchAll(/export (?:type )?\* from ['"](\.[^'"]+)['"]/g)) {
    for (const n of exportedNames(resolve(dirname(dts), m[1].replace(/\.js$/, '.d.ts')), seen)) names.add(n);
  }
  for (const m of text.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name) names.add(name);
    }
  }
  for (const m of text.matchAll(/export (?:declare )?(?:abstract )?(?:function|const|let|class|interface|type|enum|namespace) ([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  return names;
}

const ENTRIES: readonly [string, string][] = [
  ['soilscale/host', 'dist/host/index.d.ts'],
  ['soilscale', 'dist/core/index.d.ts'],
  ['soilscale/plugins', 'dist/plugins/index.d.ts'],
  ['soilscale/testing', 'dist/core/testing/index.d.ts'],
];

/** Names an example declares itself (not imported). */
function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|var|function|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  for (const m of code.matchAll(/\b(?:const|let|var)\s*[{[]([^=]*?)[}\]]\s*=/g)) {
    for (const part of m[1].split(',')) {
      const name = part.split(':').pop()!.trim().replace(/^\.\.\./, '');
      if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
    }
  }
  return names;
}

/** The module an example becomes: imports of the names it uses, then its code in an async function. */
function moduleOf(example: Example, sources: ReadonlyMap<string, Set<string>>, fixturesUrl: string): string {
  const lines = example.code.split('\n');
  const own = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l)).map((l) => l.replace(/^export (default )?/, ''));
  const declared = declaredNames(example.code);
  const ownImports = new Set(own.flatMap((l) => [...(l.match(/\{([^}]*)\}/)?.[1] ?? '').split(',')].map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!)));
  const code = body.join('\n').replace(/\/\/.*$/gm, '').replace(/'[^'\n]*'|"[^"\n]*"/g, "''").replace(/\.\.\./g, ' ');
  const used = new Set([...code.matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
  const imports = new Map<string, string[]>();
  for (const name of used) {
    if (declared.has(name) || ownImports.has(name)) continue;
    for (const [spec, names] of sources) {
      if (names.has(name)) {
        imports.set(spec, [...(imports.get(spec) ?? []), name]);
        break;
      }
    }
  }
  const header = [...imports].map(([spec, names]) => `import { ${names.sort().join(', ')} } from '${spec === 'fixtures' ? fixturesUrl : spec}';`);
  return [`// ${example.where}`, ...own, ...header, 'export async function example(): Promise<void> {', ...body.map((l) => '  ' + l), '}', ''].join('\n');
}

const exec = promisify(execFile);

describe('TSDoc examples', () => {
  const examples = [...publishedSources().flatMap((f) => examplesOf(f)), ...markdownExamples(join(ROOT, 'docs', 'library.md'))];
  const dir = join(ROOT, 'dist', '.tsdoc-examples');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('in JSON are valid pipeline nodes (checked with the built-in plugins)', async () => {
    const { preparePipeline } = (await import(pathToFileURL(join(ROOT, 'dist', 'host', 'index.js')).href)) as typeof import('../../host/index.js');
    const json = publishedSources().flatMap((f) => examplesOf(f, 'json'));
    assert.ok(json.length >= 8, `only ${json.length} JSON examples`);
    const problems: string[] = [];
    for (const ex of json) {
      const text = ex.code.trim();
      const nodes = text.startsWith('"') ? JSON.parse(`{${text}}`) : { example: JSON.parse(text) };
      const doc = {
        schemaVersion: '1.0',
        id: 'example',
        params: { scene: { type: 'string', default: 'demo' } },
        nodes: {
          scene: { uses: 'source:stac', with: { path: 'demo' } },
          downscale: { uses: 'downscaler:bilinear', with: { coarse: { $node: 'scene', output: 'sm_coarse' }, target: { $node: 'scene', output: 'ndvi_30m' } } },
          ...nodes,
        },
        outputs: {},
      };
      await preparePipeline(doc).catch((e: { problems?: string[]; message: string }) => problems.push(...(e.problems?.length ? e.problems : [e.message]).map((p) => `${ex.where}: ${p}`)));
    }
    assert.deepEqual(problems, []);
  });

  it('are found on the published surface', () => {
    assert.ok(examples.length >= 80, `only ${examples.length} examples found`);
  });

  it('compile, and run without throwing', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const fixtures = join(ROOT, 'dist', 'test', 'docs', 'example-fixtures.d.ts');
    const sources = new Map<string, Set<string>>(ENTRIES.map(([spec, dts]) => [spec, exportedNames(join(ROOT, dts))]));
    sources.set('fixtures', exportedNames(fixtures));
    const fixturesUrl = relative(dir, fixtures).replace(/\.d\.ts$/, '.js');
    const files = examples.map((ex, i) => {
      const name = `example-${String(i).padStart(3, '0')}.ts`;
      writeFileSync(join(dir, name), moduleOf(ex, sources, fixturesUrl.startsWith('.') ? fixturesUrl : './' + fixturesUrl));
      return name;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023', 'DOM'], strict: true, skipLibCheck: true, types: ['node'], experimentalDecorators: true, emitDecoratorMetadata: true },
        files,
      }),
    );
    const tsc = await exec(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    const compileErrors = tsc
      .split('\n')
      .filter((l) => /^example-\d+\.ts\(/.test(l))
      .map((l) => `${examples[Number(l.slice(8, 11))].where}: ${l.replace(/^example-\d+\.ts/, '')}`);
    assert.deepEqual(compileErrors, [], tsc.split('\n').filter((l) => !/^example-\d+\.ts\(/.test(l) && l.trim()).join('\n'));

    const { scratch } = (await import(pathToFileURL(join(ROOT, 'dist', 'test', 'docs', 'example-fixtures.js')).href)) as { scratch: string };
    const cwd = process.cwd();
    process.chdir(scratch);
    const failures: string[] = [];
    try {
      for (const [i, name] of files.entries()) {
        const mod = (await import(pathToFileURL(join(dir, name.replace(/\.ts$/, '.js'))).href)) as { example: () => Promise<void> };
        const t0 = performance.now();
        await mod.example().catch((e: unknown) => failures.push(`${examples[i].where}: ${(e as Error)?.message ?? String(e)}`));
        if (process.env.SOILSCALE_EXAMPLE_TIMES) process.stderr.write(`${Math.round(performance.now() - t0)} ms ${examples[i].where}\n`);
      }
    } finally {
      process.chdir(cwd);
    }
    assert.deepEqual(failures, []);
  });
});
