import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkSavedModel, createSavedModel, isSoilscaleError } from '../../../core/index.js';

const plugin = { id: 'regressor:toy', version: '1.4.0' };

describe('saved models', () => {
  const saved = createSavedModel(plugin, { params: { k: 3 }, featureNames: ['ndvi'], data: { layout: 1 }, binary: { w: Float32Array.of(1, 2) } });

  it('wraps a plugin state in the versioned envelope', () => {
    assert.equal(saved.kind, 'model');
    assert.equal(saved.format, 'soilscale-model');
    assert.equal(saved.formatVersion, 1);
    assert.equal(saved.pluginId, 'regressor:toy');
    assert.equal(saved.pluginVersion, '1.4.0');
    assert.deepEqual(saved.params, { k: 3 });
    assert.deepEqual(saved.featureNames, ['ndvi']);
    assert.deepEqual([...saved.binary!.w], [1, 2]);
    assert.equal(checkSavedModel(saved, plugin), saved);
  });

  it('reads models from older minor versions of the same major version', () => {
    assert.doesNotThrow(() => checkSavedModel({ ...saved, pluginVersion: '1.0.2' }, plugin));
  });

  const rejects: Array<[string, unknown, RegExp]> = [
    ['not a model', { kind: 'series' }, /not a soilscale model.*expected "soilscale-model"/],
    ['another envelope version', { ...saved, formatVersion: 2 }, /formatVersion.*expected 1, found 2/],
    ['another plugin', { ...saved, pluginId: 'regressor:rf' }, /another plugin.*expected regressor:toy, found regressor:rf/],
    ['a newer version', { ...saved, pluginVersion: '1.5.0' }, /cannot be read by version 1\.4\.0/],
    ['another major version', { ...saved, pluginVersion: '0.9.0' }, /pluginVersion.*found 0\.9\.0/],
  ];
  for (const [what, value, message] of rejects) {
    it(`rejects ${what} with a message naming the file and field`, () => {
      assert.throws(
        () => checkSavedModel(value, plugin, 'toy.model.json'),
        (e: unknown) => isSoilscaleError(e) && e.kind === 'input' && /^toy\.model\.json: /.test(e.message) && message.test(e.message),
      );
    });
  }
});
