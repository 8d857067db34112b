import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSoilscaleError, type SoilscaleError } from '../../../core/index.js';
import { preparePipeline } from '../../../core/host.js';
import { emptyRegistry, FIXTURES, pipelineFixture, tempDir, TEST_PLUGINS } from './helpers.js';

async function problemsOf(p: string | object, params?: Record<string, unknown>): Promise<SoilscaleError> {
  try {
    await preparePipeline(p, { registry: emptyRegistry(), params });
  } catch (e) {
    assert.ok(isSoilscaleError(e), `expected a SoilscaleError, got ${e}`);
    return e;
  }
  assert.fail('expected the pipeline to be rejected');
}

const base = (nodes: object, extra: object = {}): object => ({
  schemaVersion: '1.0',
  id: 't',
  plugins: [TEST_PLUGINS],
  nodes: { scene: { uses: 'source:memory' }, ...nodes },
  outputs: {},
  ...extra,
});

describe('pipeline validation', () => {
  it('reports every problem at once, one line each with its JSON path', async () => {
    const e = await problemsOf(pipelineFixture('invalid'));
    assert.equal(e.kind, 'usage');
    const p = e.problems;
    assert.ok(p.includes('nodes.stage1.with.trees: must be integer >= 1, got "many"'), p.join('\n'));
    assert.ok(p.includes('nodes.stage1.with.depth: unknown param (expected one of: factor, offset, trees)'), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith("nodes.stage2.uses: unknown plugin 'downscaler:test-scal'; did you mean 'downscaler:test-scale'")), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith("nodes.stage3.version: plugin 'downscaler:test-scale' version 1.2.0 does not satisfy '^2'")), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith("nodes.stage3.with.factor: unknown param 'nope'")), p.join('\n'));
    assert.ok(p.some((l) => l.startsWith("outputs.x.$node: unknown node 'ghost'")), p.join('\n'));
    assert.ok(p.includes('nodes.a: dependency cycle a → b → a'), p.join('\n'));
    assert.equal(p.length, 7);
    assert.ok(e.message.includes('invalid.json'));
  });

  it('names a missing node reference', async () => {
    const e = await problemsOf(base({ d: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'scen', output: 'sm_coarse' } } } }));
    assert.deepEqual([...e.problems], ["nodes.d.with.coarse.$node: unknown node 'scen' (nodes: scene, d)"]);
  });

  it('names a missing required input', async () => {
    const e = await problemsOf(base({ d: { uses: 'downscaler:test-scale', with: { factor: 2 } } }));
    assert.equal(e.problems.length, 1);
    assert.match(e.problems[0], /^nodes\.d\.with\.coarse: required input missing/);
  });

  it('reports a longer cycle with its path', async () => {
    const e = await problemsOf(
      base({
        a: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'c' } } },
        b: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'a' } } },
        c: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'b' } } },
      }),
    );
    assert.deepEqual([...e.problems], ['nodes.a: dependency cycle a → c → b → a']);
  });

  it('reports malformed JSON with line and column', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "schemaVersion": "1.0",\n  "id": "x",\n}\n');
    const e = await problemsOf(file);
    assert.equal(e.kind, 'usage');
    assert.match(e.message, /bad\.json: line 4, column 1: malformed JSON/);
  });

  it('reports a missing pipeline file', async () => {
    const e = await problemsOf('does/not/exist.json');
    assert.match(e.message, /does\/not\/exist\.json: pipeline file not found/);
  });

  it('checks structure before plugins: wrong schemaVersion and unknown top-level keys', async () => {
    const e = await problemsOf({ schemaVersion: '2.0', id: 'x', nodes: { a: { uses: 'source:memory' } }, outputs: {}, extra: 1 });
    assert.ok(e.problems.includes('schemaVersion: must be "1.0", got "2.0"'), e.problems.join('\n'));
    assert.ok(e.problems.includes('extra: unknown param (expected one of: $schema, schemaVersion, id, title, description, plugins, params, nodes, outputs)') || e.problems.some((l) => l.startsWith('extra: unknown')), e.problems.join('\n'));
  });

  it('types --param strings by declaration and rejects wrong types and unknown params', async () => {
    const doc = base({ d: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'scene', output: 'sm_coarse' }, trees: { $param: 'trees' } } } }, { params: { trees: { type: 'integer', default: 5 } } });
    const plan = await preparePipeline(doc, { registry: emptyRegistry(), params: { trees: '12' } });
    assert.equal(plan.params.trees, 12);
    const d = plan.nodes.get('d')!;
    assert.equal(d.type, 'plugin');
    if (d.type === 'plugin') assert.deepEqual(d.use.params, { trees: 12, factor: 1, offset: 0 });
    const e = await problemsOf(doc, { trees: 'many', bogus: '1' });
    assert.deepEqual([...e.problems].sort(), ['params.bogus: unknown param (the pipeline declares: trees)', 'params.trees (given): must be integer, got "many"']);
  });

  it('a map input from a list of outputs of one node: {"$node", "outputs"} (the list may be a param)', async () => {
    const doc = base(
      { d: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'scene', output: 'sm_coarse' }, predictors: { $node: 'scene', outputs: { $param: 'predictors' } } } } },
      { params: { predictors: { type: 'array', items: { type: 'string' }, default: ['ndvi_1km', 'lst_1km'] } } },
    );
    const plan = await preparePipeline(doc, { registry: emptyRegistry(), params: { predictors: '["ndvi_1km","dem_1km"]' } });
    const d = plan.nodes.get('d')!;
    assert.ok(d.type === 'plugin');
    const binding = d.use.inputs.predictors;
    assert.ok(binding.kind === 'map');
    assert.deepEqual(Object.fromEntries(Object.entries(binding.refs).map(([k, r]) => [k, `${r.node}.${r.output}`])), { ndvi_1km: 'scene.ndvi_1km', dem_1km: 'scene.dem_1km' });
    const e = await problemsOf(doc, { predictors: '[]' });
    assert.ok(e.problems.some((l) => l.startsWith('nodes.d.with.predictors') || l.startsWith('params.predictors')), e.problems.join('\n'));
  });

  it('orders nodes by dependency, ties in declaration order', async () => {
    const plan = await preparePipeline(pipelineFixture('basic'), { registry: emptyRegistry() });
    assert.deepEqual([...plan.order], ['scene', 'down', 'scaled', 'check', 'insitu']);
    const reversed = await preparePipeline(
      base({
        late: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'early' } } },
        early: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'scene', output: 'sm_coarse' } } },
      }),
      { registry: emptyRegistry() },
    );
    assert.deepEqual([...reversed.order], ['scene', 'early', 'late']);
  });

  it('rejects partition parts that do not fit `by`, and overlapping date ranges', async () => {
    const shared = { coarse: { $node: 'scene', output: 'sm_coarse' } };
    const e = await problemsOf(
      base({
        s: { partition: { by: 'season', parts: { WINTER: { uses: 'downscaler:test-scale' } } }, with: shared },
        d: {
          partition: {
            by: 'dates',
            parts: { a: { uses: 'downscaler:test-scale', from: '11-01', to: '02-28' }, b: { uses: 'downscaler:test-scale', from: '02-01', to: '05-31' } },
          },
          with: shared,
        },
      }),
    );
    assert.ok(e.problems.some((l) => l.startsWith("nodes.s.partition.parts.WINTER: unknown season 'WINTER'")), e.problems.join('\n'));
    assert.ok(e.problems.some((l) => l.startsWith("nodes.d.partition.parts.b: dates overlap part 'a'")), e.problems.join('\n'));
  });

  it('rejects a third-party module that is not a plugin, naming the entry', async () => {
    const e = await problemsOf({ ...base({}), plugins: [join(FIXTURES, '..', '..', 'dist', 'test', 'fixtures', 'plugins', 'not-a-plugin.js')] });
    assert.equal(e.kind, 'usage');
    assert.match(e.message, /plugins\[0\]: plugin module '.*not-a-plugin\.js' exports something that is not a plugin manifest/);
    const missing = await problemsOf({ ...base({}), plugins: ['./nowhere/plugin.js', TEST_PLUGINS] });
    assert.match(missing.message, /plugins\[0\]: plugin module '\.\/nowhere\/plugin\.js' not found/);
    const pkg = await problemsOf({ ...base({}), plugins: ['soilscale-plugin-that-does-not-exist'] });
    assert.match(pkg.message, /plugin package 'soilscale-plugin-that-does-not-exist' not found/);
  });

  it('registers third-party plugins for the run only', async () => {
    const registry = emptyRegistry();
    const plan = await preparePipeline(base({}), { registry });
    assert.ok(plan.registry.has('source:memory'));
    assert.equal(registry.has('source:memory'), false);
  });
});
