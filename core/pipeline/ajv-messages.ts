import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../plugin/manifest.js';

/** One ajv instance per purpose: strict off (plugin schemas carry `x-` keywords), all errors, verbose. */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv {
  return new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: options.useDefaults ?? false, coerceTypes: false });
}

const compiled = new WeakMap<object, ValidateFunction>();
const defaultsAjv = createAjv({ useDefaults: true });

/**
 * Validate `value` against `schema`, applying defaults (on a copy). Returns the value with defaults
 * and one message per problem; `pathOf(firstKey)` is the JSON path of the object holding `firstKey`
 * (so shared and per-part keys each name their own place).
 */
export function validateWithDefaults(
  schema: JsonSchema,
  value: unknown,
  pathOf: (firstKey: string | undefined) => string,
): { value: unknown; problems: string[] } {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = defaultsAjv.compile(schema as object);
    compiled.set(schema, validate);
  }
  const copy = structuredClone(value);
  const ok = validate(copy);
  return { value: copy, problems: ok ? [] : formatAjvErrors(validate.errors ?? [], pathOf) };
}

/** `/a/b/0` → `["a", "b", "0"]`. */
function segments(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPath(base: string, segs: readonly string[]): string {
  let p = base;
  for (const s of segs) p += /^\d+$/.test(s) ? `[${s}]` : p ? `.${s}` : s;
  return p;
}

const VALUE_KEYWORDS = new Set([
  'type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'enum', 'const', 'pattern', 'format',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'anyOf', 'oneOf',
]);

/** ajv errors → one line per problem: `nodes.a.with.trees: must be integer >= 1, got "many"`. */
export function formatAjvErrors(errors: readonly ErrorObject[], pathOf: (firstKey: string | undefined) => string): string[] {
  // anyOf/oneOf report every branch's errors: keep the combined error only.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath);
  const kept = errors.filter(
    (e) => e.keyword !== 'if' && !alternatives.some((sp) => e.schemaPath !== sp && e.schemaPath.startsWith(sp + '/')),
  );
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const segs = segments(e.instancePath);
    const where = (extra?: string): string => {
      const all = extra === undefined ? segs : [...segs, extra];
      return joinPath(pathOf(all[0]), all);
    };
    let line: string;
    let key: string;
    if (e.keyword === 'additionalProperties') {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      key = where(prop);
      line = `${key}: unknown ${segs.length === 0 ? 'param' : 'property'}${known.length ? ` (expected one of: ${known.join(', ')})` : ''}`;
    } else if (e.keyword === 'required') {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      key = where(prop);
      line = `${key}: required, missing`;
    } else if (VALUE_KEYWORDS.has(e.keyword)) {
      key = where();
      line = `${key}: must be ${describeSchema((e.parentSchema ?? {}) as JsonSchema)}, got ${formatValue(e.data)}`;
    } else {
      key = where() + '#' + e.keyword;
      line = `${where()}: ${e.message ?? e.keyword}, got ${formatValue(e.data)}`;
    }
    if (!seen.has(key)) {
      seen.add(key);
      out.push(line);
    }
  }
  return out;
}

/** A short human description of what a schema accepts: `integer >= 1`, `one of "a", "b"`. */
export function describeSchema(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.enum) return `one of ${(s.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const alts = ((s.anyOf ?? s.oneOf) as JsonSchema[]).filter((a) => !('$ref' in a) || !String(a.$ref).endsWith('paramRef'));
    const own = s.type ? describeSchema({ ...s, anyOf: undefined, oneOf: undefined }) : undefined;
    const described = alts.map(describeSchema);
    return [own, described.join(' or ')].filter(Boolean).join(', ') || 'a valid value';
  }
  if (s.type) parts.push(Array.isArray(s.type) ? (s.type as string[]).join(' or ') : String(s.type));
  if (s.minimum !== undefined) parts.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) parts.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (s.multipleOf !== undefined) parts.push(`a multiple of ${s.multipleOf}`);
  if (s.minLength !== undefined) parts.push(`of at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) parts.push(`of at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) parts.push(`with at least ${s.minItems} items`);
  if (s.maxItems !== undefined) parts.push(`with at most ${s.maxItems} items`);
  if (s.pattern !== undefined) parts.push(`matching /${s.pattern}/`);
  if (s.format !== undefined) parts.push(`in format ${s.format}`);
  if (s.$ref && String(s.$ref).endsWith('nodeRef')) parts.push('a node reference {"$node": …}');
  return parts.join(' ') || 'a valid value';
}

export function formatValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}
