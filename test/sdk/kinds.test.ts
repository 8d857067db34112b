import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { callKind, isSoilscaleError, KINDS, outputsOf, pluginKindOf, portsOf, type PluginManifest, type RecordTable, type Validator } from '../../core/index.js';
import { createRegistry, generatePipelineSchema, preparePipeline, runPipeline } from '../../core/host.js';
import { builtinPlugins, tchValidator } from '../../plugins/index.js';
import { quiet, tempDir, TEST_PLUGINS } from '../core/pipeline/helpers.js';

/**
 * One record per kind (core/plugin/kind-record.ts): plan checking, schema generation, `plugins
 * describe`, registration and the engine read the same ports. Each test pins one disagreement the
 * review found.
 */
const registry = createRegistry(builtinPlugins);
const scene = { uses: 'source:memory' };
const ref = (node: string, output?: string) => ({ $node: node, ...(output ? { output } : {}) });

function pipeline(nodes: object, outputs: object = {}): object {
  return { schemaVersion: '1.0', id: 'kinds', plugins: [TEST_PLUGINS], nodes: { scene, ...nodes }, outputs };
}

async function problemsOf(doc: object): Promise<readonly string[]> {
  try {
    await preparePipeline(doc, { registry });
  } catch (e) {
    assert.ok(isSoilscaleError(e), String(e));
    return e.problems;
  }
  return [];
}

describe('kind record', () => {
  it('plan checking reads a validator\'s declared inputs (validator:tch takes `products`, required)', async () => {
    assert.deepEqual(await problemsOf(pipeline({ tch: { uses: 'validator:tch', with: {} } })), [
      'nodes.tch.with.products: required input missing (three or more products on one grid, keyed by name; a reference {"$node": …})',
    ]);
    const wrong = await problemsOf(pipeline({ tch: { uses: 'validator:tch', with: { product: ref('scene', 'sm_coarse'), products: { a: ref('scene', 'sm_coarse') } } } }));
    assert.equal(wrong.length, 1);
    assert.match(wrong[0], /^nodes\.tch\.with\.product: unknown param \(expected one of: minSamples, /);
    assert.deepEqual(await problemsOf(pipeline({ tch: { uses: 'validator:tch', with: { products: { a: ref('scene', 'sm_coarse'), b: ref('scene', 'ndvi_1km') } } } })), []);
  });

  it('the generated schema and `plugins describe` show the same declared inputs', () => {
    const schema = generatePipelineSchema(registry) as { definitions: Record<string, { properties: Record<string, unknown> }> };
    const tchWith = Object.keys(schema.definitions['with:validator:tch'].properties);
    assert.deepEqual(tchWith, [...Object.keys(tchValidator.params.properties), 'products']);
    assert.deepEqual(registry.describe('validator:tch').inputs, tchValidator.inputs);
    for (const m of builtinPlugins) {
      const d = registry.describe(m.id);
      assert.deepEqual(d.inputs, portsOf(m), m.id);
      assert.deepEqual(d.outputs, outputsOf(m).ports, m.id);
      const withProps = Object.keys(schema.definitions[`with:${m.id}`].properties);
      for (const port of Object.keys(d.inputs)) assert.ok(withProps.includes(port), `${m.id}: schema lacks input ${port}`);
    }
  });

  it('the schema offers only node kinds as a node\'s `uses`, as plan checking does', async () => {
    const schema = generatePipelineSchema(registry) as { definitions: { node: { properties: { uses: { anyOf: [{ enum: string[] }] } } } } };
    const offered = schema.definitions.node.properties.uses.anyOf[0].enum;
    const nodeKinds = builtinPlugins.filter((m) => KINDS[pluginKindOf(m.id)!].use === 'node').map((m) => m.id).sort();
    assert.deepEqual([...offered].sort(), nodeKinds);
    assert.ok(!offered.includes('regressor:rf'));
    assert.match((await problemsOf(pipeline({ rf: { uses: 'regressor:rf' } })))[0], /^nodes\.rf\.uses: a regressor is not a node on its own/);
  });

  it('the engine passes a validator exactly its declared inputs (no `product: undefined`)', async () => {
    const r = await runPipeline(pipeline({ keys: { uses: 'validator:test-input-keys', with: { products: { a: ref('scene', 'sm_coarse'), b: ref('scene', 'ndvi_1km') } } } }, { received: ref('keys', 'received') }), {
      out: join(tempDir(), 'out'),
      registry,
      report: false,
      ...quiet,
    });
    const received = r.artifacts.get('received') as RecordTable;
    assert.deepEqual(received.rows, [{ name: 'products', given: true, count: 2 }]);
  });

  it('validator:tch\'s declared `maps` output is what the engine produces (one alternative per product)', async () => {
    const out = join(tempDir(), 'out');
    const products = { truth: ref('scene', 'sm_truth_1km'), down: ref('down'), ndvi: ref('scene', 'ndvi_1km') };
    const doc = pipeline(
      { down: { uses: 'downscaler:test-scale', with: { coarse: ref('scene', 'sm_coarse'), target: ref('scene', 'ndvi_1km'), factor: 1.1 } }, tch: { uses: 'validator:tch', with: { products, minSamples: 4 } } },
      { tch: ref('tch', 'tch'), maps: ref('tch', 'maps'), truth_map: { $node: 'tch', output: 'maps', alternative: 'truth' } },
    );
    const r = await runPipeline(doc, { out, registry, report: false, ...quiet });
    const maps = r.artifacts.get('maps');
    assert.ok(maps?.kind === 'alternatives', `maps: ${maps?.kind}`);
    assert.deepEqual([...maps.items.keys()], ['truth', 'down', 'ndvi']);
    const truthMap = r.artifacts.get('truth_map');
    assert.ok(truthMap?.kind === 'series' && truthMap.grid.width === 8 && truthMap.dates.length === 0);
    assert.deepEqual((r.artifacts.get('tch') as RecordTable).rows.map((row) => row.product), ['truth', 'down', 'ndvi']);
    assert.deepEqual(r.manifest.notes.filter((n) => n.includes('skipped')), []);
    assert.ok(existsSync(join(out, 'maps-truth.tif')) || existsSync(join(out, 'maps-truth')), readdirSync(out).join(', '));
  });

  it('callKind gives validator:tch only what it was given', async () => {
    let seen: string[] = [];
    const spy: Validator = {
      async validate(input) {
        seen = Object.keys(input);
        return { tables: {} };
      },
    };
    await callKind('validator', spy, { products: {} }, { pluginId: 'validator:spy', outDir: tempDir() });
    assert.deepEqual(seen, ['products']);
  });

  it('a sink writes into the run folder; its files are committed with the run and listed in the manifest', async () => {
    const out = join(tempDir(), 'out');
    const r = await runPipeline(pipeline({ export: { uses: 'sink:test-json', with: { series: ref('scene', 'sm_coarse'), file: 'sm' } } }), { out, registry, report: false, ...quiet });
    const written = JSON.parse(readFileSync(join(out, 'export', 'sm.json'), 'utf8')) as { dates: string[]; means: number[] };
    assert.equal(written.dates.length, 5);
    assert.ok(Math.abs(written.means[0] - 0.13) < 1e-6, String(written.means[0])); // (0.1 + 0.12 + 0.14 + 0.16) / 4
    assert.ok(r.manifest.files.includes('export/sm.json'));
    assert.deepEqual(r.manifest.nodes.find((n) => n.id === 'export')?.notes, ['wrote 5 dates']);
  });

  it('a sink claiming a file it did not write fails the run, leaving nothing behind', async () => {
    const out = join(tempDir(), 'out');
    await assert.rejects(
      runPipeline(pipeline({ export: { uses: 'sink:test-json', with: { series: ref('scene', 'sm_coarse'), claim: '../elsewhere.json' } } }), { out, registry, report: false, ...quiet }),
      /sink 'sink:test-json' reported a file it did not write into the run folder \(expected paths relative to outDir of files that exist, found "\.\.\/elsewhere\.json"\)/,
    );
    assert.equal(existsSync(out), false);
  });

  it('a reference to an output a downscaler does not have is refused before running', async () => {
    const doc = pipeline({ down: { uses: 'downscaler:bilinear', with: { coarse: ref('scene', 'sm_coarse') } } }, { sm: ref('down', 'prodcut') });
    assert.deepEqual(await problemsOf(doc), ["outputs.sm.output: node 'down' (downscaler:bilinear) has no output 'prodcut'; did you mean 'product'? (outputs: product, uncertainty, lower, upper, model)"]);
  });

  it('registration refuses a manifest that breaks its kind\'s contract', () => {
    const base = { version: '1.0.0', title: 't', description: 'd', params: { type: 'object' }, create: () => ({}) as never };
    const attempt = (m: object): string => {
      try {
        createRegistry([m as PluginManifest]);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.match(attempt({ ...base, id: 'downscaler:x', inputs: { coarse: { type: 'series', description: 'c' } } }), /a downscaler's inputs are fixed by core \(coarse, predictors, target, stations, reference\); remove "inputs"/);
    assert.match(attempt({ ...base, id: 'validator:x' }), /a validator declares the inputs it takes \(from: product, reference, coarse, lower, upper, stations, products\)/);
    assert.match(attempt({ ...base, id: 'validator:x', inputs: { truth: { type: 'series', description: 't' } } }), /inputs\.truth: not an input a validator is given/);
    assert.match(attempt({ ...base, id: 'validator:x', inputs: { stations: { type: 'series', description: 's' } } }), /inputs\.stations: must be of type stations, got series/);
    assert.match(attempt({ ...base, id: 'regressor:x', outputs: { y: { type: 'series', description: 'y' } } }), /a regressor's outputs are fixed by core \(none\); remove "outputs"/);
    assert.equal(attempt({ ...base, id: 'validator:x', inputs: { product: { type: 'series', required: true, description: 'p' } } }), 'accepted');
  });
});
