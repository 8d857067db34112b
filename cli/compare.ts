import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { usageError, type RecordTable } from '../core/index.js';
import { loadPipeline, type PipelineDocument } from '../host/index.js';

/** An alternative given on the command line: a name and a plugin use. */
export interface AlternativeArg {
  readonly name: string;
  readonly use: { readonly uses: string; readonly version?: string; readonly with?: Record<string, unknown> };
}

/**
 * Parse `--alt name=<plugin id>` or `--alt 'name={"uses": "…", "with": {…}}'`.
 *
 * @example
 * ```ts
 * parseAlternativeArg('rf={"uses":"downscaler:regression","with":{"regressor":{"uses":"regressor:rf"}}}');
 * parseAlternativeArg('bilinear=downscaler:bilinear');
 * ```
 */
export function parseAlternativeArg(arg: string): AlternativeArg {
  const i = arg.indexOf('=');
  const expected = 'name=<plugin id> or name=<JSON {"uses": …, "with": …}>';
  if (i <= 0) throw usageError(`--alt ${arg}: expected ${expected}`, { path: '--alt', expected, found: JSON.stringify(arg) });
  const name = arg.slice(0, i);
  const spec = arg.slice(i + 1).trim();
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw usageError(`--alt ${arg}: the name may use letters, digits, _ . -`, { path: '--alt', expected: 'a name like rf or svr_rbf', found: JSON.stringify(name) });
  if (!spec.startsWith('{')) {
    if (!/^[a-z]+:[A-Za-z0-9_.-]+$/.test(spec)) throw usageError(`--alt ${arg}: not a plugin id`, { path: `--alt ${name}`, expected: 'kind:name, e.g. downscaler:bilinear', found: JSON.stringify(spec) });
    return { name, use: { uses: spec } };
  }
  let value: unknown;
  try {
    value = JSON.parse(spec);
  } catch (e) {
    throw usageError(`--alt ${name}: malformed JSON: ${(e as Error).message}`, { path: `--alt ${name}`, expected, found: JSON.stringify(spec) });
  }
  const v = value as AlternativeArg['use'];
  if (typeof v !== 'object' || v === null || typeof v.uses !== 'string') throw usageError(`--alt ${name}: the JSON needs "uses"`, { path: `--alt ${name}`, expected: '{"uses": "kind:name", "with": {…}}', found: spec });
  return { name, use: v };
}

/** Whether a value holds a `{"$node": …}` reference anywhere (then it is an input, shared by every alternative). */
function holdsNodeRef(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsNodeRef);
  if (typeof v === 'object' && v !== null) return '$node' in v || Object.values(v).some(holdsNodeRef);
  return false;
}

/**
 * The pipeline with node `nodeId` turned into a compare node: its inputs (values holding node references)
 * are shared, the original plugin with its own params is the first alternative (unless `keepOriginal` is
 * false), then the given alternatives. Relative `plugins` and `geojson` paths are made absolute so the
 * rewritten document runs from anywhere. Without `nodeId`, the pipeline is returned as it is (its own
 * compare nodes are the intercomparison).
 *
 * @example
 * ```ts
 * const doc = comparePipeline('pipelines/baseline.json', 'bilinear', [parseAlternativeArg('nearest=downscaler:nearest')]);
 * await runPipeline(doc, { out: 'runs/cmp', registry });
 * ```
 */
export function comparePipeline(path: string, nodeId: string | undefined, alternatives: readonly AlternativeArg[], keepOriginal = true): PipelineDocument {
  const source = loadPipeline(path);
  const doc = structuredClone(source.doc) as PipelineDocument & { nodes: Record<string, Record<string, unknown>> };
  const abs = (p: string): string => (p.startsWith('.') ? resolve(source.dir, p) : p);
  (doc as { plugins?: string[] }).plugins = (doc.plugins ?? []).map(abs);
  for (const node of Object.values(doc.nodes)) {
    const part = node.partition as { geojson?: string } | undefined;
    if (part?.geojson && !isAbsolute(part.geojson)) part.geojson = resolve(source.dir, part.geojson);
  }
  if (nodeId === undefined) {
    if (alternatives.length) throw usageError('--alt needs --node: the node whose alternatives are compared', { path: '--node', expected: 'a node id of the pipeline', found: 'none' });
    return doc;
  }
  const node = doc.nodes[nodeId];
  if (!node) throw usageError(`no node '${nodeId}' in the pipeline`, { file: path, path: '--node', expected: `one of ${Object.keys(doc.nodes).join(', ')}`, found: JSON.stringify(nodeId) });
  if ('partition' in node) throw usageError(`node '${nodeId}' is a partition; compare a plugin node or a compare node`, { file: path, path: `nodes.${nodeId}`, expected: 'a plugin or compare node', found: 'a partition node' });
  if (!alternatives.length && !('compare' in node)) throw usageError(`nothing to compare at node '${nodeId}'`, { path: '--alt', expected: 'one or more --alt name=<plugin> (the node keeps its own plugin as the first alternative)', found: 'none' });
  const withAll = (node.with ?? {}) as Record<string, unknown>;
  const shared = Object.fromEntries(Object.entries(withAll).filter(([, v]) => holdsNodeRef(v)));
  const compare: Record<string, unknown> = {};
  if ('compare' in node) Object.assign(compare, node.compare as object);
  else if (keepOriginal) {
    const own = Object.fromEntries(Object.entries(withAll).filter(([, v]) => !holdsNodeRef(v)));
    const name = String(node.uses).slice(String(node.uses).indexOf(':') + 1);
    compare[name] = { uses: node.uses, ...(node.version ? { version: node.version } : {}), ...(Object.keys(own).length ? { with: own } : {}) };
  }
  for (const a of alternatives) {
    if (a.name in compare) throw usageError(`alternative '${a.name}' given twice`, { path: `--alt ${a.name}`, expected: 'distinct names', found: `'${a.name}' already used` });
    compare[a.name] = a.use;
  }
  if (Object.keys(compare).length < 2) throw usageError(`node '${nodeId}': a comparison needs at least two alternatives`, { path: '--alt', expected: '≥ 2 alternatives', found: String(Object.keys(compare).length) });
  (doc.nodes as Record<string, unknown>)[nodeId] = {
    ...(node.title ? { title: node.title } : {}),
    ...(node.optional ? { optional: node.optional } : {}),
    compare,
    with: 'compare' in node ? withAll : shared,
  };
  return doc;
}

const KEY_METRICS = ['r', 'ubrmse', 'rmse', 'bias', 'r2', 'mape', 'kl'];

/**
 * The comparison as aligned plain text: the method and partition columns, the key metrics of each
 * validator (R, ubRMSE, RMSE, bias, R², MAPE, KL), the mean rank and the rank; the rest is in comparison.csv.
 */
export function formatTextTable(t: RecordTable, maxColumns = 14): string {
  const ids = t.columns.filter((c) => !c.includes('.') && c !== 'meanRank' && c !== 'rank');
  const metrics = t.columns.filter((c) => /^[^.]+\.[^.]+$/.test(c) && KEY_METRICS.includes(c.split('.')[1]));
  const prefixes = [...new Set(t.columns.filter((c) => c.includes('.')).map((c) => c.split('.')[0]))];
  metrics.sort((a, b) => {
    const [pa, ma] = a.split('.');
    const [pb, mb] = b.split('.');
    return prefixes.indexOf(pa) - prefixes.indexOf(pb) || KEY_METRICS.indexOf(ma) - KEY_METRICS.indexOf(mb);
  });
  const tail = ['meanRank', 'rank'].filter((c) => t.columns.includes(c));
  const cols = [...ids, ...metrics.slice(0, Math.max(0, maxColumns - ids.length - tail.length)), ...tail];
  const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)))) : String(v));
  const grid = [cols, ...t.rows.map((r) => cols.map((c) => cell(r[c])))];
  const w = cols.map((_, j) => Math.max(...grid.map((row) => row[j].length)));
  const lines = grid.map((row) => row.map((c, j) => (j < ids.length ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  '));
  lines.splice(1, 0, w.map((n) => '-'.repeat(n)).join('  '));
  if (cols.length < t.columns.length) lines.push(`(all ${t.columns.length - ids.length - tail.length} metrics in comparison.csv)`);
  return lines.join('\n');
}

/** Read `<out>/comparison.json` as a record table, if the run wrote one. */
export function readComparison(outDir: string): RecordTable | undefined {
  try {
    const j = JSON.parse(readFileSync(resolve(outDir, 'comparison.json'), 'utf8')) as { columns: string[]; rows: RecordTable['rows']; notes?: string[] };
    return { kind: 'records', columns: j.columns, rows: j.rows, notes: j.notes };
  } catch {
    return undefined;
  }
}
