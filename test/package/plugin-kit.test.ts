/**
 * The plugin kit as a third-party author uses it, offline: the packed soilscale's CLI scaffolds a
 * package per kind (`soilscale plugin init`), each builds and passes its own tests (`npm test`: the
 * conformance suite of soilscale/testing), and one is packed with `npm pack`, installed into a fresh
 * project next to the packed soilscale and run through a pipeline by soilscale/host.
 *
 * "Installed" here means unpacked into node_modules (as packed-tarball.test.ts does for soilscale):
 * `npm install` of a tarball needs the registry for the dependencies' metadata, which tests must not use.
 * The scaffolds' devDependencies (typescript, @types/node) are links to this repository's copies.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT } from '../core/pipeline/helpers.js';
import { exec, projectWithPackedSoilscale } from '../support/packed-soilscale.js';

const KINDS = ['transform', 'regressor', 'downscaler', 'validator'];
/** The author's shell: not a child of this test runner (whose NODE_TEST_CONTEXT would swallow the scaffold's test report). */
const AUTHOR_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
const SMALL = { days: 10, coarseCells: [3, 3], fineFactor: 11, stations: 15 };

describe('plugin kit (packed soilscale, offline)', { concurrency: 1 }, () => {
  let project: string;
  let plugins: string;
  before(async () => {
    ({ project } = await projectWithPackedSoilscale());
    plugins = join(project, '..', 'plugins');
    mkdirSync(plugins);
  });

  for (const kind of KINDS) {
    it(`soilscale plugin init ${kind} scaffolds a package that builds and passes its tests`, async () => {
      const dir = join(plugins, kind);
      const cli = join(project, 'node_modules', 'soilscale', 'dist', 'cli', 'main.js');
      const init = await exec(process.execPath, [cli, 'plugin', 'init', kind, `my-${kind}`, '--dir', dir]);
      assert.match(init.stdout, /wrote 6 files to .*: package\.json, tsconfig\.json, src\/index\.ts, test\/plugin\.test\.ts, README\.md, \.gitignore/);
      // What `npm install` would link: soilscale (the packed one) and the dev tools.
      mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
      mkdirSync(join(dir, 'node_modules', '.bin'));
      symlinkSync(join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), join(dir, 'node_modules', '.bin', 'tsc'));
      symlinkSync(join(project, 'node_modules', 'soilscale'), join(dir, 'node_modules', 'soilscale'));
      symlinkSync(join(ROOT, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'));
      symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
      const test = await exec('npm', ['test'], { cwd: dir, env: AUTHOR_ENV, maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout: string; stderr: string }) => assert.fail(`npm test in the ${kind} scaffold failed:\n${e.stdout}\n${e.stderr}`));
      assert.match(test.stdout, /# pass 2\n# fail 0/);
    });
  }

  it('the transform scaffold, packed with npm pack and installed beside soilscale, runs in a pipeline (with regressor:rf on a CSV, leave-group-out)', async () => {
    const dir = join(plugins, 'transform');
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', plugins], { cwd: dir });
    const [{ filename, files }] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    assert.deepEqual(files.map((f) => f.path).sort(), ['README.md', 'dist/src/index.d.ts', 'dist/src/index.js', 'package.json']);
    const installed = join(project, 'node_modules', 'soilscale-plugin-my-transform');
    mkdirSync(installed);
    await exec('tar', ['-xzf', join(plugins, filename), '-C', installed, '--strip-components=1']);
    writeFileSync(
      join(project, 'pipeline.json'),
      JSON.stringify({
        schemaVersion: '1.0',
        id: 'third-party',
        plugins: ['soilscale-plugin-my-transform'],
        nodes: {
          scene: { uses: 'source:stac', with: { path: 'demo', demo: SMALL } },
          tripled: { uses: 'transform:my-transform', with: { series: { $node: 'scene', output: 'sm_coarse' }, factor: 3 } },
          // The other scripted-user step: regressor:rf on a CSV with a leave-group-out split.
          rows: { uses: 'source:csv', with: { path: 'rows.csv' } },
          fit: { uses: 'model:table', with: { table: { $node: 'rows' }, regressor: { uses: 'regressor:rf', with: { trees: 10 } }, target: 'y', features: ['a', 'b'], groupBy: 'site', split: { leaveGroupOut: true } } },
        },
        outputs: { coarse: { $node: 'scene', output: 'sm_coarse' }, tripled: { $node: 'tripled', output: 'scaled' }, predictions: { $node: 'fit' } },
      }),
    );
    writeFileSync(join(project, 'rows.csv'), 'site,a,b,y\n' + Array.from({ length: 40 }, (_, i) => `s${i % 4},${i},${i % 7},${0.01 * i + 0.02 * (i % 7)}`).join('\n') + '\n');
    writeFileSync(
      join(project, 'run.mjs'),
      `import { runPipeline } from 'soilscale/host';
import { createMemoryLogger } from 'soilscale';
const r = await runPipeline('pipeline.json', { out: 'run', report: false, logger: createMemoryLogger() });
const a = r.artifacts.get('coarse').values[0], b = r.artifacts.get('tripled').values[0];
const i = a.findIndex(Number.isFinite);
const p = r.artifacts.get('predictions').rows;
console.log(JSON.stringify({ plugin: r.manifest.plugins.find((p) => p.id === 'transform:my-transform'), coarse: a[i], tripled: b[i], nan: a.filter(Number.isNaN).length === b.filter(Number.isNaN).length,
  predicted: p.length, heldOutBySite: p.every((row) => row.fold === row.site && typeof row.predicted === 'number') }));
process.exit(0);
`,
    );
    const run = await exec(process.execPath, ['run.mjs'], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { plugin: object; coarse: number; tripled: number; nan: boolean; predicted: number; heldOutBySite: boolean };
    assert.deepEqual(out.plugin, { id: 'transform:my-transform', version: '0.1.0', source: 'pipeline' });
    assert.equal(out.tripled, Math.fround(3 * out.coarse));
    assert.ok(out.nan);
    assert.equal(out.predicted, 40);
    assert.ok(out.heldOutBySite);
  });
});
