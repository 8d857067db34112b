import {
  createRng,
  importanceTable,
  metricsTableRow,
  pairedMetrics,
  recordTable,
  runtimeError,
  takeRows,
  type DateFeatureMode,
  type PluginContext,
  type RecordTable,
  type Regressor,
  type TableModel,
  type TableModelResult,
} from '../../../core/index.js';
import type { TableModelParams } from '../index.js';
import { splitRows, type Split } from './splits.js';
import { usableRows, type UsableRows } from './table-rows.js';

/** `model:table`'s implementation: held-out evaluation of the regressor, then a fit on every usable row. */
export function createTableModel(params: TableModelParams, context: PluginContext): TableModel {
  return {
    async fit({ table: records }): Promise<TableModelResult> {
      const regressor = await context.instantiate(params.regressor, 'regressor');
      const rows = usableRows(records, { ...params, dateFeatures: params.dateFeatures as DateFeatureMode });
      const rng = createRng(params.seed ?? context.seed);
      const splits = splitRows({ count: rows.table.rows, groups: rows.groups, dates: rows.dates, cell: (i, c) => records.rows[rows.source[i]][c] }, params.split, rng.fork(1));
      const { predicted, foldOf } = await heldOutPredictions(regressor, rows, splits);
      checkPredictions(predicted, foldOf, context);
      const model = await regressor.fit(rows.table);
      const notes = [...rows.notes, `${splits.length} held-out fold${splits.length > 1 ? 's' : ''} (${splitName(params.split)}); the model output is fitted on all ${rows.table.rows} usable rows`];
      return {
        predictions: predictionsTable(records, rows, predicted, foldOf),
        metrics: metricsTable(rows, predicted, foldOf, params.split.leaveGroupOut ? [] : splits),
        importance: params.importance ? await importanceTable(model, rows.table, rng.fork(2), 'on every usable row') : undefined,
        model: model.save(),
        notes,
      };
    },
  };
}

/** Each usable row predicted by the model of the split that held it out (NaN where no split tests it). */
async function heldOutPredictions(regressor: Regressor, rows: UsableRows, splits: readonly Split[]): Promise<{ predicted: Float64Array; foldOf: (string | undefined)[] }> {
  const predicted = new Float64Array(rows.table.rows).fill(Number.NaN);
  const foldOf: (string | undefined)[] = new Array(rows.table.rows).fill(undefined);
  for (const split of splits) {
    let mean: Float32Array;
    try {
      const fitted = await regressor.fit(takeRows(rows.table, split.train));
      mean = (await fitted.predict(takeRows(rows.table, split.test))).mean;
    } catch (e) {
      throw runtimeError(`fold ${split.fold} (${split.train.length} training rows, ${split.test.length} test rows) failed: ${(e as Error).message}`);
    }
    split.test.forEach((r, i) => {
      predicted[r] = mean[i];
      foldOf[r] = split.fold;
    });
  }
  return { predicted, foldOf };
}

/**
 * Held-out predictions must exist: none finite fails the fit (its metrics would be empty), some missing
 * is a run warning (the metrics cover fewer rows than were tested).
 */
function checkPredictions(predicted: Float64Array, foldOf: readonly (string | undefined)[], context: PluginContext): void {
  let tested = 0;
  let finite = 0;
  foldOf.forEach((fold, r) => {
    if (fold === undefined) return;
    tested++;
    if (Number.isFinite(predicted[r])) finite++;
  });
  if (finite === 0) throw runtimeError('the regressor predicted no held-out row (all NaN)', { path: 'with.regressor', expected: 'finite predictions for the test rows', found: `${tested} test rows, 0 finite predictions` });
  if (finite < tested) context.warn('model-predictions-missing', `${tested - finite} of ${tested} held-out rows have no prediction (NaN); the metrics cover the other ${finite}`);
}

/** The held-out rows in table order: every input column, then `fold` and `predicted`. */
function predictionsTable(records: RecordTable, rows: UsableRows, predicted: Float64Array, foldOf: readonly (string | undefined)[]): RecordTable {
  const out: Record<string, string | number | boolean | null>[] = [];
  for (let i = 0; i < rows.table.rows; i++) {
    if (foldOf[i] === undefined) continue;
    out.push({ ...records.rows[rows.source[i]], fold: foldOf[i]!, predicted: Number.isFinite(predicted[i]) ? predicted[i] : null });
  }
  return recordTable(out, [...records.columns.filter((c) => c !== 'fold' && c !== 'predicted'), 'fold', 'predicted']);
}

/** The validators' metrics (predicted vs target) of the held-out rows: pooled, per fold (`splits`, when several), per group. */
function metricsTable(rows: UsableRows, predicted: Float64Array, foldOf: readonly (string | undefined)[], splits: readonly Split[]): RecordTable {
  const y = rows.observed;
  const metricsOf = (scope: string, id: string, members: readonly number[]) => ({
    scope,
    id,
    trainRows: scope === 'fold' ? splits.find((s) => s.fold === id)!.train.length : null,
    ...metricsTableRow(pairedMetrics(members.map((i) => predicted[i]), members.map((i) => y[i]))),
  });
  const tested = foldOf.flatMap((f, i) => (f === undefined ? [] : [i]));
  const out = [metricsOf('all', 'all', tested)];
  if (splits.length > 1) for (const s of splits) out.push(metricsOf('fold', s.fold, Array.from(s.test)));
  if (rows.groups) {
    const byGroup = new Map<string, number[]>();
    for (const i of tested) (byGroup.get(rows.groups[i]) ?? byGroup.set(rows.groups[i], []).get(rows.groups[i])!).push(i);
    for (const [g, members] of byGroup) out.push(metricsOf('group', g, members));
  }
  return recordTable(out);
}

function splitName(split: TableModelParams['split']): string {
  const [k, v] = Object.entries(split)[0];
  return typeof v === 'object' ? `${k} ${JSON.stringify(v)}` : v === true ? k : `${k} ${v}`;
}
