import semver from 'semver';
import { inputError } from '../errors.js';
import type { SavedModel } from './artifact.js';

/** The plugin a model belongs to: its manifest's `id` and `version` are enough. */
export interface PluginIdentity {
  readonly id: string;
  readonly version: string;
}

/** What a plugin saves; `params` is any params object (copied into the envelope). */
export type SavedModelContent = Pick<SavedModel, 'data'> & Partial<Pick<SavedModel, 'featureNames' | 'binary'>> & { readonly params: object };

/**
 * The versioned envelope every plugin saves its fitted state in.
 *
 * @example
 * ```ts
 * const saved = createSavedModel({ id: 'regressor:mean', version: '1.2.0' }, {
 *   params: { shrink: 0.5 },
 *   featureNames: ['ndvi', 'lst'],
 *   data: { mean: 0.25 },
 *   binary: { weights: Float32Array.of(0.1, -0.002) }, // written beside the JSON as raw little-endian bytes
 * });
 * assert.equal(saved.pluginVersion, '1.2.0');
 * ```
 */
export function createSavedModel(plugin: PluginIdentity, content: SavedModelContent): SavedModel {
  return {
    kind: 'model',
    format: 'soilscale-model',
    formatVersion: 1,
    pluginId: plugin.id,
    pluginVersion: plugin.version,
    params: { ...content.params } as Record<string, unknown>,
    ...(content.featureNames ? { featureNames: [...content.featureNames] } : {}),
    data: content.data,
    ...(content.binary ? { binary: content.binary } : {}),
  };
}

/**
 * Check that `saved` is a soilscale model written by `plugin` with a version it can read (same major
 * version, not newer), and return it typed. Errors name `file`, the field, expected and found.
 *
 * @example
 * ```ts
 * const saved = createSavedModel({ id: 'regressor:mean', version: '1.2.0' }, { params: {}, data: { mean: 0.25 } });
 * const model = checkSavedModel(saved, { id: 'regressor:mean', version: '1.3.0' }, 'mean.model.json'); // same major, not newer
 * assert.deepEqual(model.data, { mean: 0.25 });
 * assert.throws(() => checkSavedModel(saved, { id: 'regressor:mean', version: '2.0.0' }), /cannot be read by version 2\.0\.0/);
 * ```
 */
export function checkSavedModel(saved: unknown, plugin: PluginIdentity, file = 'saved model'): SavedModel {
  const m = saved as Partial<SavedModel> | null | undefined;
  if (m?.kind !== 'model' || m.format !== 'soilscale-model') {
    throw inputError('not a soilscale model', { file, path: 'format', expected: '"soilscale-model"', found: JSON.stringify(m?.format ?? m?.kind ?? typeof saved) });
  }
  if (m.formatVersion !== 1) {
    throw inputError('unsupported model envelope version', { file, path: 'formatVersion', expected: '1', found: String(m.formatVersion) });
  }
  if (m.pluginId !== plugin.id) {
    throw inputError('model was saved by another plugin', { file, path: 'pluginId', expected: plugin.id, found: String(m.pluginId) });
  }
  const saver = semver.valid(m.pluginVersion ?? '');
  const reader = semver.valid(plugin.version);
  if (saver && reader && (semver.major(saver) !== semver.major(reader) || semver.gt(saver, reader))) {
    throw inputError(`model saved by ${plugin.id} ${saver} cannot be read by version ${reader}`, { file, path: 'pluginVersion', expected: `${semver.major(reader)}.x up to ${reader}`, found: saver });
  }
  return m as SavedModel;
}
