import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorPosition } from '../../../core/stac/json-error-position.js';

test('jsonErrorPosition agrees with JSON.parse on validity and points at the offending character', () => {
  const valid = ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0'];
  for (const t of valid) {
    JSON.parse(t);
    assert.equal(jsonErrorPosition(t), -1, t);
  }
  const invalid: Array<[string, number]> = [
    ['{\n  "links": [,]\n}', 14],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[1, 2', 5],
    ['{"a": tru}', 9],
    ['{"a": 01}', 7],
    ['{} x', 3],
    ['"bad \\q"', 6],
  ];
  for (const [t, at] of invalid) {
    assert.throws(() => JSON.parse(t));
    assert.equal(jsonErrorPosition(t), at, t);
  }
});
