import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng, isSoilscaleError } from '../../../core/index.js';
import { splitRows, type Split, type SplitRows } from '../src/splits.js';

/** 40 rows: 8 groups of 5 (g0…g7), dates 2018-01-01…2018-01-05 per group, a cluster column. */
const rows: SplitRows = {
  count: 40,
  groups: Array.from({ length: 40 }, (_, i) => `g${Math.floor(i / 5)}`),
  dates: Array.from({ length: 40 }, (_, i) => `2018-01-0${(i % 5) + 1}`),
  cell: (i, c) => (c === 'cluster' ? (Math.floor(i / 5) < 3 ? 'A' : Math.floor(i / 5) < 6 ? 'B' : 'C') : undefined),
};

function checkPartition(splits: readonly Split[], count: number): void {
  const tested = new Array<number>(count).fill(0);
  for (const s of splits) {
    s.test.forEach((i) => tested[i]++);
    // train is exactly the complement of test
    assert.deepEqual([...s.train, ...s.test].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
  }
  assert.ok(tested.every((n) => n === 1), 'every row tested exactly once');
}

const groupsOf = (idx: Int32Array) => new Set(Array.from(idx, (i) => rows.groups![i]));

describe('model:table splits', () => {
  it('kfold: every row in exactly one test fold, folds of equal size, the same folds from the same seed', () => {
    const splits = splitRows(rows, { kfold: 4 }, createRng(7));
    assert.equal(splits.length, 4);
    checkPartition(splits, 40);
    assert.deepEqual(splits.map((s) => s.test.length), [10, 10, 10, 10]);
    assert.deepEqual(splitRows(rows, { kfold: 4 }, createRng(7)), splits);
    assert.notDeepEqual(splitRows(rows, { kfold: 4 }, createRng(8)).map((s) => [...s.test]), splits.map((s) => [...s.test]));
  });

  it('leave-group-out and group k-fold never put a group on both sides', () => {
    const logo = splitRows(rows, { leaveGroupOut: true }, createRng(1));
    assert.deepEqual(logo.map((s) => s.fold), ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']);
    checkPartition(logo, 40);
    for (const s of logo) assert.deepEqual([...groupsOf(s.test)], [s.fold]);
    const gk = splitRows(rows, { groupKfold: 3 }, createRng(1));
    checkPartition(gk, 40);
    for (const split of [...logo, ...gk]) {
      const train = groupsOf(split.train);
      for (const g of groupsOf(split.test)) assert.ok(!train.has(g), `${g} in train and test of fold ${split.fold}`);
    }
    assert.deepEqual(gk.map((s) => groupsOf(s.test).size).sort(), [2, 3, 3]);
  });

  it('testWhere tests exactly the matching rows and trains on the rest; testDates likewise by date', () => {
    const [s] = splitRows(rows, { testWhere: { cluster: ['B'] } }, createRng(1));
    assert.deepEqual([...s.test], Array.from({ length: 15 }, (_, i) => 15 + i));
    assert.deepEqual([...s.train], [...Array.from({ length: 15 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 30 + i)]);
    const [d] = splitRows(rows, { testDates: { from: '2018-01-04' } }, createRng(1));
    assert.ok([...d.test].every((i) => rows.dates![i] >= '2018-01-04') && d.test.length === 16);
    assert.ok([...d.train].every((i) => rows.dates![i] < '2018-01-04') && d.train.length === 24);
  });

  it('refuses a split that selects nothing, leaves nothing to train on, or lacks its column', () => {
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(isSoilscaleError(e));
        return e.message;
      }
      return 'no error';
    };
    assert.match(message(() => splitRows(rows, { testWhere: { cluster: ['Z'] } }, createRng(1))), /with\.split\.testWhere: the split selects no test row/);
    assert.match(message(() => splitRows(rows, { testWhere: { cluster: ['A', 'B', 'C'] } }, createRng(1))), /leaves no training row/);
    assert.match(message(() => splitRows({ ...rows, groups: undefined }, { leaveGroupOut: true }, createRng(1))), /with\.groupBy: a group split needs groupBy/);
  });
});
