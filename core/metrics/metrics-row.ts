import type { PairedMetrics } from './paired-metrics.js';

/** The metric columns of a result table, in display order. */
export const METRIC_COLUMNS = [
  'n', 'r', 'pValue', 'rLower', 'rUpper', 'spearman', 'bias', 'mae', 'rmse', 'ubrmse', 'ubrmseSample',
  'r2', 'nse', 'd', 'slope', 'intercept', 'mape', 'kl', 'meanProduct', 'meanReference', 'stdProduct', 'stdReference',
] as const satisfies readonly (keyof PairedMetrics)[];

export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/**
 * A flat record of metrics for a `RecordTable` row: non-finite values become `null` (they serialise
 * to JSON and CSV as empty), keys optionally prefixed (`down_r`, `no_r`).
 *
 * @example
 * ```ts
 * recordTable([{ station: 'S1', ...metricsTableRow(pairedMetrics(e, o)) }]);
 * ```
 */
export function metricsTableRow(
  metrics: PairedMetrics,
  options: { prefix?: string; columns?: readonly MetricColumn[] } = {},
): Record<string, number | null> {
  const row: Record<string, number | null> = {};
  for (const k of options.columns ?? METRIC_COLUMNS) {
    const v = metrics[k];
    row[(options.prefix ?? '') + k] = Number.isFinite(v) ? v : null;
  }
  return row;
}
