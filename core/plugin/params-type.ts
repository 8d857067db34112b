import type { PluginSpec } from './manifest.js';

/**
 * The TypeScript type of the values a JSON Schema (written `as const`) accepts, after defaults:
 * what a plugin's `create` receives. A property is present when the schema requires it or gives it a
 * `default`, optional otherwise. Covers the keywords plugin schemas use: `type` (also as a list),
 * `enum`, `const`, `anyOf`/`oneOf`, `items` (a tuple when `minItems` = `maxItems`), `properties`/`required`,
 * and `x-plugin-kind` (a nested plugin spec). Constraints such as `minimum` do not change the type.
 *
 * @example
 * ```ts
 * const schema = {
 *   type: 'object',
 *   properties: { trees: { type: 'integer', default: 100 }, seed: { type: ['integer', 'null'] } },
 *   additionalProperties: false,
 * } as const;
 * const params: ParamsOf<typeof schema> = { trees: 50 }; // { readonly trees: number; readonly seed?: number | null }
 * ```
 */
export type ParamsOf<S> = ValueOf<S, 'resolved'>;

/** What a caller may pass for a schema: like {@link ParamsOf}, but every property with a `default` may be left out. */
export type ParamsInput<S> = ValueOf<S, 'input'>;

/** Values before (`input`) or after (`resolved`) defaults are filled in. */
type Stage = 'input' | 'resolved';

/** The value type of one (sub)schema. */
export type ValueOf<S, M extends Stage = 'resolved'> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly 'x-plugin-kind': string }
      ? PluginSpec
      : S extends { readonly anyOf: readonly (infer A)[] }
        ? ValueOf<A, M>
        : S extends { readonly oneOf: readonly (infer A)[] }
          ? ValueOf<A, M>
          : S extends { readonly type: infer T }
            ? TypeValue<S, T extends readonly (infer U)[] ? U : T, M>
            : unknown;

type TypeValue<S, T, M extends Stage> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? ArrayValue<S, M>
          : T extends 'object'
            ? ObjectValue<S, M>
            : unknown;

/** A list, or a tuple when `minItems` equals `maxItems`. */
type ArrayValue<S, M extends Stage> = S extends { readonly items: infer I }
  ? S extends { readonly minItems: infer N extends number; readonly maxItems: infer X extends number }
    ? SameType<N, X> extends true
      ? Tuple<ValueOf<I, M>, N>
      : readonly ValueOf<I, M>[]
    : readonly ValueOf<I, M>[]
  : readonly unknown[];

type Tuple<T, N extends number, Acc extends readonly T[] = []> = number extends N ? readonly T[] : Acc['length'] extends N ? Acc : Tuple<T, N, readonly [...Acc, T]>;

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;
type DefaultedKeys<P> = { [K in keyof P]: P[K] extends { readonly default: unknown } ? K : never }[keyof P];

type PresentKeys<S, P, M extends Stage> = RequiredKeys<S> | (M extends 'resolved' ? DefaultedKeys<P> : never);

type ObjectValue<S, M extends Stage> = S extends { readonly properties: infer P }
  ? Flatten<
      { readonly [K in keyof P as K extends PresentKeys<S, P, M> ? K : never]: ValueOf<P[K], M> } & {
        readonly [K in keyof P as K extends PresentKeys<S, P, M> ? never : K]?: ValueOf<P[K], M>;
      }
    >
  : Readonly<Record<string, unknown>>;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** `true` when `A` and `B` accept the same values (each assignable to the other). */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
