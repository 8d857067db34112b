import { usageError, type Rng } from '../../../core/index.js';
import type { TableModelParams } from '../index.js';

/** One held-out evaluation: fit on `train`, predict `test` (row indices of the usable rows, disjoint). */
export interface Split {
  readonly fold: string;
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** What splitting needs to know about each usable row. */
export interface SplitRows {
  readonly count: number;
  readonly groups?: readonly string[];
  readonly dates?: readonly string[];
  /** Cell of the record behind usable row `i` in `column`, for `testWhere`. */
  cell(i: number, column: string): unknown;
}

/**
 * The splits of `spec`. Random choices (row and group shuffles) draw from `rng` only, so the same
 * seed gives the same folds. Group splits never put a group on both sides.
 */
export function splitRows(rows: SplitRows, spec: TableModelParams['split'], rng: Rng): Split[] {
  const all = Array.from({ length: rows.count }, (_, i) => i);
  if (spec.kfold !== undefined) return dealUnits(all.map((i) => [i]), spec.kfold, rng);
  if (spec.groupKfold !== undefined || spec.leaveGroupOut) {
    const groups = rows.groups;
    if (!groups) throw usageError('a group split needs groupBy', { path: 'with.groupBy', expected: 'the column naming each row\'s group (e.g. station)', found: 'none' });
    const members = new Map<string, number[]>();
    groups.forEach((g, i) => (members.get(g) ?? members.set(g, []).get(g)!).push(i));
    if (members.size < 2) throw usageError('a group split needs two groups or more', { path: 'with.split', expected: '≥ 2 groups', found: `${members.size} group` });
    if (spec.leaveGroupOut) return [...members].map(([g, test]) => holdOut(rows.count, test, g));
    return dealUnits([...members.values()], spec.groupKfold!, rng);
  }
  const test =
    spec.testWhere !== undefined
      ? all.filter((i) => Object.entries(spec.testWhere!).every(([c, values]) => (values as readonly unknown[]).some((v) => String(v) === String(rows.cell(i, c)))))
      : testDates(rows, spec.testDates!);
  const where = spec.testWhere !== undefined ? 'with.split.testWhere' : 'with.split.testDates';
  if (test.length === 0) throw usageError('the split selects no test row', { path: where, expected: 'values present in the table', found: JSON.stringify(spec.testWhere ?? spec.testDates) });
  if (test.length === rows.count) throw usageError('the split leaves no training row', { path: where, expected: 'a selection of some rows', found: `all ${rows.count} usable rows` });
  return [holdOut(rows.count, test, 'test')];
}

function testDates(rows: SplitRows, range: { readonly from?: string; readonly to?: string }): number[] {
  if (!rows.dates) throw usageError('split.testDates needs dateColumn', { path: 'with.dateColumn', expected: 'the column of dates', found: 'none' });
  const out: number[] = [];
  rows.dates.forEach((d, i) => {
    if ((range.from === undefined || d >= range.from) && (range.to === undefined || d <= range.to)) out.push(i);
  });
  return out;
}

/** Units (rows or groups of rows) shuffled and dealt round-robin into `k` folds (fewer when there are fewer units). */
function dealUnits(units: readonly number[][], k: number, rng: Rng): Split[] {
  if (units.length < 2) throw usageError('too few rows or groups to split', { path: 'with.split', expected: '≥ 2', found: String(units.length) });
  const order = rng.shuffle(Int32Array.from(units, (_, i) => i));
  const folds = Math.min(k, units.length);
  const tests: number[][] = Array.from({ length: folds }, () => []);
  order.forEach((u, i) => tests[i % folds].push(...units[u]));
  const count = units.reduce((n, u) => n + u.length, 0);
  return tests.map((t, f) => holdOut(count, t.sort((a, b) => a - b), String(f + 1)));
}

function holdOut(count: number, test: readonly number[], fold: string): Split {
  const held = new Uint8Array(count);
  for (const i of test) held[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < count; i++) if (!held[i]) train.push(i);
  return { fold, train: Int32Array.from(train), test: Int32Array.from(test) };
}
