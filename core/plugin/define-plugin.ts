import type { KindInterfaces, PluginKind } from './kinds.js';
import type { JsonSchema, PluginContext, PluginManifest } from './manifest.js';
import { resolveParams } from './params.js';
import type { ParamsInput, ParamsOf, SameType } from './params-type.js';

type KindOf<I> = I extends `${infer K}:${string}` ? (K extends PluginKind ? K : never) : never;

/** What a plugin author writes: a manifest whose `params` schema (`as const`) types `create`'s params. */
export interface PluginDefinition<I extends `${PluginKind}:${string}`, S extends JsonSchema, P> extends Omit<PluginManifest<KindOf<I>, P>, 'id' | 'params' | 'create'> {
  readonly id: I;
  readonly params: S;
  create(params: P, context: PluginContext): KindInterfaces[KindOf<I>] | Promise<KindInterfaces[KindOf<I>]>;
}

/** A compile error naming both types when `create`'s params type is not the type the schema describes. */
type ParamsMatchSchema<S, P> =
  SameType<ParamsOf<S>, P> extends true ? unknown : { readonly 'create() params type differs from the params schema': { readonly schema: ParamsOf<S>; readonly create: P } };

/**
 * Define a plugin. Its params type is the schema's ({@link ParamsOf}): `create`'s params are typed
 * from `params`, or, when annotated with a named type, checked against it at compile time. The
 * returned manifest's `create` resolves its params ({@link resolveParams}: defaults from the schema,
 * ajv validation) before the plugin sees them, so a library caller of `create({}, context)` gets the
 * defaults or a clear error, as a pipeline does. Every built-in plugin is defined with it.
 *
 * @example
 * ```ts
 * const schema = {
 *   type: 'object',
 *   properties: { factor: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'Multiplier.' } },
 *   additionalProperties: false,
 * } as const;
 * export type ScaleParams = ParamsOf<typeof schema>; // { readonly factor: number }
 * export const scale = definePlugin({
 *   id: 'transform:scale',
 *   version: '1.0.0',
 *   title: 'Scale',
 *   description: 'Multiplies a series by a factor.',
 *   params: schema,
 *   inputs: { series: { type: 'series', required: true, description: 'the series to scale' } },
 *   outputs: { scaled: { type: 'series', description: 'the scaled series' } },
 *   create: (params) => ({
 *     async apply(inputs) {
 *       const s = inputs.series as Series;
 *       return { scaled: { ...s, values: s.values.map((v) => v.map((x) => x * params.factor)) } };
 *     },
 *   }),
 * });
 * const transform = await scale.create({}, createPluginContext()); // factor 2, from the schema
 * ```
 */
export function definePlugin<const I extends `${PluginKind}:${string}`, const S extends JsonSchema, P = ParamsOf<S>>(
  definition: PluginDefinition<I, S, P> & ParamsMatchSchema<S, P>,
): DefinedPlugin<I, S, P> {
  const manifest: DefinedPlugin<I, S, P> = {
    ...definition,
    create: async (params: ParamsInput<S> | P | undefined, context: PluginContext) => definition.create(resolveParams<P>(manifest, params), context),
  };
  return manifest;
}

/** A manifest made by {@link definePlugin}: `create` takes params with defaults left out (it fills them in). */
export type DefinedPlugin<I extends `${PluginKind}:${string}`, S extends JsonSchema, P> = Omit<PluginManifest<KindOf<I>, P>, 'id' | 'params' | 'create'> & {
  readonly id: I;
  readonly params: S;
  create(params: ParamsInput<S> | P | undefined, context: PluginContext): Promise<KindInterfaces[KindOf<I>]>;
};
