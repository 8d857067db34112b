/**
 * The published package, as a user gets it: `npm pack` (files, exports map), unpacked into a fresh
 * project, then used from a script through each entry, and from TypeScript through the `types` of the
 * exports map.
 *
 * What this does NOT test: `npm install` of the tarball. That needs the registry (an offline install
 * fails with ENOTCACHED: the dependencies are not in the npm cache), so the project's node_modules
 * holds the unpacked tarball as `soilscale` plus symlinks to this repository's installed dependencies —
 * the layout npm would produce, without npm resolving the dependency versions.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../core/pipeline/helpers.js';
import { exec, projectWithPackedSoilscale } from '../support/packed-soilscale.js';

const SMALL = { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 };

const SCRIPT = `
import * as sdk from 'soilscale';
import * as host from 'soilscale/host';
import * as plugins from 'soilscale/plugins';
import * as testing from 'soilscale/testing';
import * as kernel from 'soilscale/kernel';
const out = {};
out.sdk = { resolveParams: typeof sdk.resolveParams, definePlugin: typeof sdk.definePlugin, kinds: Object.keys(sdk.KINDS) };
out.hostInSdk = ['runPipeline', 'createRegistry', 'preparePipeline', 'Container', 'writeRunReport', 'generatePipelineSchema'].filter((n) => n in sdk);
out.host = ['runPipeline', 'createRegistry', 'builtinRegistry', 'Container', 'writeRunReport', 'generatePipelineSchema'].filter((n) => n in host);
out.builtins = plugins.builtinPlugins.map((m) => m.id).sort();
out.conformance = plugins.builtinPlugins.flatMap((m) => testing.manifestProblems(m));
out.kernel = typeof kernel.createRng;
try { await import('soilscale/dist/core/pipeline/engine.js'); out.deepImport = 'allowed'; } catch (e) { out.deepImport = e.code; }
const pipeline = new URL('./node_modules/soilscale/pipelines/baseline.json', import.meta.url);
const r = await host.runPipeline(pipeline.pathname, { out: 'run', params: { demo: ${JSON.stringify(SMALL)} }, report: false, logger: sdk.createMemoryLogger() });
const summary = r.artifacts.get('truth_summary');
out.run = { nodes: r.manifest.nodes.map((n) => n.id), outputs: Object.keys(r.manifest.outputs).sort(), dates: r.artifacts.get('sm_bilinear').dates.length, truthR: summary.rows[0].r, version: r.manifest.soilscaleVersion };
try { await plugins.gbdtPlugin.create({ rounds: 0 }, sdk.createPluginContext()); out.params = 'accepted'; } catch (e) { out.params = e.message; }
console.log(JSON.stringify(out));
process.exit(0);
`;

const TYPED = `
import { definePlugin, resolveParams, type ParamsOf, type Series } from 'soilscale';
import { builtinRegistry, runPipeline, type RunResult } from 'soilscale/host';
import { rfPlugin, type RandomForestParams } from 'soilscale/plugins';
import { manifestProblems } from 'soilscale/testing';
const schema = { type: 'object', properties: { factor: { type: 'number', default: 2 } }, additionalProperties: false } as const;
export const scale = definePlugin({
  id: 'transform:scale', version: '1.0.0', title: 'Scale', description: 'x factor', params: schema,
  inputs: { series: { type: 'series', required: true, description: 'input' } },
  create: (p: ParamsOf<typeof schema>) => ({ async apply(i) { const s = i.series as Series; return { scaled: { ...s, values: s.values.map((v) => v.map((x) => x * p.factor)) } }; } }),
});
const trees: number = resolveParams<RandomForestParams>(rfPlugin, {}).trees;
const run: (p: string) => Promise<RunResult> = (p) => runPipeline(p, { out: 'x', registry: builtinRegistry([scale]) });
export { trees, run, manifestProblems };
`;

describe('the packed package', () => {
  it('installs into a fresh project; each entry works from a script and runs a shipped pipeline', async () => {
    const { project } = await projectWithPackedSoilscale();
    writeFileSync(join(project, 'check.mjs'), SCRIPT);
    const { stdout } = await exec(process.execPath, ['check.mjs'], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.deepEqual(out.sdk, { resolveParams: 'function', definePlugin: 'function', kinds: ['source', 'transform', 'regressor', 'model', 'downscaler', 'inverter', 'fuser', 'validator', 'sink'] });
    assert.deepEqual(out.hostInSdk, []);
    assert.deepEqual(out.host, ['runPipeline', 'createRegistry', 'builtinRegistry', 'Container', 'writeRunReport', 'generatePipelineSchema']);
    assert.equal(out.builtins.length, 26); // + transform:interval-calibration
    assert.ok(out.builtins.includes('source:stac') && out.builtins.includes('regressor:rf'));
    assert.deepEqual(out.conformance, []);
    assert.equal(out.kernel, 'function');
    assert.equal(out.deepImport, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.deepEqual(out.run.nodes, ['scene', 'bilinear', 'vs_truth', 'vs_stations']);
    assert.deepEqual(out.run.outputs, ['sm_bilinear', 'stations_metrics', 'stations_summary', 'truth_consistency', 'truth_subgrid', 'truth_summary']);
    assert.equal(out.run.dates, 30);
    assert.ok(out.run.truthR > 0.3 && out.run.truthR < 1, `bilinear vs truth R ${out.run.truthR}`);
    assert.equal(out.run.version, '0.1.0');
    assert.match(out.params, /regressor:gbdt\.rounds: must be integer >= 1 <= 100000, got 0/);

    // TypeScript sees the same entries through the exports map's `types`.
    writeFileSync(join(project, 'typed.ts'), TYPED);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['typed.ts'] }));
    const tsc = await exec(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project }).catch((e: { stdout: string }) => e);
    assert.equal((tsc as { stdout: string }).stdout, '');
  });
});
