import { createTable, dateFeatureValues, type Table } from '../../../core/index.js';
import type { RegressionEngineParams } from '../params.js';
import type { BlockLayout } from './block-layout.js';
import { levelRows, subBlocks, type LevelRows } from './multi-scale.js';
import { cellContextNames, cellContextRow } from './cell-context.js';
import { pixelBlocks, referenceRows, type ReferenceAnomalies, type ReferenceTraining } from './reference-rows.js';

export interface MultiScaleInput {
  /** The coarse training table (its rows come first unless `anomalies`). */
  readonly train: Table;
  readonly layout: BlockLayout;
  readonly dates: readonly string[];
  readonly params: RegressionEngineParams;
  readonly groupOf: (cell: number) => number;
  readonly scaleColumn: boolean;
  readonly anomalies: boolean;
  /** Cell-context columns after the predictors (`cell-context.ts`; anomalies only). */
  readonly context: boolean;
  /** Coarse aggregate of predictor `f` on date `d` (the training features). */
  readonly coarseFeatureAt: (f: number, d: number) => ArrayLike<number>;
  readonly coarseTarget: (d: number) => ArrayLike<number>;
  /** The aligned fine predictors of date `d` and, when `withTarget`, the first-pass fine product (the sub-block targets). */
  readonly fineAt: (d: number, withTarget: boolean) => Promise<{ arrays: readonly Float32Array[]; target?: Float32Array }>;
  /** Rows from a fine-scale reference (anomalies only; `reference-rows.ts`), beside or instead of the sub-block rows. */
  readonly reference?: { readonly anomalies: ReferenceAnomalies['anomalies']; readonly rows: ReferenceTraining['rows'] };
}

/**
 * The multi-scale training table: the coarse rows (with `scale` = the cell side in fine pixels when
 * asked), then for every date and level the sub-block rows (`scale` = the level), columns in the
 * coarse table's order (predictors, cell context when asked, date features, scale). Index: date, parent
 * cell, its CV group.
 */
export async function multiScaleTable(input: MultiScaleInput): Promise<Table & { readonly fromReference?: Uint8Array }> {
  const { train, layout, params, scaleColumn, anomalies } = input;
  const context = anomalies && input.context;
  const nPred = train.columns.length - dateFeatureValues(input.dates[0], params.dateFeatures).length;
  const predictorNames = train.columns.slice(0, nPred);
  const columns = [...predictorNames, ...(context ? cellContextNames(predictorNames) : []), ...train.columns.slice(nPred), ...(scaleColumn ? ['scale'] : [])];
  const x: number[] = [];
  const y: number[] = [];
  const date: number[] = [];
  const cell: number[] = [];
  const fromReference: number[] = [];
  const cellSide = Math.sqrt(layout.factorX * layout.factorY);
  if (!anomalies) {
    for (let r = 0; r < train.rows; r++) {
      for (let c = 0; c < train.columns.length; c++) x.push(train.x[r * train.columns.length + c]);
      if (scaleColumn) x.push(cellSide);
      y.push(train.y![r]);
      date.push(train.index!.date![r]);
      cell.push(train.index!.pixel![r]);
    }
  }
  const levels = params.multiScale.levels.map((side) => subBlocks(layout, side));
  const reference = anomalies ? input.reference : undefined;
  const pixels = reference ? pixelBlocks(layout) : undefined;
  // With reference rows only, a date the reference misses gives no row, and no date needs the first pass's fine prediction.
  const subBlockRows = reference?.rows !== 'replace';
  for (let d = 0; d < input.dates.length; d++) {
    if (!subBlockRows && !reference!.anomalies[d]) continue;
    const { arrays, target } = await input.fineAt(d, subBlockRows);
    const extras = dateFeatureValues(input.dates[d], params.dateFeatures);
    const anomalyBase = anomalies ? { coarseFeatures: arrays.map((_, f) => input.coarseFeatureAt(f, d)), coarseTarget: input.coarseTarget(d) } : undefined;
    const push = (rows: LevelRows, side: number, referenceRow = 0) => {
      for (let r = 0; r < rows.rows; r++) {
        if (reference) fromReference[y.length] = referenceRow;
        for (let f = 0; f < nPred; f++) x.push(rows.x[r * nPred + f]);
        if (context) x.push(...cellContextRow(anomalyBase!.coarseFeatures, anomalyBase!.coarseTarget, rows.parent[r]));
        x.push(...extras);
        if (scaleColumn) x.push(side);
        y.push(rows.y[r]);
        date.push(d);
        cell.push(rows.parent[r]);
      }
    };
    if (subBlockRows) for (const blocks of levels) push(levelRows(blocks, arrays, target!, params.minValidFraction, anomalyBase), blocks.side);
    const referenceAnomaly = reference?.anomalies[d];
    if (referenceAnomaly) push(referenceRows(pixels!, arrays, referenceAnomaly, anomalyBase!.coarseFeatures), 1, 1);
  }
  const table = createTable(columns, y.length, true);
  table.x.set(x);
  table.y!.set(y);
  const index = { date: Int32Array.from(date), pixel: Int32Array.from(cell), group: Int32Array.from(cell, input.groupOf) };
  return { ...table, index, ...(reference ? { fromReference: Uint8Array.from(fromReference) } : {}) };
}

/** `values` minus the coarse value of each pixel's cell (NaN outside the coarse grid or where the cell has none). */
export function withoutCellMeans(values: Float32Array, cellMeans: ArrayLike<number>, cellOf: Int32Array): Float32Array {
  return Float32Array.from(values, (v, i) => (cellOf[i] >= 0 ? v - cellMeans[cellOf[i]] : Number.NaN));
}
