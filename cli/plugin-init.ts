import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageError } from '../core/index.js';
import { TEMPLATES } from './plugin-templates/sources.js';

export type ScaffoldKind = keyof typeof TEMPLATES;
export const SCAFFOLD_KINDS = Object.keys(TEMPLATES) as ScaffoldKind[];

export interface ScaffoldOptions {
  readonly kind: string;
  /** The plugin's name: its id is `<kind>:<name>`, its package `soilscale-plugin-<name>`. */
  readonly name: string;
  /** Folder to create (must not exist, or be empty); default `./soilscale-plugin-<name>`. */
  readonly dir?: string;
  /** The soilscale version the package is written against (its peer dependency range `^<version>`). */
  readonly soilscaleVersion: string;
}

/**
 * `soilscale plugin init <kind> <name>`: write a plugin package that builds and passes its tests as it
 * is — manifest (definePlugin) in src/, a test running the conformance suite, README, package.json
 * (soilscale as a peer dependency, so the host's copy is the one the plugin uses), tsconfig. Never
 * writes into a folder that has files. Returns the folder and the files written.
 */
export function scaffoldPlugin(options: ScaffoldOptions): { dir: string; files: string[] } {
  if (!(SCAFFOLD_KINDS as string[]).includes(options.kind)) {
    throw usageError(`no scaffold for kind '${options.kind}'`, { path: '<kind>', expected: SCAFFOLD_KINDS.join(', '), found: JSON.stringify(options.kind) });
  }
  if (!/^[a-z][a-z0-9-]*$/.test(options.name)) {
    throw usageError('a plugin name is lower-case letters, digits and dashes', { path: '<name>', expected: 'e.g. my-method', found: JSON.stringify(options.name) });
  }
  const kind = options.kind as ScaffoldKind;
  const pkg = `soilscale-plugin-${options.name}`;
  const dir = resolve(options.dir ?? pkg);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw usageError('the folder is not empty', { file: dir, expected: 'a new or empty folder', found: `${readdirSync(dir).length} entries` });
  const id = `${kind}:${options.name}`;
  const fill = (text: string) => text.replaceAll('__ID__', id).replaceAll('__NAME__', options.name);
  const files: Record<string, string> = {
    'package.json': JSON.stringify(packageJson(pkg, id, options.soilscaleVersion), null, 2) + '\n',
    'tsconfig.json': JSON.stringify(TSCONFIG, null, 2) + '\n',
    'src/index.ts': fill(TEMPLATES[kind].index),
    'test/plugin.test.ts': fill(TEMPLATES[kind].test),
    'README.md': readme(pkg, id, kind),
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text, { flag: 'wx' });
  }
  return { dir, files: Object.keys(files) };
}

function packageJson(name: string, id: string, soilscaleVersion: string): object {
  const range = `^${soilscaleVersion}`;
  return {
    name,
    version: '0.1.0',
    description: `soilscale plugin ${id}`,
    type: 'module',
    keywords: ['soilscale-plugin'],
    exports: { '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' } },
    files: ['dist/src'],
    scripts: { build: 'tsc -p .', test: 'tsc -p . && node --test dist/test/plugin.test.js', prepack: 'tsc -p .' },
    peerDependencies: { soilscale: range },
    devDependencies: { soilscale: range, typescript: '^7.0.2', '@types/node': '^20.19.43' },
  };
}

const TSCONFIG = {
  compilerOptions: {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    strict: true,
    declaration: true,
    outDir: 'dist',
    rootDir: '.',
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['src', 'test'],
};

function readme(pkg: string, id: string, kind: ScaffoldKind): string {
  return `# ${pkg}

The soilscale plugin \`${id}\` (a ${kind}): ${TEMPLATES[kind].summary}. Scaffolded by \`soilscale plugin init\`;
replace the method in \`src/index.ts\`, keep the contract.

## Develop

    npm install        # soilscale, typescript, @types/node
    npm test           # builds, then runs test/plugin.test.ts: the soilscale/testing conformance suite and your checks

The conformance suite (\`conformanceProblems\` from \`soilscale/testing\`) checks what every built-in plugin
passes: a closed params schema whose defaults are valid, the same result from the same seed, NaN where
the input has no value, save → load round trips for regressors, and soilscale errors (not stack traces)
on wrong inputs.

## Use in a pipeline

Install the package where the pipeline is (\`npm install ${pkg}\`, or \`npm pack\` here and install the
tarball) and name it in the pipeline's \`plugins\`:

    { "schemaVersion": "1.0", "id": "mine", "plugins": ["${pkg}"],
      "nodes": { "step": { "uses": "${id}", "with": { … } } }, "outputs": { … } }

soilscale is a peer dependency: the plugin runs on the soilscale that runs the pipeline.
`;
}
