import { usageError } from '../errors.js';
import { validateWithDefaults } from '../pipeline/ajv-messages.js';
import type { AnyPluginManifest, JsonSchema } from './manifest.js';

/** Params objects already resolved, by the schema they were resolved against (so a second pass is free). */
const resolved = new WeakMap<object, JsonSchema>();

/** Params with defaults filled in and checked, or one line per problem (`path: must be …, got …`). */
export interface ParamsCheck {
  readonly value: Readonly<Record<string, unknown>>;
  readonly problems: readonly string[];
}

/**
 * Fill the defaults of `manifest.params` into a copy of `raw` and validate it with ajv, collecting
 * problems instead of throwing (pipeline checking reports every problem at once). `pathOf(key)` names
 * the object holding the top-level param `key`, e.g. `nodes.down.with`.
 */
export function checkParams(manifest: Pick<AnyPluginManifest, 'params'>, raw: unknown, pathOf: (key: string | undefined) => string): ParamsCheck {
  if (isResolvedFor(raw, manifest.params)) return { value: raw as Readonly<Record<string, unknown>>, problems: [] };
  const { value, problems } = validateWithDefaults(manifest.params, raw ?? {}, pathOf);
  if (problems.length === 0 && typeof value === 'object' && value !== null) resolved.set(value, manifest.params);
  return { value: value as Readonly<Record<string, unknown>>, problems };
}

/**
 * The one way params reach a plugin: defaults from the schema filled in, then validated. Every path
 * goes through it — the CLI, pipeline checking, nested `context.instantiate`, and a direct
 * `manifest.create(params, context)` of any plugin built with `definePlugin`. Invalid params throw a
 * usageError whose `problems` each name the path, what was expected and what was found.
 *
 * @example
 * ```ts
 * const params = resolveParams(rfPlugin, { trees: 50 }); // { trees: 50, minLeaf: 5, maxFeatures: 'third', … }
 * assert.throws(() => resolveParams(rfPlugin, { trees: 'many' }), /regressor:rf\.trees: must be integer >= 1 <= 100000, got "many"/);
 * ```
 */
export function resolveParams<P = Readonly<Record<string, unknown>>>(manifest: Pick<AnyPluginManifest, 'id' | 'params'>, raw: unknown = {}, where: string = manifest.id): P {
  const { value, problems } = checkParams(manifest, raw, () => where);
  if (problems.length) {
    const [first] = problems;
    throw usageError(
      problems.length === 1 ? `invalid params for plugin '${manifest.id}': ${first}` : `invalid params for plugin '${manifest.id}': ${problems.length} problems`,
      {},
      problems.length === 1 ? [] : problems,
    );
  }
  return value as P;
}

function isResolvedFor(raw: unknown, schema: JsonSchema): boolean {
  return typeof raw === 'object' && raw !== null && resolved.get(raw) === schema;
}
