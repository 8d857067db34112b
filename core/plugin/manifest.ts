import type { TileService } from '../tiles/types.js';
import type { Cache } from '../services/cache.js';
import type { Logger } from '../services/logger.js';
import type { ProgressReporter } from '../services/progress.js';
import type { WorkerPool } from '../services/worker-pool.js';
import type { PortSpec } from './artifact.js';
import type { KindInterfaces, PluginKind } from './kinds.js';

/** A JSON Schema object (draft 2020-12 subset that ajv accepts), with `default`s for every optional param. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A plugin named with its parameters, as it appears nested in another plugin's params. */
export interface PluginSpec {
  readonly uses: string;
  readonly version?: string;
  readonly with?: Readonly<Record<string, unknown>>;
}

/**
 * What core gives a plugin: services and the run's seed. Plugins get it in `create` and keep it.
 */
export interface PluginContext {
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  readonly workers: WorkerPool;
  readonly cache: Cache;
  /** The run seed mixed with the node id; plugins prefer their own `seed` param when set. */
  readonly seed: number;
  /** A scratch folder inside the run's temp area, removed at the end of the run. */
  readonly tempDir: string;
  /** Instantiate a nested plugin (e.g. the regressor inside `downscaler:regression`). */
  instantiate<K extends PluginKind>(spec: PluginSpec, expectedKind: K): Promise<KindInterfaces[K]>;
  /**
   * Report a decision taken on the user's behalf (a fallback, a resampled input, dropped records): a
   * run warning (core/pipeline/warnings.ts), listed in the manifest and fatal under `--strict`.
   * `code` is a stable kebab-case id, e.g. `predictor-resampled`.
   */
  warn(code: string, message: string): void;
  readonly signal?: AbortSignal;
  /** Run per-pixel stages tile by tile on the run's executor (core/tiles/types.ts). */
  readonly tiles: TileService;
}

/**
 * A plugin: a plain object. Heavy code is loaded lazily inside `create`.
 *
 * @example
 * ```ts
 * export const bilinear = {
 *   id: 'downscaler:my-bilinear',
 *   version: '1.0.0',
 *   title: 'Bilinear resampling',
 *   description: 'No-skill baseline: the coarse field resampled bilinearly to the fine grid.',
 *   params: { type: 'object', properties: {}, additionalProperties: false },
 *   async create(): Promise<Downscaler> {
 *     const { downscaleTarget, resampleSeries } = await import('soilscale'); // your plugin's heavy module goes here
 *     return { downscale: async (input) => ({ product: resampleSeries(input.coarse, downscaleTarget(input, 'downscaler:my-bilinear'), 'bilinear') }) };
 *   },
 * } as const satisfies PluginManifest<'downscaler'>;
 * const { product } = await (await bilinear.create()).downscale(input);
 * ```
 */
export interface PluginManifest<K extends PluginKind = PluginKind, P = any> {
  /** `kind:name`, e.g. `regressor:rf`. */
  readonly id: `${K}:${string}`;
  /** Semver of the plugin; pipelines may pin a range with `version`. */
  readonly version: string;
  readonly title: string;
  readonly description: string;
  /**
   * JSON Schema of the params, with defaults: the one statement of the params (types derive from it,
   * `resolveParams` fills its defaults and validates against it before anything runs).
   */
  readonly params: JsonSchema;
  /**
   * Inputs taken from other nodes (artifacts), for kinds whose record (`KINDS`) has them declared by
   * the manifest (`transform`, `validator` — from its vocabulary —, `sink`); other kinds' inputs are
   * fixed by core and a manifest must not declare them.
   */
  readonly inputs?: Readonly<Record<string, PortSpec>>;
  /** Outputs the node produces, for kinds whose record has them declared (`transform`, `validator`). */
  readonly outputs?: Readonly<Record<string, PortSpec>>;
  create(params: P, context: PluginContext): KindInterfaces[K] | Promise<KindInterfaces[K]>;
}

export type AnyPluginManifest = PluginManifest<PluginKind, any>;

export function pluginKindOf(id: string): PluginKind | undefined {
  const kind = id.split(':', 1)[0];
  return (PLUGIN_KINDS as readonly string[]).includes(kind) ? (kind as PluginKind) : undefined;
}

export const PLUGIN_KINDS = ['source', 'transform', 'regressor', 'model', 'downscaler', 'inverter', 'fuser', 'validator', 'sink'] as const;
