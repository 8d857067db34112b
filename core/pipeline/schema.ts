import { KINDS, portsOf } from '../plugin/kind-record.js';
import type { JsonSchema } from '../plugin/manifest.js';
import { pluginKindOf } from '../plugin/manifest.js';
import type { PluginRegistry } from '../plugin/registry.js';

const SCHEMA_ID = 'https://soilscale.dev/schemas/pipeline.schema.json';

/** `$ref`-able pieces shared by the structural and the generated schema (JSON Schema draft-07). */
const definitions = {
  paramRef: {
    type: 'object',
    description: 'The value of a pipeline param.',
    properties: { $param: { type: 'string' } },
    required: ['$param'],
    additionalProperties: false,
  },
  nodeRef: {
    type: 'object',
    description: "Another node's output (default: its primary output).",
    properties: {
      $node: { type: 'string' },
      output: { anyOf: [{ type: 'string' }, { $ref: '#/definitions/paramRef' }] },
      alternative: { type: 'string', description: 'Select one alternative of a compare node.' },
    },
    required: ['$node'],
    additionalProperties: false,
  },
  nodeOutputsRef: {
    type: 'object',
    description: 'Several outputs of one node as a map input keyed by output name, e.g. {"$node": "scene", "outputs": ["ndvi_1km", "lst_1km"]} (or {"$param": …} giving the list).',
    properties: {
      $node: { type: 'string' },
      outputs: { anyOf: [{ type: 'array', items: { type: 'string' }, minItems: 1 }, { $ref: '#/definitions/paramRef' }] },
    },
    required: ['$node', 'outputs'],
    additionalProperties: false,
  },
  input: {
    description: 'A node input: a reference, a list of references, a map of references keyed by name, or several outputs of one node.',
    anyOf: [
      { $ref: '#/definitions/nodeRef' },
      { $ref: '#/definitions/nodeOutputsRef' },
      { $ref: '#/definitions/paramRef' },
      { type: 'array', items: { $ref: '#/definitions/nodeRef' } },
      { type: 'object', additionalProperties: { anyOf: [{ $ref: '#/definitions/nodeRef' }, { $ref: '#/definitions/paramRef' }] }, not: { required: ['$node'] } },
    ],
  },
  version: { type: 'string', description: 'A semver range the plugin version must satisfy, e.g. ^1.' },
  part: {
    type: 'object',
    properties: {
      uses: { type: 'string', pattern: '^[a-z]+:[A-Za-z0-9_.-]+$' },
      version: { $ref: '#/definitions/version' },
      with: { type: 'object' },
      from: { type: 'string', pattern: '^(\\d{4}-)?\\d{2}-\\d{2}$' },
      to: { type: 'string', pattern: '^(\\d{4}-)?\\d{2}-\\d{2}$' },
      classes: { type: 'array', items: { type: ['number', 'string'] }, minItems: 1 },
    },
    required: ['uses'],
    additionalProperties: false,
  },
  alternative: {
    type: 'object',
    properties: { uses: { type: 'string', pattern: '^[a-z]+:[A-Za-z0-9_.-]+$' }, version: { $ref: '#/definitions/version' }, with: { type: 'object' } },
    required: ['uses'],
    additionalProperties: false,
  },
  node: {
    type: 'object',
    properties: {
      title: { type: 'string' },
      description: { type: 'string' },
      uses: { type: 'string', pattern: '^[a-z]+:[A-Za-z0-9_.-]+$', description: 'Plugin id, kind:name.' },
      version: { $ref: '#/definitions/version' },
      optional: { type: 'boolean', description: 'Skip the node (with a note) when one of its inputs is absent.' },
      with: { type: 'object', description: 'Inputs (references to other nodes) and params of the plugin.' },
      partition: {
        type: 'object',
        properties: {
          by: { enum: ['season', 'month', 'dates', 'region'] },
          regions: { $ref: '#/definitions/nodeRef' },
          geojson: { type: 'string' },
          property: { type: 'string' },
          conserve: { $ref: '#/definitions/nodeRef', description: 'by region: a coarse field whose cell means the merged product keeps (one shift per cell and date).' },
          levels: { $ref: '#/definitions/nodeRef', description: 'by region, with conserve: a fine product whose mean over each region of each coarse cell the merged product takes; it fills pixels a part left empty.' },
          parts: { type: 'object', additionalProperties: { $ref: '#/definitions/part' }, minProperties: 1 },
        },
        required: ['by', 'parts'],
        additionalProperties: false,
      },
      compare: { type: 'object', additionalProperties: { $ref: '#/definitions/alternative' }, minProperties: 1 },
    },
    additionalProperties: false,
  },
} as const;

/**
 * The pipeline schema without plugin-specific parts: what the engine checks structure with before
 * the per-plugin checks (which report one clean line per problem).
 */
export function basePipelineSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'soilscale pipeline',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      schemaVersion: { const: '1.0' },
      id: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
      title: { type: 'string' },
      description: { type: 'string' },
      plugins: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Third-party plugin modules: paths relative to this file, or npm packages.' },
      params: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: { type: { enum: ['string', 'number', 'integer', 'boolean', 'object', 'array'] }, description: { type: 'string' } },
        },
      },
      nodes: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' }, additionalProperties: { $ref: '#/definitions/node' }, minProperties: 1 },
      outputs: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9_.-]+$' }, additionalProperties: { $ref: '#/definitions/nodeRef' } },
    },
    required: ['schemaVersion', 'id', 'nodes', 'outputs'],
    additionalProperties: false,
    definitions,
  };
}

/**
 * The full pipeline JSON Schema for editors: the structure plus, for every registered plugin, the
 * schema of its `with` (params with defaults, `$param` allowed anywhere, inputs as references).
 * A param marked `"x-plugin-kind": "regressor"` becomes a `oneOf` of every registered regressor's spec.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('out/pipeline.schema.json', JSON.stringify(generatePipelineSchema(createRegistry(builtinPlugins)), null, 2) + '\n');
 * ```
 */
export function generatePipelineSchema(registry: PluginRegistry): JsonSchema {
  const base = basePipelineSchema() as { definitions: Record<string, unknown> } & Record<string, unknown>;
  const defs: Record<string, unknown> = { ...base.definitions };
  const plugins = registry.list();
  for (const m of plugins) defs[defName(m.id)] = withSchema(m.params, portsOf(m), registry);
  // Nodes, parts and alternatives use node kinds; nested kinds (regressors) appear in their hosts' params.
  const nodePlugins = plugins.filter((m) => KINDS[pluginKindOf(m.id)!].use === 'node');
  const ids = nodePlugins.map((m) => m.id);
  const usesSchema = { type: 'string', pattern: '^[a-z]+:[A-Za-z0-9_.-]+$', ...(ids.length ? { anyOf: [{ enum: ids }, { type: 'string' }] } : {}) };
  const byUses = nodePlugins.map((m) => ({
    if: { properties: { uses: { const: m.id } }, required: ['uses'] },
    then: { properties: { with: { $ref: `#/definitions/${defName(m.id)}` } } },
  }));
  const node = defs.node as { properties: Record<string, unknown> };
  defs.node = { ...node, properties: { ...node.properties, uses: { ...usesSchema, description: 'Plugin id, kind:name.' } }, allOf: byUses };
  defs.part = { ...(defs.part as object), allOf: byUses };
  defs.alternative = { ...(defs.alternative as object), allOf: byUses };
  return { ...base, definitions: defs };
}

function defName(id: string): string {
  return `with:${id}`;
}

function withSchema(params: JsonSchema, ports: Readonly<Record<string, unknown>>, registry: PluginRegistry): JsonSchema {
  const p = params as { properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: unknown };
  const properties: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(p.properties ?? {})) properties[k] = { anyOf: [paramSchema(s, registry), { $ref: '#/definitions/paramRef' }] };
  for (const k of Object.keys(ports)) properties[k] = { $ref: '#/definitions/input' };
  return {
    type: 'object',
    ...(p.required ? { required: p.required } : {}),
    properties,
    additionalProperties: p.additionalProperties === undefined ? false : p.additionalProperties,
  };
}

function paramSchema(s: JsonSchema, registry: PluginRegistry): JsonSchema {
  const kind = s['x-plugin-kind'];
  if (typeof kind !== 'string') return s;
  const alternatives = registry
    .list()
    .filter((m) => pluginKindOf(m.id) === kind)
    .map((m) => ({
      type: 'object',
      properties: { uses: { const: m.id }, version: { $ref: '#/definitions/version' }, with: { $ref: `#/definitions/${defName(m.id)}` } },
      required: ['uses'],
      additionalProperties: false,
    }));
  const { ['x-plugin-kind']: _k, ...rest } = s;
  return { ...rest, 'x-plugin-kind': kind, oneOf: alternatives.length ? alternatives : [{ type: 'object', required: ['uses'] }] };
}
