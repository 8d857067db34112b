import {
  addCentredSums,
  aggregateSeries,
  checkNesting,
  createGrid,
  describeGrid,
  inputError,
  isNorthUp,
  isSoilscaleError,
  isStatic,
  intervalCoverage,
  METRIC_COLUMNS,
  metricsOfSampledPairs,
  metricsTableRow,
  pairedMetricsOfValidPairs,
  recordTable,
  runSummaryStageInThread,
  sameGrid,
  type CentredSums,
  type ChunkedMetricsOptions,
  type Grid,
  type Nesting,
  type PairedMetrics,
  type PluginContext,
  type RecordTable,
  type Series,
  type TileInputRequest,
  type TileStageResult,
  type ValidateInput,
  type ValidationResult,
  type Validator,
} from '../../../core/index.js';
import type { RasterValidatorParams } from '../index.js';
import { chunkCount, countTileTask, pairsTileTask, tileKey, type CountSummary, type MatchedDate, type PairSetSpec, type PairsSummary, type ValidateTileParams } from './validate-tile.js';

const ID = 'validator:raster';
type Row = Record<string, string | number | boolean | null>;
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function createRasterValidator(params: RasterValidatorParams, context: PluginContext): Validator {
  return {
    async validate(input: ValidateInput): Promise<ValidationResult> {
      const product = input.product;
      if (!product) throw inputError('no product to validate', { path: `${ID}.inputs.product`, expected: 'a series', found: 'nothing' });
      if (!input.reference) {
        throw inputError('no reference to validate against', { path: `${ID}.inputs.reference`, expected: 'a series on the product grid or a finer nested grid', found: 'nothing' });
      }
      const notes: string[] = [];
      const reference = alignReference(product, input.reference, params.minValidFraction, notes);
      const coarseGrid = coarseGridFor(product, input.coarse, params.coarseFactor);
      const bounds = input.lower || input.upper ? checkBounds(product, input.lower, input.upper) : undefined;

      // Exact date matching; a static reference answers every date.
      const at = (s: Series, date: string) => (isStatic(s) ? 0 : s.dates.indexOf(date));
      const pDates = isStatic(product) ? [''] : product.dates;
      const dates: string[] = [];
      const matched: MatchedDate[] = [];
      pDates.forEach((date, i) => {
        const j = at(reference, date);
        if (j < 0) return;
        dates.push(date);
        const [l, u] = bounds ? [at(bounds.lower, date), at(bounds.upper, date)] : [-1, -1];
        matched.push({ product: i, reference: j, ...(l >= 0 && u >= 0 ? { lower: l, upper: u } : {}) });
      });
      const unmatched = pDates.length - matched.length;
      if (unmatched > 0) notes.push(`${unmatched} of ${pDates.length} product date(s) have no reference on the same date and were not compared`);
      if (matched.length === 0) {
        throw inputError('product and reference share no date', {
          path: `${ID}.inputs.reference`,
          expected: `a date among ${pDates[0]}…${pDates[pDates.length - 1]}`,
          found: `${reference.dates[0] ?? '-'}…${reference.dates[reference.dates.length - 1] ?? '-'}`,
        });
      }
      const consistency = input.coarse ? pDates.flatMap((date, i) => (at(input.coarse!, date) < 0 ? [] : [{ product: i, coarse: at(input.coarse!, date) }])) : [];

      const nesting = coarseGrid && checkNesting(coarseGrid, product.grid);
      const tileParams: ValidateTileParams = { matched, ...(coarseGrid ? { coarseGrid } : {}), consistency, minValidFraction: params.minValidFraction };
      const inputs: Record<string, TileInputRequest> = { product: { series: product }, reference: { series: reference } };
      if (bounds) Object.assign(inputs, { lower: { series: bounds.lower }, upper: { series: bounds.upper } });
      if (input.coarse) inputs.coarse = { series: input.coarse };
      // Tiles of whole coarse cells, so cell means are the whole raster's; an offset or non-square nesting runs as one tile.
      const square = nesting && nesting.factorX === nesting.factorY && nesting.offsetCol === 0 && nesting.offsetRow === 0;
      const align = !nesting ? 1 : square ? nesting.factorX : Math.max(product.grid.width, product.grid.height);
      const stage = { grid: product.grid, dates: [], inputs, outputs: [], align } as const;
      // One tile in this thread, not the run's tile store: the summaries carry the metric pairs themselves (up to
      // a million per set), and writing them into tile records as JSON made each 30 m validation of the demo
      // ~20× slower (28 s against ~1.5 s). The tile functions are tested to give these tables for any tiling.
      const counted = await runSummaryStageInThread({ ...stage, name: 'count', task: countTileTask, params: tileParams });
      const counts = counted.summaries as unknown as CountSummary[];
      const sets = metricSets(matched.length, !!coarseGrid);
      const plan = planPairs(counted, counts, chunkCount(tileParams), sets);
      const paired = await runSummaryStageInThread({ ...stage, name: 'pairs', task: pairsTileTask, params: { ...tileParams, sets: plan.specs, offsets: plan.offsets } });
      const metrics = setMetrics(sets, plan, paired.summaries as unknown as PairsSummary[]);

      const tables: Record<string, RecordTable> = {
        summary: recordTable([{ scope: 'all', dates: matched.length, productDatesWithoutReference: unmatched, ...metricsTableRow(metrics[0]) }], undefined, [
          'pooled over all pixel-dates where product and reference are valid; bias = mean(product − reference)',
        ]),
        perDate: recordTable(
          dates.map((date, m) => {
            const pm = metrics[1 + m];
            return pm.n >= params.minPairs ? { date, ...metricsTableRow(pm) } : { date, ...nullMetrics(pm.n) };
          }),
          undefined,
          [`dates with fewer than ${params.minPairs} valid pairs have empty metrics`],
        ),
      };
      if (coarseGrid && nesting) {
        const cells = dates.map((_, m) => counts.reduce((s, t) => s + t.cells[m], 0));
        tables.subgrid = subgridTable(dates, metrics.slice(1 + dates.length), cells, nesting, params.minPairs);
      } else {
        notes.push('no coarse grid (neither a `coarse` input nor `coarseFactor`): sub-grid metrics skipped');
      }
      if (bounds) tables.intervals = intervalsTable(dates, counts);
      if (input.coarse) {
        tables.consistency = consistencyTable(consistency.map((c) => pDates[c.product]), counts, params.minValidFraction);
        if (consistency.length < pDates.length) notes.push(`consistency: ${pDates.length - consistency.length} product date(s) have no coarse value on the same date`);
      } else {
        notes.push('no `coarse` input: the mass-conservation (consistency) check was skipped');
      }
      context.logger.debug(`${ID}: ${matched.length} date(s) compared`, { n: metrics[0].n });
      return { tables, notes };
    },
  };
}

/**
 * Per-date rows rank (Spearman ρ, KL) a systematic subsample of at most 20 000 pairs — plenty for a
 * correlation, and per date it is most of the validation's cost on 30 m grids (two sorts per date);
 * moment metrics (R, RMSE, ubRMSE, bias, …) stay exact. The pooled row ranks up to 1 M pairs.
 */
const PER_DATE = { maxSample: 20_000 } as const;
const POOLED = { maxSample: 1_000_000 } as const;

/** The sub-grid rows report moments only (R, ubRMSE, stds): skip the per-pair sort and logarithm of Spearman/KL. */
const MOMENTS_ONLY = { rankMetrics: false, maxSample: 1_000_000 } as const;

/** A metrics record to compute: over which chunks, with which options. */
interface MetricSet {
  readonly chunks: readonly number[];
  readonly options: ChunkedMetricsOptions & { readonly maxSample: number };
}

/** In order: pooled, each date, and with a coarse grid each date's anomalies, then the pooled anomalies. */
function metricSets(dates: number, subgrid: boolean): MetricSet[] {
  const all = Array.from({ length: dates }, (_, m) => m);
  const sets: MetricSet[] = [{ chunks: all, options: POOLED }, ...all.map((m) => ({ chunks: [m], options: PER_DATE }))];
  if (subgrid) sets.push(...all.map((m) => ({ chunks: [dates + m], options: MOMENTS_ONLY })), { chunks: all.map((m) => dates + m), options: MOMENTS_ONLY });
  return sets;
}

/**
 * From the tiles' row counts: where each tile row's pairs start in its chunk (row-major over the whole
 * raster, as the whole-raster code reads them), each set's size, stride and (subsampled sets) means.
 */
function planPairs(stage: TileStageResult, counts: readonly CountSummary[], chunks: number, sets: readonly MetricSet[]) {
  const totals = new Array<number>(chunks).fill(0);
  const offsets: Record<string, number[][]> = {};
  stage.windows.forEach((w) => (offsets[tileKey(w)] = Array.from({ length: chunks }, () => new Array<number>(w.height))));
  for (let first = 0; first < stage.windows.length; ) {
    const y = stage.windows[first].y;
    let end = first;
    while (end < stage.windows.length && stage.windows[end].y === y) end++;
    for (let r = 0; r < stage.windows[first].height; r++) {
      for (let t = first; t < end; t++) {
        for (let c = 0; c < chunks; c++) {
          offsets[tileKey(stage.windows[t])][c][r] = totals[c];
          totals[c] += counts[t].rows[c][r];
        }
      }
    }
    first = end;
  }
  const specs = sets.map((set): PairSetSpec & { n: number } => {
    const chunkBase: number[] = [];
    let n = 0;
    for (const c of set.chunks) chunkBase.push(n), (n += totals[c]);
    const stride = Math.max(1, Math.ceil(n / set.options.maxSample));
    if (stride === 1) return { chunks: set.chunks, chunkBase, stride, n };
    let se = 0, so = 0;
    for (const c of set.chunks) for (const t of counts) (se += t.sums[c][0]), (so += t.sums[c][1]);
    return { chunks: set.chunks, chunkBase, stride: set.options.rankMetrics === false ? 0 : stride, means: [se / n, so / n], n };
  });
  return { specs, offsets };
}

/**
 * Each set's metrics: with every pair kept, `pairedMetricsOfValidPairs` on them in raster order (the
 * whole-raster code's exact path, same bytes); subsampled, the tiles' centred sums added in tile order
 * (the whole raster adds the same terms in row order: equal to a few ulps) and the ranks of the same sample.
 */
function setMetrics(sets: readonly MetricSet[], plan: ReturnType<typeof planPairs>, summaries: readonly PairsSummary[]): PairedMetrics[] {
  return sets.map((set, s) => {
    const spec = plan.specs[s];
    const triples = summaries.flatMap((t) => {
      const out: [number, number, number][] = [];
      for (let i = 0; i < t.kept[s].length; i += 3) out.push([t.kept[s][i], t.kept[s][i + 1], t.kept[s][i + 2]]);
      return out;
    });
    triples.sort((a, b) => a[0] - b[0]);
    const e = Float64Array.from(triples, (x) => x[1]);
    const o = Float64Array.from(triples, (x) => x[2]);
    if (!spec.means) return pairedMetricsOfValidPairs(e, o, set.options);
    const sums = summaries.reduce<CentredSums | null>((acc, t) => (acc ? addCentredSums(acc, t.sums[s]!) : t.sums[s]), null)!;
    return metricsOfSampledPairs(spec.n, spec.means[0], spec.means[1], sums, spec.stride ? [e, o] : undefined, set.options);
  });
}

/** Both interval bounds, on the product grid. */
function checkBounds(product: Series, lower: Series | undefined, upper: Series | undefined): { lower: Series; upper: Series } {
  for (const [name, s] of [['lower', lower], ['upper', upper]] as const) {
    if (!s) throw inputError(`interval bound '${name}' missing`, { path: `${ID}.inputs.${name}`, expected: 'both lower and upper series', found: `only ${name === 'lower' ? 'upper' : 'lower'}` });
    if (!sameGrid(s.grid, product.grid)) throw inputError(`interval bound '${name}' is not on the product grid`, { path: `${ID}.inputs.${name}`, expected: describeGrid(product.grid), found: describeGrid(s.grid) });
  }
  return { lower: lower!, upper: upper! };
}

/** Coverage of the reference by [lower, upper] and the mean width, pooled and per date (tiles' totals added in tile order). */
function intervalsTable(dates: readonly string[], counts: readonly CountSummary[]): RecordTable {
  const pooled = intervalCoverage();
  const rows: Row[] = [];
  dates.forEach((date, m) => {
    if (!counts[0]?.intervals[m]) return;
    const one = intervalCoverage();
    for (const t of counts) one.addTotals(t.intervals[m]!);
    pooled.addTotals(one.totals());
    const c = one.result();
    rows.push({ date, n: c.n, coverage: finiteOrNull(c.coverage), meanWidth: finiteOrNull(c.meanWidth) });
  });
  const all = pooled.result();
  rows.unshift({ date: 'all', n: all.n, coverage: finiteOrNull(all.coverage), meanWidth: finiteOrNull(all.meanWidth) });
  return recordTable(rows, ['date', 'n', 'coverage', 'meanWidth'], ['share of reference pixels inside [lower, upper] and the mean interval width, where all three are valid']);
}

function nullMetrics(n: number): Row {
  const row: Row = {};
  for (const k of METRIC_COLUMNS) row[k] = null;
  row.n = n;
  return row;
}

/** The reference on the product grid: as is, or aggregated (block mean) from a finer nested grid. */
function alignReference(product: Series, reference: Series, minValidFraction: number, notes: string[]): Series {
  if (sameGrid(product.grid, reference.grid)) return reference;
  let finer = true;
  try {
    checkNesting(product.grid, reference.grid);
  } catch (e) {
    if (!isSoilscaleError(e)) throw e;
    finer = false;
  }
  if (finer) {
    notes.push(`reference aggregated (block mean, ≥ ${minValidFraction * 100}% valid) from ${describeGrid(reference.grid)} to the product grid`);
    return aggregateSeries(reference, product.grid, { method: 'mean', minValidFraction });
  }
  let coarser = true;
  try {
    checkNesting(reference.grid, product.grid);
  } catch {
    coarser = false;
  }
  throw inputError(coarser ? 'the reference is coarser than the product; validate on the reference grid or give a finer reference' : 'the reference grid neither equals nor nests in the product grid', {
    path: `${ID}.inputs.reference`,
    expected: `the product grid ${describeGrid(product.grid)} or a finer grid nesting in it`,
    found: describeGrid(reference.grid),
  });
}

function coarseGridFor(product: Series, coarse: Series | undefined, factor: number | undefined): Grid | undefined {
  if (coarse) {
    try {
      checkNesting(coarse.grid, product.grid);
    } catch (e) {
      throw inputError('the product grid does not nest in the coarse grid', {
        path: `${ID}.inputs.coarse`,
        expected: `a grid the product grid ${describeGrid(product.grid)} nests in`,
        found: `${describeGrid(coarse.grid)}${isSoilscaleError(e) ? ` (${e.message})` : ''}`,
      });
    }
    return coarse.grid;
  }
  if (factor === undefined) return undefined;
  if (!isNorthUp(product.grid)) {
    throw inputError('coarseFactor needs a north-up product grid', { path: `${ID}.with.coarseFactor`, expected: 'a north-up grid', found: describeGrid(product.grid) });
  }
  const t = product.grid.transform;
  return createGrid(Math.ceil(product.grid.width / factor), Math.ceil(product.grid.height / factor), [t[0], t[1] * factor, 0, t[3], 0, t[5] * factor], product.grid.crs);
}


function subgridTable(dates: readonly string[], metrics: readonly PairedMetrics[], cells: readonly number[], nest: Nesting, minPairs: number): RecordTable {
  const rows = dates.map((date, m) => subgridRow(date, metrics[m], cells[m], minPairs));
  const pooled = subgridRow('all', metrics[dates.length], Number.NaN, minPairs);
  return recordTable([pooled, ...rows], undefined, [
    `anomalies = value − its coarse-cell mean (${nest.factorX}×${nest.factorY} product pixels per cell), means over pixels valid in both; cells with < 2 such pixels skipped`,
    'stdRatio = std(product anomalies)/std(reference anomalies): below 1 means the product has less sub-grid detail than the reference',
  ]);
}

function subgridRow(date: string, m: PairedMetrics, cells: number, minPairs: number): Row {
  const ok = m.n >= minPairs;
  const v = (x: number): number | null => (ok ? finiteOrNull(x) : null);
  return {
    date,
    n: m.n,
    cells: finiteOrNull(cells),
    r: v(m.r),
    pValue: v(m.pValue),
    ubrmse: v(m.ubrmse),
    rmse: v(m.rmse),
    stdProduct: v(m.stdProduct),
    stdReference: v(m.stdReference),
    stdRatio: v(m.stdProduct / m.stdReference),
  };
}

/** Block mean of the product vs the coarse product on each date both have: the mass-conservation error (tiles' cells merged in cell order). */
function consistencyTable(dates: readonly string[], counts: readonly CountSummary[], minValidFraction: number): RecordTable {
  const rows: Row[] = [];
  let sumAbs = 0, sum = 0, n = 0, maxAbs = 0;
  dates.forEach((date, i) => {
    const errors = counts.flatMap((t) => t.consistency[i]).sort((a, b) => a[0] - b[0]);
    let dn = 0, dAbs = 0, dSum = 0, dMax = 0;
    for (const [, d] of errors) {
      dn++;
      dSum += d;
      dAbs += Math.abs(d);
      dMax = Math.max(dMax, Math.abs(d));
    }
    rows.push({ date, cells: dn, meanAbsError: dn ? dAbs / dn : null, maxAbsError: dn ? dMax : null, bias: dn ? dSum / dn : null });
    n += dn;
    sum += dSum;
    sumAbs += dAbs;
    maxAbs = Math.max(maxAbs, dMax);
  });
  return recordTable([{ date: 'all', cells: n, meanAbsError: n ? sumAbs / n : null, maxAbsError: n ? maxAbs : null, bias: n ? sum / n : null }, ...rows], undefined, [
    `block mean of the product (≥ ${minValidFraction * 100}% valid pixels) minus the coarse value, over coarse cells valid in both; 0 = mass conserved`,
  ]);
}
