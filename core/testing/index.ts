/**
 * soilscale's plugin test kit (the package entry `soilscale/testing`): checks a plugin author runs in
 * their own tests to show a plugin behaves like a built-in. Every built-in passes them in CI.
 */
import { isSoilscaleError } from '../errors.js';
import type { AnyPluginManifest } from '../plugin/manifest.js';
import { checkParams } from '../plugin/params.js';
import { createRegistry } from '../plugin/registry.js';

/**
 * How `manifest` falls short of the plugin contract, one line each (empty when it conforms): it must
 * register (shape, semver version, its kind's inputs and outputs), its params schema must be a closed
 * object schema (a misspelt param is an error, not ignored), and its defaults must pass the schema.
 *
 * @example
 * ```ts
 * assert.deepEqual(manifestProblems(rfPlugin), []);
 * manifestProblems({ ...rfPlugin, version: 'one' }); // ["plugin 'regressor:rf' has an invalid version (…)"]
 * ```
 */
export function manifestProblems(manifest: AnyPluginManifest): string[] {
  try {
    createRegistry([manifest]);
  } catch (e) {
    if (!isSoilscaleError(e)) throw e;
    return [e.message.split('\n')[0], ...e.problems];
  }
  const problems: string[] = [];
  const schema = manifest.params as { type?: unknown; additionalProperties?: unknown };
  if (schema.type !== 'object') problems.push(`params.type: must be "object", got ${JSON.stringify(schema.type)}`);
  if (schema.additionalProperties !== false) problems.push('params.additionalProperties: must be false, so a misspelt param is an error');
  const defaults = checkParams(manifest, {}, () => `${manifest.id} defaults`);
  problems.push(...defaults.problems.filter((p) => !p.endsWith(': required, missing')));
  return problems;
}

export { conformanceProblems, type ConformanceFixture } from './conformance.js';
