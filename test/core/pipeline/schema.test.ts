import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { createRegistry, generatePipelineSchema } from '../../../core/host.js';
import { builtinPlugins } from '../../../plugins/index.js';
import { schemaText } from '../../../cli/main.js';
import { ROOT } from './helpers.js';

describe('pipeline schema', () => {
  const registry = createRegistry(builtinPlugins);

  it('schemas/pipeline.schema.json is up to date with the registry (run `npm run schema`)', () => {
    const committed = readFileSync(join(ROOT, 'schemas', 'pipeline.schema.json'), 'utf8');
    assert.equal(committed, schemaText(registry), 'schemas/pipeline.schema.json is out of date: run `npm run schema` and commit it');
  });

  it('describes every built-in plugin and accepts the example pipeline', () => {
    const schema = generatePipelineSchema(registry) as { definitions: Record<string, unknown> };
    for (const m of builtinPlugins) assert.ok(`with:${m.id}` in schema.definitions, m.id);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const example = JSON.parse(readFileSync(join(ROOT, 'pipelines', 'example.json'), 'utf8'));
    assert.ok(validate(example), JSON.stringify(validate.errors, null, 1));
    // A wrong param type inside a plugin's `with` is caught by the editor schema too.
    const bad = structuredClone(example) as { nodes: { scene: { with: { path: unknown } } } };
    bad.nodes.scene.with.path = 3;
    assert.equal(validate(bad), false);
  });

  it('a nested plugin param (x-plugin-kind) becomes a oneOf of the registered plugins of that kind', () => {
    const nested = builtinPlugins.find((m) => Object.values((m.params as { properties?: Record<string, Record<string, unknown>> }).properties ?? {}).some((p) => p['x-plugin-kind']));
    if (!nested) return;
    const schema = generatePipelineSchema(registry) as { definitions: Record<string, { properties: Record<string, { anyOf: Array<{ oneOf?: Array<{ properties: { uses: { const: string } } }> }> }> }> };
    const props = schema.definitions[`with:${nested.id}`].properties;
    const param = Object.entries((nested.params as { properties: Record<string, Record<string, unknown>> }).properties).find(([, p]) => p['x-plugin-kind'])!;
    const kind = param[1]['x-plugin-kind'] as string;
    const ids = props[param[0]].anyOf[0].oneOf!.map((o) => o.properties.uses.const);
    assert.deepEqual(ids, builtinPlugins.filter((m) => m.id.startsWith(kind + ':')).map((m) => m.id).sort());
  });
});
