import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { pluginKindOf, type AnyPluginManifest, type JsonSchema, type PluginSpec } from '../plugin/manifest.js';
import type { PluginKind } from '../plugin/kinds.js';
import { KINDS, outputsOf, portsOf } from '../plugin/kind-record.js';
import { closeMatches, type PluginRegistry } from '../plugin/registry.js';
import { loadThirdPartyPlugins } from '../plugin/third-party.js';
import { createAjv, formatAjvErrors, formatValue, joinPath } from './ajv-messages.js';
import { checkParams } from '../plugin/params.js';
import type { Ajv, ValidateFunction } from 'ajv';
import { loadPipeline, type PipelineSource } from './load.js';
import { basePipelineSchema } from './schema.js';
import {
  isNodeOutputsRef,
  isNodeRef,
  isParamRef,
  type CompareNodeSpec,
  type NodeRef,
  type NodeSpec,
  type ParamDeclaration,
  type PartitionBy,
  type PartitionNodeSpec,
  type PipelineDocument,
  type PluginNodeSpec,
  type PluginUseSpec,
} from './types.js';

/** A resolved reference to another node's output. */
export interface RefBinding {
  readonly node: string;
  readonly output?: string;
  readonly alternative?: string;
  /** JSON path of the reference in the pipeline, for messages. */
  readonly path: string;
}

/** How one input port is fed: one reference, a list, or a map keyed by name. */
export type InputBinding =
  | { readonly kind: 'one'; readonly ref: RefBinding }
  | { readonly kind: 'list'; readonly refs: readonly RefBinding[] }
  | { readonly kind: 'map'; readonly refs: Readonly<Record<string, RefBinding>> };

/** One plugin use, checked: the manifest, params after defaults, and input bindings. */
export interface PlannedUse {
  readonly manifest: AnyPluginManifest;
  readonly kind: PluginKind;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, InputBinding>>;
  /** JSON path of the use (`nodes.down`, `nodes.seasonal.partition.parts.DJF`). */
  readonly path: string;
}

export interface PlannedPart extends PlannedUse {
  readonly name: string;
  readonly from?: string;
  readonly to?: string;
  readonly classes?: readonly (number | string)[];
}

export type PlannedNode =
  | { readonly id: string; readonly type: 'plugin'; readonly optional: boolean; readonly deps: readonly string[]; readonly use: PlannedUse }
  | {
      readonly id: string;
      readonly type: 'partition';
      readonly optional: boolean;
      readonly deps: readonly string[];
      readonly by: PartitionBy;
      readonly parts: readonly PlannedPart[];
      readonly regions?: RefBinding;
      /** `by: "region"`: the coarse field whose cell means the merged `product` keeps. */
      readonly conserve?: RefBinding;
      /** `by: "region"`: the fine product whose per-cell, per-region means the merged `product` takes. */
      readonly levels?: RefBinding;
      /** Absolute path of a GeoJSON file of regions. */
      readonly geojson?: string;
      readonly property?: string;
    }
  | { readonly id: string; readonly type: 'compare'; readonly optional: boolean; readonly deps: readonly string[]; readonly alternatives: ReadonlyMap<string, PlannedUse> };

/** A pipeline checked against the registry and ready to run. */
export interface PipelinePlan {
  readonly source: PipelineSource;
  readonly doc: PipelineDocument;
  /** Pipeline params after defaults and overrides. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Third-party plugins the pipeline loaded (registered in the run's child registry only). */
  readonly extraPlugins: readonly AnyPluginManifest[];
  /** The registry the plan was checked against (root + third-party plugins). */
  readonly registry: PluginRegistry;
  /** Node ids in dependency order (ties in declaration order). */
  readonly order: readonly string[];
  readonly nodes: ReadonlyMap<string, PlannedNode>;
  readonly outputs: Readonly<Record<string, RefBinding>>;
}

export interface PrepareOptions {
  readonly registry: PluginRegistry;
  /** Param overrides; strings are converted by the param's declared type (as `--param k=v` gives them). */
  readonly params?: Readonly<Record<string, unknown>>;
}

const SEASONS = ['DJF', 'MAM', 'JJA', 'SON'];
const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
// Compiled on first use: importing core (e.g. in a worker thread) should not pay for ajv code generation.
let structuralValidator: ValidateFunction | undefined;
const structural = (doc: unknown): { ok: boolean; errors: ValidateFunction['errors'] } => {
  structuralValidator ??= createAjv().compile(basePipelineSchema() as object);
  const ok = structuralValidator(doc) as boolean;
  return { ok, errors: structuralValidator.errors };
};
let paramAjvInstance: Ajv | undefined;
const paramAjv = (): Ajv => (paramAjvInstance ??= createAjv());

/**
 * Load and check a pipeline: JSON, structure, third-party plugins, params, every plugin use (id,
 * version, params with defaults, inputs), references, partitions and cycles. Every problem is reported
 * at once in one usageError (`problems`: one line each, starting with its JSON path).
 *
 * @example
 * ```ts
 * const plan = await preparePipeline('pipelines/example.json', { registry: createRegistry(builtinPlugins), params: { seed: '7' } });
 * plan.order; // ['scene', 'down', 'check']
 * ```
 */
export async function preparePipeline(pathOrObject: string | object, options: PrepareOptions): Promise<PipelinePlan> {
  const source = loadPipeline(pathOrObject);
  const file = source.file ? relativeName(source.file) : undefined;
  const fail = (problems: string[]): never => {
    throw usageError(
      `invalid pipeline: ${problems.length} problem${problems.length === 1 ? '' : 's'}${problems.length ? '\n  ' + problems.join('\n  ') : ''}`,
      { file },
      problems,
    );
  };
  if (typeof source.doc !== 'object' || source.doc === null || Array.isArray(source.doc)) fail([`(top level): must be object, got ${formatValue(source.doc)}`]);
  const checked = structural(source.doc);
  if (!checked.ok) fail(formatAjvErrors(checked.errors ?? [], () => ''));
  const doc = source.doc;

  const extraPlugins = await loadThirdPartyPlugins(doc.plugins ?? [], source.file);
  const registry = extraPlugins.length ? options.registry.child(extraPlugins) : options.registry;
  const problems: string[] = [];

  const params = resolvePipelineParams(doc.params ?? {}, options.params ?? {}, problems);
  const declared = new Set(Object.keys(doc.params ?? {}));
  const nodes = substituteParams(doc.nodes, params, declared, 'nodes', problems) as Record<string, NodeSpec>;
  const outputsSpec = substituteParams(doc.outputs, params, declared, 'outputs', problems) as Record<string, NodeRef>;

  const ctx: CheckContext = { registry, nodes, problems, baseDir: source.dir };
  const planned = new Map<string, PlannedNode>();
  for (const [id, spec] of Object.entries(nodes)) {
    const node = checkNode(id, spec, ctx);
    if (node) planned.set(id, node);
  }
  const outputs: Record<string, RefBinding> = {};
  for (const [name, ref] of Object.entries(outputsSpec)) {
    const b = checkRef(ref, `outputs.${name}`, ctx);
    if (b) outputs[name] = b;
  }
  const order = dependencyOrder(Object.keys(nodes), planned, problems);
  if (problems.length) fail(problems);
  return { source, doc, params, extraPlugins, registry, order, nodes: planned, outputs };
}

function relativeName(file: string): string {
  const cwd = process.cwd() + '/';
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}

// ---------------------------------------------------------------------------------------------
// params

/** Convert a `--param` string by the param's declared type. */
export function typeParamValue(decl: ParamDeclaration, raw: string): unknown {
  switch (decl.type) {
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
    }
    case 'integer': {
      const n = Number(raw);
      return /^[+-]?\d+$/.test(raw.trim()) ? n : raw;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'object':
    case 'array':
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    case 'string':
      return raw;
    default:
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
  }
}

/** An object/array param given as text: its value, or the parse error with its position. */
function parseJsonParam(raw: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(raw) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function resolvePipelineParams(decls: Readonly<Record<string, ParamDeclaration>>, overrides: Readonly<Record<string, unknown>>, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in decls)) {
      problems.push(`params.${name}: unknown param (the pipeline declares: ${Object.keys(decls).join(', ') || 'none'})`);
    }
  }
  for (const [name, decl] of Object.entries(decls)) {
    const given = name in overrides;
    let value = given ? overrides[name] : decl.default;
    if (given && typeof value === 'string') {
      const json = decl.type === 'object' || decl.type === 'array' ? parseJsonParam(value) : undefined;
      if (json && 'error' in json) {
        problems.push(`params.${name} (given): invalid JSON (expected a JSON ${decl.type}): ${json.error}, got ${formatValue(value)}`);
        continue;
      }
      value = json ? json.value : typeParamValue(decl, value);
    }
    if (value === undefined) {
      problems.push(`params.${name}: no value (the param has no default; pass --param ${name}=…)`);
      continue;
    }
    const { default: _d, description: _desc, ...schema } = decl;
    const validate = paramAjv().compile(schema);
    if (!validate(value)) {
      const where = given ? `params.${name} (given)` : `params.${name}.default`;
      problems.push(...formatAjvErrors(validate.errors ?? [], () => where));
      continue;
    }
    out[name] = value;
  }
  return out;
}

function substituteParams(value: unknown, params: Readonly<Record<string, unknown>>, declared: ReadonlySet<string>, path: string, problems: string[]): unknown {
  if (isParamRef(value)) {
    if (!declared.has(value.$param)) {
      problems.push(`${path}: unknown param '${value.$param}' (the pipeline declares: ${[...declared].join(', ') || 'none'})`);
      return undefined;
    }
    // A declared param whose value was invalid is reported once, at params.<name>.
    if (!(value.$param in params)) return undefined;
    return structuredClone(params[value.$param]);
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteParams(v, params, declared, `${path}[${i}]`, problems));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = substituteParams(v, params, declared, `${path}.${k}`, problems);
      if (sub !== undefined) out[k] = sub;
    }
    return out;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// nodes

interface CheckContext {
  readonly registry: PluginRegistry;
  readonly nodes: Readonly<Record<string, NodeSpec>>;
  readonly problems: string[];
  readonly baseDir: string;
}

function checkNode(id: string, spec: NodeSpec, ctx: CheckContext): PlannedNode | undefined {
  const path = `nodes.${id}`;
  const forms = (['uses', 'partition', 'compare'] as const).filter((k) => k in spec);
  if (forms.length !== 1) {
    ctx.problems.push(`${path}: must have exactly one of "uses", "partition", "compare", got ${forms.length ? forms.join(' and ') : 'none'}`);
    return undefined;
  }
  const optional = spec.optional === true;
  if ('uses' in spec) {
    const s = spec as PluginNodeSpec;
    const use = checkUse(s, path, [{ with: s.with, path: `${path}.with` }], ctx);
    return use && { id, type: 'plugin', optional, deps: depsOf([use]), use };
  }
  if ('partition' in spec) return checkPartition(id, spec as PartitionNodeSpec, optional, ctx);
  const c = spec as CompareNodeSpec;
  const alternatives = new Map<string, PlannedUse>();
  for (const [name, alt] of Object.entries(c.compare)) {
    const altPath = `${path}.compare.${name}`;
    const use = checkUse(alt, altPath, [{ with: c.with, path: `${path}.with` }, { with: alt.with, path: `${altPath}.with` }], ctx);
    if (use) alternatives.set(name, use);
  }
  if (alternatives.size !== Object.keys(c.compare).length) return undefined;
  return { id, type: 'compare', optional, deps: depsOf([...alternatives.values()]), alternatives };
}

function depsOf(uses: readonly PlannedUse[], extra: readonly (RefBinding | undefined)[] = []): string[] {
  const deps = new Set<string>();
  for (const u of uses) {
    for (const b of Object.values(u.inputs)) {
      if (b.kind === 'one') deps.add(b.ref.node);
      else if (b.kind === 'list') b.refs.forEach((r) => deps.add(r.node));
      else Object.values(b.refs).forEach((r) => deps.add(r.node));
    }
  }
  for (const r of extra) if (r) deps.add(r.node);
  return [...deps];
}

/**
 * Check one plugin use: its id and version, split `with` (layers merged in order, later wins) into
 * inputs (port names) and params, check inputs are references and params against the plugin's schema.
 */
function checkUse(
  use: PluginUseSpec,
  path: string,
  layers: readonly { with: Readonly<Record<string, unknown>> | undefined; path: string }[],
  ctx: CheckContext,
): PlannedUse | undefined {
  let manifest: AnyPluginManifest;
  try {
    manifest = ctx.registry.get(use.uses, use.version);
  } catch (e) {
    ctx.problems.push(`${path}.${use.version !== undefined && ctx.registry.has(use.uses) ? 'version' : 'uses'}: ${stripDetails(e)}`);
    return undefined;
  }
  const kind = pluginKindOf(manifest.id)!;
  if (KINDS[kind].use !== 'node') {
    ctx.problems.push(`${path}.uses: a ${kind} is not a node on its own; nest it in a downscaler's params, e.g. "${kind}": {"uses": "${manifest.id}"}`);
    return undefined;
  }
  const ports = portsOf(manifest);
  const origin = new Map<string, string>();
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.with ?? {})) {
      merged[k] = v;
      origin.set(k, layer.path);
    }
  }
  const inputs: Record<string, InputBinding> = {};
  const params: Record<string, unknown> = {};
  let ok = true;
  for (const [k, v] of Object.entries(merged)) {
    const port = ports[k];
    if (!port) {
      params[k] = v;
      continue;
    }
    const p = `${origin.get(k)}.${k}`;
    const binding = checkInput(v, port.type, p, ctx);
    if (binding) inputs[k] = binding;
    else ok = false;
  }
  for (const [k, port] of Object.entries(ports)) {
    if (port.required && !(k in merged)) {
      ctx.problems.push(`${layers[layers.length - 1].path}.${k}: required input missing (${port.description}; a reference {"$node": …})`);
      ok = false;
    }
  }
  const checked = checkParams(manifest, params, (key) => (key !== undefined && origin.has(key) ? origin.get(key)! : layers[layers.length - 1].path));
  if (checked.problems.length) {
    ctx.problems.push(...checked.problems);
    ok = false;
  }
  const resolved = checked.value as Record<string, unknown>;
  for (const [k, s] of Object.entries((manifest.params as { properties?: Record<string, JsonSchema> }).properties ?? {})) {
    const nestedKind = s['x-plugin-kind'];
    if (typeof nestedKind === 'string' && resolved[k] !== undefined && checked.problems.length === 0) {
      if (!checkNestedSpec(resolved[k], nestedKind as PluginKind, `${origin.get(k) ?? layers[layers.length - 1].path}.${k}`, ctx)) ok = false;
    }
  }
  return ok ? { manifest, kind, params: resolved, inputs, path } : undefined;
}

function checkNestedSpec(value: unknown, kind: PluginKind, path: string, ctx: CheckContext): boolean {
  if (typeof value !== 'object' || value === null || typeof (value as PluginSpec).uses !== 'string') {
    ctx.problems.push(`${path}: must be a plugin spec {"uses": "${kind}:…", "with": {…}}, got ${formatValue(value)}`);
    return false;
  }
  const spec = value as PluginSpec;
  let manifest: AnyPluginManifest;
  try {
    manifest = ctx.registry.get(spec.uses, spec.version);
  } catch (e) {
    ctx.problems.push(`${path}.${spec.version !== undefined && ctx.registry.has(spec.uses) ? 'version' : 'uses'}: ${stripDetails(e)}`);
    return false;
  }
  if (pluginKindOf(manifest.id) !== kind) {
    ctx.problems.push(`${path}.uses: must be a ${kind} plugin, got '${manifest.id}'`);
    return false;
  }
  const checked = checkParams(manifest, spec.with ?? {}, () => `${path}.with`);
  ctx.problems.push(...checked.problems);
  return checked.problems.length === 0;
}

function stripDetails(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

function checkInput(v: unknown, type: string, path: string, ctx: CheckContext): InputBinding | undefined {
  if (type.endsWith('{}')) {
    if (isNodeOutputsRef(v)) {
      const { $node, outputs } = v;
      if (outputs.length === 0 || outputs.some((o) => typeof o !== 'string') || Object.keys(v).some((k) => k !== '$node' && k !== 'outputs')) {
        ctx.problems.push(`${path}: "outputs" must be a non-empty list of output names (and only "$node" beside it), got ${formatValue(v)}`);
        return undefined;
      }
      return checkInput(Object.fromEntries(outputs.map((o) => [o, { $node, output: o }])), type, path, ctx);
    }
    if (isNodeRef(v)) {
      ctx.problems.push(`${path}: must be a map of references keyed by name ({"ndvi": {"$node": …}}), got a single reference`);
      return undefined;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      ctx.problems.push(`${path}: must be a map of references keyed by name, got ${formatValue(v)}`);
      return undefined;
    }
    const refs: Record<string, RefBinding> = {};
    let ok = true;
    for (const [k, r] of Object.entries(v)) {
      const b = checkRef(r, `${path}.${k}`, ctx);
      if (b) refs[k] = b;
      else ok = false;
    }
    return ok ? { kind: 'map', refs } : undefined;
  }
  if (type.endsWith('[]') && Array.isArray(v)) {
    const refs = v.map((r, i) => checkRef(r, `${path}[${i}]`, ctx));
    return refs.every(Boolean) ? { kind: 'list', refs: refs as RefBinding[] } : undefined;
  }
  const ref = checkRef(v, path, ctx);
  return ref && (type.endsWith('[]') ? { kind: 'list', refs: [ref] } : { kind: 'one', ref });
}

function checkRef(v: unknown, path: string, ctx: CheckContext): RefBinding | undefined {
  if (!isNodeRef(v)) {
    ctx.problems.push(`${path}: must be a node reference {"$node": "<id>", "output": "<name>"}, got ${formatValue(v)}`);
    return undefined;
  }
  const target = ctx.nodes[v.$node];
  if (!target) {
    ctx.problems.push(`${path}.$node: unknown node '${v.$node}' (nodes: ${Object.keys(ctx.nodes).join(', ')})`);
    return undefined;
  }
  if (v.output !== undefined && typeof v.output !== 'string') {
    ctx.problems.push(`${path}.output: must be string, got ${formatValue(v.output)}`);
    return undefined;
  }
  if (v.alternative !== undefined) {
    if ('compare' in target && !(v.alternative in (target as CompareNodeSpec).compare)) {
      ctx.problems.push(`${path}.alternative: node '${v.$node}' has no alternative '${v.alternative}' (alternatives: ${Object.keys((target as CompareNodeSpec).compare).join(', ')})`);
      return undefined;
    }
  }
  if (v.output !== undefined) {
    const problem = unknownOutput(target, v.$node, v.output, ctx.registry);
    if (problem) {
      ctx.problems.push(`${path}.output: ${problem}`);
      return undefined;
    }
  }
  return { node: v.$node, output: v.output, alternative: v.alternative, path };
}

/**
 * Why `output` is not an output of node `id` (a plugin, compare or partition node; undefined when it is,
 * or when its outputs are only named at run time: a source's asset keys, a fuser's bands).
 */
function unknownOutput(target: NodeSpec, id: string, output: string, registry: PluginRegistry): string | undefined {
  const uses = 'uses' in target ? [(target as PluginNodeSpec).uses]
    : 'compare' in target ? Object.values((target as CompareNodeSpec).compare).map((a) => a.uses)
    : Object.values((target as PartitionNodeSpec).partition?.parts ?? {}).map((p) => p.uses);
  if (uses.length === 0 || !uses.every((u) => typeof u === 'string' && registry.has(u))) return undefined;
  const known = new Set<string>();
  for (const u of uses) {
    const outputs = outputsOf(registry.get(u));
    if (outputs.open) return undefined;
    Object.keys(outputs.ports).forEach((o) => known.add(o));
  }
  if (known.has(output)) return undefined;
  const close = closeMatches(output, [...known], 1);
  const plugins = [...new Set(uses)].join(', ');
  return `node '${id}' (${plugins}) has no output '${output}'${close.length ? `; did you mean '${close[0]}'?` : ''} (outputs: ${[...known].join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// partitions

function checkPartition(id: string, spec: PartitionNodeSpec, optional: boolean, ctx: CheckContext): PlannedNode | undefined {
  const path = `nodes.${id}.partition`;
  const p = spec.partition;
  const before = ctx.problems.length;
  const parts: PlannedPart[] = [];
  for (const [name, part] of Object.entries(p.parts)) {
    const partPath = `${path}.parts.${name}`;
    if (p.by === 'season' && name !== '*' && !SEASONS.includes(name)) {
      ctx.problems.push(`${partPath}: unknown season '${name}' (expected one of: ${SEASONS.join(', ')}, *)`);
    }
    if (p.by === 'month' && name !== '*' && !MONTHS.includes(name)) {
      ctx.problems.push(`${partPath}: unknown month '${name}' (expected "01"…"12" or "*")`);
    }
    if (p.by !== 'dates' && (part.from !== undefined || part.to !== undefined)) {
      ctx.problems.push(`${partPath}: "from"/"to" only apply to partitions by "dates"`);
    }
    if (p.by !== 'region' && part.classes !== undefined) {
      ctx.problems.push(`${partPath}.classes: "classes" only apply to partitions by "region"`);
    }
    if (name !== '*' && p.by === 'dates') checkDateRange(part.from, part.to, partPath, ctx.problems);
    if (name !== '*' && p.by === 'region' && part.classes === undefined) {
      ctx.problems.push(`${partPath}.classes: required, missing (the class ids or property values of this part's region)`);
    }
    const use = checkUse(part, partPath, [{ with: spec.with, path: `nodes.${id}.with` }, { with: part.with, path: `${partPath}.with` }], ctx);
    if (use) parts.push({ ...use, name, from: part.from, to: part.to, classes: part.classes });
  }
  if (p.by === 'dates') checkDateOverlaps(p.parts, path, ctx.problems);
  let regions: RefBinding | undefined;
  let geojson: string | undefined;
  if (p.by === 'region') {
    if ((p.regions === undefined) === (p.geojson === undefined)) {
      ctx.problems.push(`${path}: a partition by region needs exactly one of "regions" (a reference) or "geojson" (a file)`);
    }
    if (p.regions !== undefined) regions = checkRef(p.regions, `${path}.regions`, ctx);
    if (p.geojson !== undefined) {
      geojson = resolve(ctx.baseDir, p.geojson);
      if (!existsSync(geojson)) ctx.problems.push(`${path}.geojson: file not found (expected a GeoJSON file relative to the pipeline, found nothing at ${geojson})`);
    }
    const owner = new Map<string, string>();
    for (const [name, part] of Object.entries(p.parts)) {
      for (const c of part.classes ?? []) {
        const key = String(c);
        if (owner.has(key)) ctx.problems.push(`${path}.parts.${name}.classes: class ${formatValue(c)} is already in part '${owner.get(key)}'`);
        else owner.set(key, name);
      }
    }
  } else if (p.regions !== undefined || p.geojson !== undefined || p.property !== undefined || p.conserve !== undefined || p.levels !== undefined) {
    ctx.problems.push(`${path}: "regions", "geojson", "property", "conserve" and "levels" only apply to partitions by "region"`);
  }
  if (p.levels !== undefined && p.conserve === undefined) ctx.problems.push(`${path}.levels: needs "conserve" (the coarse field whose cells the levels are taken over)`);
  const conserve = p.by === 'region' && p.conserve !== undefined ? checkRef(p.conserve, `${path}.conserve`, ctx) : undefined;
  const levels = p.by === 'region' && p.levels !== undefined ? checkRef(p.levels, `${path}.levels`, ctx) : undefined;
  if (ctx.problems.length > before) return undefined;
  return { id, type: 'partition', optional, deps: depsOf(parts, [regions, conserve, levels]), by: p.by, parts, regions, conserve, levels, geojson, property: p.property };
}

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_DAY = /^\d{2}-\d{2}$/;

function checkDateRange(from: string | undefined, to: string | undefined, path: string, problems: string[]): void {
  if (from === undefined || to === undefined) {
    problems.push(`${path}: a part of a partition by "dates" needs "from" and "to" (YYYY-MM-DD or MM-DD, inclusive)`);
    return;
  }
  for (const [k, v] of [['from', from], ['to', to]] as const) {
    const md = FULL_DATE.test(v) ? v.slice(5) : v;
    const [m, d] = md.split('-').map(Number);
    if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31) || (FULL_DATE.test(v) && Number.isNaN(Date.parse(v + 'T00:00:00Z')))) {
      problems.push(`${path}.${k}: must be a valid date YYYY-MM-DD or MM-DD, got ${formatValue(v)}`);
      return;
    }
  }
  if (FULL_DATE.test(from) !== FULL_DATE.test(to)) {
    problems.push(`${path}: "from" and "to" must both be YYYY-MM-DD or both MM-DD, got ${formatValue(from)} and ${formatValue(to)}`);
  } else if (FULL_DATE.test(from) && from > to) {
    problems.push(`${path}: "from" ${from} is after "to" ${to}`);
  }
}

/** Overlaps between date parts of the same form (full ranges with full ranges, recurring with recurring). */
function checkDateOverlaps(parts: Readonly<Record<string, { from?: string; to?: string }>>, path: string, problems: string[]): void {
  const named = Object.entries(parts).filter(([n, p]) => n !== '*' && p.from && p.to && (FULL_DATE.test(p.from) || MONTH_DAY.test(p.from)));
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const [a, pa] = named[i];
      const [b, pb] = named[j];
      const fullA = FULL_DATE.test(pa.from!);
      if (fullA !== FULL_DATE.test(pb.from!)) continue;
      const overlap = fullA
        ? pa.from! <= pb.to! && pb.from! <= pa.to!
        : recurringDays(pa.from!, pa.to!).some((d) => inRecurring(d, pb.from!, pb.to!));
      if (overlap) problems.push(`${path}.parts.${b}: dates overlap part '${a}' (${pa.from}…${pa.to} and ${pb.from}…${pb.to}); each date must belong to one part`);
    }
  }
}

function recurringDays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 86_400_000) {
    const md = new Date(t).toISOString().slice(5, 10);
    if (inRecurring(md, from, to)) out.push(md);
  }
  return out;
}

/** `md` (MM-DD) within the recurring range from…to, which may wrap the new year (11-01…02-28). */
export function inRecurring(md: string, from: string, to: string): boolean {
  return from <= to ? md >= from && md <= to : md >= from || md <= to;
}

// ---------------------------------------------------------------------------------------------
// order

/** Topological order (Kahn), ties broken by declaration order; cycles are reported with their path. */
function dependencyOrder(declared: readonly string[], nodes: ReadonlyMap<string, PlannedNode>, problems: string[]): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(id)), id];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        problems.push(`nodes.${id}: dependency cycle ${cycle.join(' → ')}`);
      }
      return;
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of nodes.get(id)?.deps ?? []) visit(d);
    stack.pop();
    state.set(id, 'done');
  };
  declared.forEach(visit);
  if (problems.length) return [];
  const remaining = new Set(declared.filter((id) => nodes.has(id)));
  const order: string[] = [];
  while (remaining.size) {
    const next = [...remaining].find((id) => (nodes.get(id)?.deps ?? []).every((d) => !remaining.has(d)));
    if (next === undefined) break;
    order.push(next);
    remaining.delete(next);
  }
  return order;
}

export { joinPath };
