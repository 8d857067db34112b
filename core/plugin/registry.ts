import { Container } from 'inversify';
import semver from 'semver';
import { usageError } from '../errors.js';
import type { Cache } from '../services/cache.js';
import type { Logger } from '../services/logger.js';
import type { ProgressReporter } from '../services/progress.js';
import type { WorkerPool } from '../services/worker-pool.js';
import type { PortSpec } from './artifact.js';
import { KINDS, kindContractProblems, outputsOf, portsOf } from './kind-record.js';
import type { KindInterfaces, PluginKind } from './kinds.js';
import { pluginKindOf, type AnyPluginManifest, type JsonSchema, type PluginContext, type PluginSpec } from './manifest.js';
import { resolveParams } from './params.js';

/** Tokens of the core services bound in a run's child container. */
export const SERVICE_TOKENS = {
  logger: Symbol.for('soilscale.logger'),
  progress: Symbol.for('soilscale.progress'),
  workers: Symbol.for('soilscale.workers'),
  cache: Symbol.for('soilscale.cache'),
} as const;

/** The core services a run shares with every node. */
export interface RunServices {
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  readonly workers: WorkerPool;
  readonly cache: Cache;
}

/** What `soilscale plugins describe` prints: the manifest without `create`, plus its ports from the kind record. */
export interface PluginDescription {
  readonly id: string;
  readonly kind: PluginKind;
  /** `node`, or `nested` in another plugin's params (regressors). */
  readonly use: 'node' | 'nested';
  readonly version: string;
  readonly title: string;
  readonly description: string;
  readonly params: JsonSchema;
  readonly inputs: Readonly<Record<string, PortSpec>>;
  readonly outputs: Readonly<Record<string, PortSpec>>;
  /** Outputs named only at run time, when the kind has them (a source's asset keys). */
  readonly moreOutputs?: string;
}

/**
 * The plugins a run can use, one inversify binding per plugin id.
 *
 * @example
 * ```ts
 * const registry = createRegistry(builtinPlugins);
 * registry.get('downscaler:bilinear', '^1').title; // 'Bilinear resampling (baseline)'
 * const services = { logger: createMemoryLogger(), progress: silentProgress, workers: createWorkerPool(1), cache: createMemoryCache() };
 * const run = registry.child([], services); // a pipeline's third-party plugins + core services for one run
 * assert.equal(run.services()?.logger, services.logger);
 * ```
 */
export interface PluginRegistry {
  /** Every plugin, sorted by id. */
  list(): readonly AnyPluginManifest[];
  has(id: string): boolean;
  /** The plugin `id`, checked against the semver `versionRange` when given. Unknown id or version → usageError. */
  get(id: string, versionRange?: string): AnyPluginManifest;
  describe(id: string): PluginDescription;
  /** A run-scoped registry: extra (third-party) plugins and the run's core services in a child container. */
  child(extra?: readonly AnyPluginManifest[], services?: RunServices): PluginRegistry;
  /** The run's core services (bound by `child`); undefined on a root registry. */
  services(): RunServices | undefined;
  readonly container: Container;
}

const PLUGIN_TOKEN_PREFIX = 'soilscale.plugin:';
const pluginToken = (id: string): symbol => Symbol.for(PLUGIN_TOKEN_PREFIX + id);

/** A root registry holding `manifests` (usually `builtinPlugins`). Duplicate ids → usageError. */
export function createRegistry(manifests: readonly AnyPluginManifest[]): PluginRegistry {
  const container = new Container();
  return makeRegistry(container, bindAll(container, manifests, new Map(), 'built-in plugins'), undefined);
}

function bindAll(
  container: Container,
  manifests: readonly AnyPluginManifest[],
  inherited: ReadonlyMap<string, AnyPluginManifest>,
  origin: string,
): Map<string, AnyPluginManifest> {
  const own = new Map<string, AnyPluginManifest>();
  for (const m of manifests) {
    checkManifest(m, origin);
    if (own.has(m.id) || inherited.has(m.id)) {
      throw usageError(`plugin '${m.id}' is registered twice`, { file: origin, expected: 'one plugin per id', found: `a second '${m.id}'` });
    }
    own.set(m.id, m);
    container.bind<AnyPluginManifest>(pluginToken(m.id)).toConstantValue(m);
  }
  return new Map([...inherited, ...own]);
}

function makeRegistry(container: Container, ids: ReadonlyMap<string, AnyPluginManifest>, services: RunServices | undefined): PluginRegistry {
  const sorted = [...ids.keys()].sort();
  const registry: PluginRegistry = {
    container,
    list: () => sorted.map((id) => container.get<AnyPluginManifest>(pluginToken(id))),
    has: (id) => ids.has(id),
    get(id, versionRange) {
      if (!ids.has(id)) {
        const close = closeMatches(id, sorted);
        throw usageError(`unknown plugin '${id}'${close.length ? `; did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : ''}`, {
          expected: 'a registered plugin id (see `soilscale plugins list`)',
          found: `'${id}'`,
        });
      }
      const m = container.get<AnyPluginManifest>(pluginToken(id));
      if (versionRange !== undefined) {
        if (semver.validRange(versionRange) === null) {
          throw usageError(`invalid version range '${versionRange}' for plugin '${id}'`, { expected: 'a semver range such as ^1 or >=1.2', found: `'${versionRange}'` });
        }
        if (!semver.satisfies(m.version, versionRange)) {
          throw usageError(`plugin '${id}' version ${m.version} does not satisfy '${versionRange}'`, { expected: versionRange, found: m.version });
        }
      }
      return m;
    },
    describe(id) {
      const m = registry.get(id);
      const kind = pluginKindOf(m.id)!;
      const more = KINDS[kind].outputs.open;
      return {
        id: m.id,
        kind,
        use: KINDS[kind].use,
        version: m.version,
        title: m.title,
        description: m.description,
        params: m.params,
        inputs: portsOf(m),
        outputs: outputsOf(m).ports,
        ...(more ? { moreOutputs: more } : {}),
      };
    },
    child(extra = [], childServices) {
      const c = new Container({ parent: container });
      const all = bindAll(c, extra, ids, 'pipeline plugins');
      if (childServices) {
        c.bind(SERVICE_TOKENS.logger).toConstantValue(childServices.logger);
        c.bind(SERVICE_TOKENS.progress).toConstantValue(childServices.progress);
        c.bind(SERVICE_TOKENS.workers).toConstantValue(childServices.workers);
        c.bind(SERVICE_TOKENS.cache).toConstantValue(childServices.cache);
      }
      return makeRegistry(c, all, childServices ?? services);
    },
    services() {
      if (!container.isBound(SERVICE_TOKENS.logger)) return services;
      return {
        logger: container.get<Logger>(SERVICE_TOKENS.logger),
        progress: container.get<ProgressReporter>(SERVICE_TOKENS.progress),
        workers: container.get<WorkerPool>(SERVICE_TOKENS.workers),
        cache: container.get<Cache>(SERVICE_TOKENS.cache),
      };
    },
  };
  return registry;
}

/**
 * Create the plugin a nested spec names (`downscaler:regression`'s `regressor`): looked up in
 * `registry` (within its version range), checked to be of `kind`, params resolved; `contextFor` gives
 * the context it is created with. What `context.instantiate` does in a run and in `createHostContext`.
 */
export async function instantiateSpec<K extends PluginKind>(
  registry: PluginRegistry,
  spec: PluginSpec,
  kind: K,
  contextFor: (manifest: AnyPluginManifest) => PluginContext,
  where = `${spec.uses}.with`,
): Promise<KindInterfaces[K]> {
  const m = registry.get(spec.uses, spec.version);
  if (pluginKindOf(m.id) !== kind) {
    throw usageError(`nested plugin '${spec.uses}' is not a ${kind}`, { path: where, expected: `a ${kind} plugin`, found: m.id });
  }
  const params = resolveParams(m, spec.with ?? {}, where);
  return (await m.create(params, contextFor(m))) as KindInterfaces[K];
}

/** True when `v` has the shape of a plugin manifest (used to check third-party modules). */
export function isPluginManifest(v: unknown): v is AnyPluginManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.id === 'string' &&
    pluginKindOf(m.id) !== undefined &&
    typeof m.version === 'string' &&
    typeof m.title === 'string' &&
    typeof m.params === 'object' &&
    m.params !== null &&
    typeof m.create === 'function'
  );
}

function checkManifest(m: AnyPluginManifest, origin: string): void {
  if (!isPluginManifest(m)) {
    const id = typeof (m as { id?: unknown })?.id === 'string' ? (m as { id: string }).id : String(m);
    throw usageError(`'${id}' is not a plugin manifest`, {
      file: origin,
      expected: '{ id: "<kind>:<name>", version, title, description, params, create }',
      found: describeValue(m),
    });
  }
  if (semver.valid(m.version) === null) {
    throw usageError(`plugin '${m.id}' has an invalid version`, { file: origin, path: 'version', expected: 'a semver version such as 1.0.0', found: `'${m.version}'` });
  }
  const problems = kindContractProblems(m);
  if (problems.length) throw usageError(`plugin '${m.id}' breaks the ${pluginKindOf(m.id)} contract: ${problems.join('; ')}`, { file: origin }, problems);
}

function describeValue(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? String(v);
  return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
}

/** Registered ids close to `id` (same name in another kind, prefix match, or small edit distance). */
export function closeMatches(id: string, candidates: readonly string[], max = 3): string[] {
  const name = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  const scored = candidates.map((c) => {
    const cName = c.slice(c.indexOf(':') + 1);
    let score = editDistance(id, c);
    if (cName === name) score = Math.min(score, 1);
    if (c.startsWith(id) || id.startsWith(c)) score = Math.min(score, 2);
    return { c, score };
  });
  const limit = Math.max(2, Math.floor(id.length / 3));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((s) => s.c);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
