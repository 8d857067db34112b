import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateWithDefaults } from '../../../core/pipeline/ajv-messages.js';
import { CCI_DEFAULT_MASK, SMAP_L3_DEFAULT_MASK } from '../../../core/index.js';
import { stacSource } from '../../../plugins/source-stac/index.js';

test('source:stac products param: the default quality rules are filled in (so the run manifest records them), bad rules are refused', () => {
  const { value, problems } = validateWithDefaults(stacSource.params, { path: 'catalog.json' }, () => 'with');
  assert.deepEqual(problems, []);
  assert.deepEqual((value as { products: unknown }).products, {
    smap: { pass: 'am', mask: SMAP_L3_DEFAULT_MASK },
    smapL4: { mask: [] },
    cci: { mask: CCI_DEFAULT_MASK },
  });
  assert.deepEqual(SMAP_L3_DEFAULT_MASK, [{ flag: 'retrieval_qual_flag', clear: ['recommended_quality'] }]);
  assert.deepEqual(CCI_DEFAULT_MASK, [{ flag: 'flag', allowOnly: ['barren_ground'] }]);

  const custom = validateWithDefaults(stacSource.params, { path: 'c.json', products: { smap: { pass: 'pm', mask: [{ flag: 'surface_flag', clear: ['snow', 7] }] } } }, () => 'with');
  assert.deepEqual(custom.problems, []);
  assert.deepEqual((custom.value as { products: { smap: unknown } }).products.smap, { pass: 'pm', mask: [{ flag: 'surface_flag', clear: ['snow', 7] }] });

  const bad = validateWithDefaults(stacSource.params, { path: 'c.json', products: { smap: { pass: 'noon', mask: [{ clear: [0] }] } } }, () => 'with');
  assert.equal(bad.problems.length, 2, bad.problems.join('\n'));
  assert.ok(bad.problems.some((p) => p.includes('pass')) && bad.problems.some((p) => p.includes('flag')), bad.problems.join('\n'));
});
