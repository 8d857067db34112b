import type { KindInterfaces, PluginKind } from './kinds.js';
import type { PluginContext, PluginManifest } from './manifest.js';
import { resolveParams } from './params.js';

/** Tokens under which a tsyringe plugin's constructor can `@inject(...)` core services. */
export const TSYRINGE_TOKENS = {
  logger: 'soilscale:logger',
  progress: 'soilscale:progress',
  workers: 'soilscale:workers',
  cache: 'soilscale:cache',
  params: 'soilscale:params',
  context: 'soilscale:context',
} as const;

/**
 * The part of a tsyringe `DependencyContainer` the adapter uses. Duck-typed so core does not depend
 * on tsyringe: pass `container` from `import { container } from 'tsyringe'`.
 */
export interface TsyringeContainerLike {
  createChildContainer(): TsyringeContainerLike;
  register(token: string | symbol, provider: { useValue: unknown } | { useFactory: (c: unknown) => unknown }): unknown;
  resolve<T>(token: unknown): T;
}

/** A manifest's metadata (everything but `create`), plus the container and the class to resolve. */
export interface TsyringePluginOptions<K extends PluginKind> extends Omit<PluginManifest<K>, 'create'> {
  readonly container: TsyringeContainerLike;
  /** An `@injectable()` class implementing the kind's interface. */
  readonly implementation: new (...args: any[]) => KindInterfaces[K];
}

/**
 * Bridge a plugin written with tsyringe into a plain soilscale manifest. Each `create` makes a child
 * of `container`, registers the core services (`TSYRINGE_TOKENS`) as factories and resolves
 * `implementation` from it.
 *
 * @example
 * ```ts
 * import 'reflect-metadata';
 * import { container, inject, injectable } from 'tsyringe';
 * @injectable()
 * class Scale implements Transform {
 *   constructor(@inject(TSYRINGE_TOKENS.params) private readonly p: { factor: number }) {}
 *   async apply(inputs: Readonly<Record<string, Artifact | undefined>>) {
 *     const s = inputs.series as Series;
 *     return { scaled: { ...s, values: s.values.map((v) => v.map((x) => x * this.p.factor)) } };
 *   }
 * }
 * const scale = fromTsyringe({ container, id: 'transform:scale', version: '1.0.0', title: 'Scale', description: 'Multiplies a series.',
 *   params: { type: 'object', properties: { factor: { type: 'number', default: 2 } }, additionalProperties: false },
 *   inputs: { series: { type: 'series', required: true, description: 'the series to scale' } },
 *   implementation: Scale });
 * const { scaled } = await (await scale.create({}, context)).apply({ series: smCoarse }); // factor 2 from the schema
 * ```
 */
export function fromTsyringe<K extends PluginKind>(options: TsyringePluginOptions<K>): PluginManifest<K> {
  const { container, implementation, ...meta } = options;
  return {
    ...meta,
    create(params: unknown, context: PluginContext): KindInterfaces[K] {
      const child = container.createChildContainer();
      child.register(TSYRINGE_TOKENS.logger, { useFactory: () => context.logger });
      child.register(TSYRINGE_TOKENS.progress, { useFactory: () => context.progress });
      child.register(TSYRINGE_TOKENS.workers, { useFactory: () => context.workers });
      child.register(TSYRINGE_TOKENS.cache, { useFactory: () => context.cache });
      const resolved = resolveParams(meta, params);
      child.register(TSYRINGE_TOKENS.params, { useFactory: () => resolved });
      child.register(TSYRINGE_TOKENS.context, { useFactory: () => context });
      return child.resolve<KindInterfaces[K]>(implementation);
    },
  };
}
