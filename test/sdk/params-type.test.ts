/**
 * Compile-time checks of the params typing (this file fails to build if they break): `ParamsOf` reads
 * a schema as the values `create` receives, and `definePlugin` refuses a `create` whose params type
 * differs from its schema. The runtime test only makes the file part of the suite.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { definePlugin, type ParamsInput, type ParamsOf, type PluginSpec, type SameType } from '../../core/index.js';
import type { GbdtParams, RandomForestParams, regressionDownscaler } from '../../plugins/index.js';

const schema = {
  type: 'object',
  properties: {
    trees: { type: 'integer', minimum: 1, default: 100 },
    maxFeatures: { anyOf: [{ type: 'number' }, { type: 'string', enum: ['sqrt', 'log2'] }], default: 'sqrt' },
    seed: { type: ['integer', 'null'], default: null },
    cells: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2, default: [3, 3] },
    weights: { type: 'array', items: { type: 'number' } },
    cv: { type: 'object', properties: { folds: { type: 'integer', default: 5 }, scheme: { enum: ['kfold', 'blocks'] } }, default: {} },
    regressor: { 'x-plugin-kind': 'regressor', type: 'object', default: { uses: 'regressor:linear' } },
    name: { type: 'string' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

type Resolved = {
  readonly trees: number;
  readonly maxFeatures: number | 'sqrt' | 'log2';
  readonly seed: number | null;
  readonly cells: readonly [number, number];
  readonly weights?: readonly number[];
  readonly cv: { readonly folds: number; readonly scheme?: 'kfold' | 'blocks' };
  readonly regressor: PluginSpec;
  readonly name: string;
};
const resolvedType: SameType<ParamsOf<typeof schema>, Resolved> = true;
// What a caller may pass: anything with a default may be left out; required stays required.
const inputType: SameType<ParamsInput<typeof schema>['name'], string> = true;
const minimalInput: ParamsInput<typeof schema> = { name: 'x' };
// Built-ins: the params type their create() receives is the schema's.
const rfType: SameType<RandomForestParams['maxDepth'], number | null> = true;
const gbdtType: SameType<GbdtParams['growth'], 'leaf-wise' | 'depth-wise'> = true;
const nested: SameType<Parameters<(typeof regressionDownscaler)['create']>[0] extends infer P ? (P extends { readonly regressor?: infer R } ? R : never) : never, PluginSpec> = true;

const narrow = { type: 'object', properties: { factor: { type: 'number', default: 2 } }, additionalProperties: false } as const;
definePlugin({
  id: 'transform:ok',
  version: '1.0.0',
  title: 't',
  description: 'd',
  params: narrow,
  inputs: {},
  create: (p: { readonly factor: number }) => ({ apply: async () => ({ factor: { kind: 'records', columns: ['f'], rows: [{ f: p.factor }] } as const }) }),
});
// @ts-expect-error create's params say `factor` may be missing, but the schema's default always fills it
definePlugin({
  id: 'transform:wrong',
  version: '1.0.0',
  title: 't',
  description: 'd',
  params: narrow,
  inputs: {},
  create: (p: { readonly factor?: number }) => ({ apply: async () => ({ factor: { kind: 'records', columns: ['f'], rows: [{ f: p.factor ?? 0 }] } as const }) }),
});

it('params typing checks compile', () => {
  assert.deepEqual([resolvedType, inputType, rfType, gbdtType, nested], [true, true, true, true, true]);
  assert.equal(minimalInput.name, 'x');
});
