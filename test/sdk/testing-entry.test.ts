import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { AnyPluginManifest } from '../../core/index.js';
import { manifestProblems } from '../../core/testing/index.js';
import { builtinPlugins, rfPlugin } from '../../plugins/index.js';

describe('soilscale/testing: manifest conformance', () => {
  for (const m of builtinPlugins) {
    it(`${m.id} conforms`, () => assert.deepEqual(manifestProblems(m), []));
  }

  it('names what a broken manifest gets wrong', () => {
    const broken = { ...rfPlugin, version: 'one' } as AnyPluginManifest;
    assert.deepEqual(manifestProblems(broken), ["built-in plugins: version: plugin 'regressor:rf' has an invalid version (expected a semver version such as 1.0.0, found 'one')"]);
    const open = { ...rfPlugin, params: { type: 'object', properties: { trees: { type: 'integer', minimum: 1, default: 0 } } } } as AnyPluginManifest;
    assert.deepEqual(manifestProblems(open), [
      'params.additionalProperties: must be false, so a misspelt param is an error',
      'regressor:rf defaults.trees: must be integer >= 1, got 0',
    ]);
  });
});
