import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { concatTables, recordTable } from '../../../core/index.js';

const summary = (rmse: number) => recordTable([{ n: 10, rmse }], ['n', 'rmse']);
const importance = (a: number, b: number) =>
  recordTable(
    [
      { method: 'permutation', feature: 'ndvi', value: a },
      { method: 'impurity', feature: 'ndvi', value: b },
    ],
    ['method', 'feature', 'value'],
  );

describe('concatTables', () => {
  it('labels rows with the merge column when the tables do not have it', () => {
    const t = concatTables([['rf', summary(0.03)], ['knn', summary(0.04)]], 'method');
    assert.deepEqual(t.columns, ['method', 'n', 'rmse']);
    assert.deepEqual(t.rows, [
      { method: 'rf', n: 10, rmse: 0.03 },
      { method: 'knn', n: 10, rmse: 0.04 },
    ]);
  });

  it("keeps a table's own `method` column and names the alternative column `alternative`", () => {
    const t = concatTables([['rf', importance(12, 0.4)], ['gbdt', importance(9, 0.3)]], 'method');
    assert.deepEqual(t.columns, ['alternative', 'method', 'feature', 'value']);
    assert.deepEqual(
      t.rows.map((r) => [r.alternative, r.method, r.value]),
      [
        ['rf', 'permutation', 12],
        ['rf', 'impurity', 0.4],
        ['gbdt', 'permutation', 9],
        ['gbdt', 'impurity', 0.3],
      ],
    );
  });

  it('uses the fallback when only some tables have the column (others get null there)', () => {
    const t = concatTables([['a', summary(1)], ['b', importance(2, 3)]], 'method');
    assert.equal(t.columns[0], 'alternative');
    assert.deepEqual(t.rows[0], { alternative: 'a', n: 10, rmse: 1, method: null, feature: null, value: null });
    assert.equal(t.rows[1].method, 'permutation');
  });

  it('partition labels fall back to `part`, and a taken fallback gets a trailing underscore', () => {
    const withPartition = recordTable([{ partition: 'DJF', part: 'x', r: 0.5 }], ['partition', 'part', 'r']);
    const t = concatTables([['north', withPartition]], 'partition');
    assert.deepEqual(t.columns, ['part_', 'partition', 'part', 'r']);
    assert.deepEqual(t.rows[0], { part_: 'north', partition: 'DJF', part: 'x', r: 0.5 });
  });

  it('prefixes notes with the label', () => {
    const t = concatTables([['rf', recordTable([{ n: 1 }], ['n'], ['pooled'])]], 'method');
    assert.deepEqual(t.notes, ['rf: pooled']);
  });
});
