import { inputError, type Table } from '../../../core/index.js';
import type { TreeArrays } from './tree.js';

/** Trees concatenated into the typed arrays a `SavedModel` carries in `binary`. */
export interface TreeBinary {
  readonly [name: string]: Int32Array | Uint16Array | Float32Array | Uint8Array;
  readonly treeSizes: Int32Array;
  readonly feature: Int32Array;
  readonly bin: Uint16Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly missingLeft: Uint8Array;
  readonly value: Float32Array;
}

/** Concatenate trees (node arrays back to back; `left` stays relative to each tree). */
export function treesToBinary(trees: readonly TreeArrays[]): TreeBinary {
  let total = 0;
  for (const t of trees) total += t.feature.length;
  const out = {
    treeSizes: Int32Array.from(trees, (t) => t.feature.length),
    feature: new Int32Array(total),
    bin: new Uint16Array(total),
    threshold: new Float32Array(total),
    left: new Int32Array(total),
    missingLeft: new Uint8Array(total),
    value: new Float32Array(total),
  };
  let at = 0;
  for (const t of trees) {
    out.feature.set(t.feature, at);
    out.bin.set(t.bin, at);
    out.threshold.set(t.threshold, at);
    out.left.set(t.left, at);
    out.missingLeft.set(t.missingLeft, at);
    out.value.set(t.value, at);
    at += t.feature.length;
  }
  return out;
}

/**
 * Rebuild trees from `treesToBinary` arrays, checking that the arrays agree and every child index is
 * inside its tree (a corrupt file fails here, not with a wrong prediction later).
 */
export function treesFromBinary(binary: Readonly<Record<string, unknown>> | undefined, cols: number, file = 'model'): TreeArrays[] {
  const need = ['treeSizes', 'feature', 'bin', 'threshold', 'left', 'missingLeft', 'value'] as const;
  const types = { treeSizes: Int32Array, feature: Int32Array, bin: Uint16Array, threshold: Float32Array, left: Int32Array, missingLeft: Uint8Array, value: Float32Array };
  for (const k of need) {
    if (!(binary?.[k] instanceof types[k])) {
      throw inputError('saved trees are incomplete', { file, path: `binary.${k}`, expected: types[k].name, found: describe(binary?.[k]) });
    }
  }
  const b = binary as unknown as TreeBinary;
  let total = 0;
  for (const s of b.treeSizes) total += s;
  for (const k of need.slice(1)) {
    if (b[k].length !== total) throw inputError('saved tree arrays differ in length', { file, path: `binary.${k}`, expected: `${total} nodes (sum of treeSizes)`, found: String(b[k].length) });
  }
  const trees: TreeArrays[] = [];
  let at = 0;
  b.treeSizes.forEach((size, t) => {
    const end = at + size;
    for (let n = at; n < end; n++) {
      const f = b.feature[n];
      if (f >= cols || f < -1 || (f >= 0 && (b.left[n] <= n - at || b.left[n] + 1 >= size))) {
        throw inputError('saved tree has an invalid node', { file, path: `binary (tree ${t}, node ${n - at})`, expected: `feature in [-1, ${cols}) and children inside the tree`, found: `feature ${f}, left ${b.left[n]}` });
      }
    }
    trees.push({
      feature: b.feature.slice(at, end),
      bin: b.bin.slice(at, end),
      threshold: b.threshold.slice(at, end),
      left: b.left.slice(at, end),
      missingLeft: b.missingLeft.slice(at, end),
      value: b.value.slice(at, end),
    });
    at = end;
  });
  return trees;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return typeof v;
}

/**
 * The feature matrix of `table` with columns in the model's order (by name), copying only when the
 * table's columns differ. Extra columns are ignored; a missing one is an input error.
 */
export function featureMatrix(table: Table, featureNames: readonly string[], what = 'table'): Float32Array {
  const cols = table.columns;
  if (cols.length === featureNames.length && cols.every((c, i) => c === featureNames[i])) return table.x;
  const at = featureNames.map((name) => {
    const i = cols.indexOf(name);
    if (i < 0) throw inputError('the table lacks a feature the model was trained on', { file: what, path: `columns`, expected: `a column '${name}' (model features: ${featureNames.join(', ')})`, found: cols.join(', ') || 'no columns' });
    return i;
  });
  const nc = cols.length;
  const nf = featureNames.length;
  const out = new Float32Array(table.rows * nf);
  for (let r = 0; r < table.rows; r++) for (let f = 0; f < nf; f++) out[r * nf + f] = table.x[r * nc + at[f]];
  return out;
}

/** Checks a training table: rows, a finite target, weights if any. */
export function checkTrainingTable(table: Table, plugin: string): Float32Array {
  const y = table.y;
  if (!y) throw inputError(`${plugin} needs a target to fit`, { file: 'training table', path: 'y', expected: 'a Float32Array of targets', found: 'no target' });
  if (table.columns.length < 1) throw inputError(`${plugin} needs at least one feature column`, { file: 'training table', path: 'columns', expected: '≥ 1 column', found: 'none' });
  if (table.rows < 2) throw inputError(`${plugin} needs at least 2 rows to fit`, { file: 'training table', path: 'rows', expected: '≥ 2', found: String(table.rows) });
  if (table.x.length < table.rows * table.columns.length) throw inputError('feature matrix is shorter than rows × columns', { file: 'training table', path: 'x', expected: `${table.rows * table.columns.length} values`, found: String(table.x.length) });
  for (let r = 0; r < table.rows; r++) {
    if (!Number.isFinite(y[r])) throw inputError('target must be finite', { file: 'training table', path: `y[${r}]`, expected: 'a finite number', found: String(y[r]) });
    if (table.weights && !(table.weights[r] >= 0)) throw inputError('weights must be non-negative', { file: 'training table', path: `weights[${r}]`, expected: '≥ 0', found: String(table.weights[r]) });
  }
  return y;
}
