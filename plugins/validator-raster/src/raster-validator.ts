import {
  aggregateSeries,
  aggregateToGrid,
  checkNesting,
  createGrid,
  describeGrid,
  inputError,
  intervalCoverage,
  isNorthUp,
  isSoilscaleError,
  isStatic,
  METRIC_COLUMNS,
  metricsTableRow,
  pairedMetricsOfChunks,
  recordTable,
  sameGrid,
  type Grid,
  type Nesting,
  type PairChunk,
  type PluginContext,
  type RecordTable,
  type Series,
  type ValidateInput,
  type ValidationResult,
  type Validator,
} from '../../../core/index.js';
import type { RasterValidatorParams } from '../index.js';

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

      // Exact date matching; a static reference answers every date.
      const pDates = isStatic(product) ? [''] : product.dates;
      const matched: { date: string; p: Float32Array; r: Float32Array }[] = [];
      pDates.forEach((date, i) => {
        const j = isStatic(reference) ? 0 : reference.dates.indexOf(date);
        if (j >= 0) matched.push({ date, p: product.values[i], r: reference.values[j] });
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

      const overall = pairedMetricsOfChunks(matched.map((m): PairChunk => [m.p, m.r]));
      const tables: Record<string, RecordTable> = {
        summary: recordTable([{ scope: 'all', dates: matched.length, productDatesWithoutReference: unmatched, ...metricsTableRow(overall) }], undefined, [
          'pooled over all pixel-dates where product and reference are valid; bias = mean(product − reference)',
        ]),
        perDate: recordTable(
          matched.map((m) => {
            const pm = pairedMetricsOfChunks([[m.p, m.r]], PER_DATE);
            return pm.n >= params.minPairs ? { date: m.date, ...metricsTableRow(pm) } : { date: m.date, ...nullMetrics(pm.n) };
          }),
          undefined,
          [`dates with fewer than ${params.minPairs} valid pairs have empty metrics`],
        ),
      };

      if (coarseGrid) {
        const nesting = checkNesting(coarseGrid, product.grid);
        tables.subgrid = subgridTable(matched, product.grid, coarseGrid, nesting, params.minPairs);
      } else {
        notes.push('no coarse grid (neither a `coarse` input nor `coarseFactor`): sub-grid metrics skipped');
      }
      if (input.lower || input.upper) tables.intervals = intervalsTable(product, input.lower, input.upper, matched);
      if (input.coarse) {
        tables.consistency = consistencyTable(product, input.coarse, params.minValidFraction, notes);
      } else {
        notes.push('no `coarse` input: the mass-conservation (consistency) check was skipped');
      }
      context.logger.debug(`${ID}: ${matched.length} date(s) compared`, { n: overall.n });
      return { tables, notes };
    },
  };
}

/** Coverage of the reference by [lower, upper] and the mean width, pooled and per date. */
function intervalsTable(product: Series, lower: Series | undefined, upper: Series | undefined, matched: readonly { date: string; r: Float32Array }[]): RecordTable {
  for (const [name, s] of [['lower', lower], ['upper', upper]] as const) {
    if (!s) throw inputError(`interval bound '${name}' missing`, { path: `${ID}.inputs.${name}`, expected: 'both lower and upper series', found: `only ${name === 'lower' ? 'upper' : 'lower'}` });
    if (!sameGrid(s.grid, product.grid)) throw inputError(`interval bound '${name}' is not on the product grid`, { path: `${ID}.inputs.${name}`, expected: describeGrid(product.grid), found: describeGrid(s.grid) });
  }
  const bound = (s: Series, date: string) => (isStatic(s) ? s.values[0] : s.values[s.dates.indexOf(date)]);
  const pooled = intervalCoverage();
  const rows: Row[] = [];
  for (const m of matched) {
    const l = bound(lower!, m.date);
    const u = bound(upper!, m.date);
    if (!l || !u) continue;
    const one = intervalCoverage();
    one.add(l, u, m.r);
    pooled.add(l, u, m.r);
    const c = one.result();
    rows.push({ date: m.date, n: c.n, coverage: finiteOrNull(c.coverage), meanWidth: finiteOrNull(c.meanWidth) });
  }
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

/** The coarse cell of each fine pixel (−1 outside the coarse grid); the same for every date, so computed once. */
function cellIndex(fine: Grid, coarse: Grid, nest: Nesting): Int32Array {
  const cellOf = new Int32Array(fine.width * fine.height).fill(-1);
  for (let row = 0; row < fine.height; row++) {
    const R = Math.floor((row + nest.offsetRow) / nest.factorY);
    if (R >= coarse.height) continue;
    for (let col = 0; col < fine.width; col++) {
      const C = Math.floor((col + nest.offsetCol) / nest.factorX);
      if (C >= coarse.width) continue;
      cellOf[row * fine.width + col] = R * coarse.width + C;
    }
  }
  return cellOf;
}

/**
 * Within-coarse-cell anomalies: x − mean of x over the cell, where the means use only pixels valid in
 * both product and reference (so a gap in one does not shift the other's anomaly).
 */
function cellAnomalies(p: Float32Array, r: Float32Array, cellOf: Int32Array, nCells: number): [Float32Array, Float32Array, number] {
  const sp = new Float64Array(nCells);
  const sr = new Float64Array(nCells);
  const cnt = new Int32Array(nCells);
  for (let k = 0; k < p.length; k++) {
    const cell = cellOf[k];
    if (cell < 0 || !(Number.isFinite(p[k]) && Number.isFinite(r[k]))) continue;
    sp[cell] += p[k];
    sr[cell] += r[k];
    cnt[cell]++;
  }
  const pa = new Float32Array(p.length).fill(Number.NaN);
  const ra = new Float32Array(p.length).fill(Number.NaN);
  let cells = 0;
  for (let c = 0; c < nCells; c++) if (cnt[c] >= 2) cells++;
  for (let k = 0; k < p.length; k++) {
    const c = cellOf[k];
    // A cell with a single valid pixel has no within-cell variation to compare.
    if (c < 0 || cnt[c] < 2 || !(Number.isFinite(p[k]) && Number.isFinite(r[k]))) continue;
    pa[k] = p[k] - sp[c] / cnt[c];
    ra[k] = r[k] - sr[c] / cnt[c];
  }
  return [pa, ra, cells];
}

/**
 * Per-date rows rank (Spearman ρ, KL) a systematic subsample of at most 20 000 pairs — plenty for a
 * correlation, and per date it is most of the validation's cost on 30 m grids (two sorts per date);
 * moment metrics (R, RMSE, ubRMSE, bias, …) stay exact. The pooled row ranks up to 1 M pairs.
 */
const PER_DATE = { maxSample: 20_000 } as const;

/** The sub-grid rows report moments only (R, ubRMSE, stds): skip the per-pair sort and logarithm of Spearman/KL. */
const MOMENTS_ONLY = { rankMetrics: false } as const;

function subgridTable(
  matched: readonly { date: string; p: Float32Array; r: Float32Array }[],
  fine: Grid,
  coarse: Grid,
  nest: Nesting,
  minPairs: number,
): RecordTable {
  const chunks: PairChunk[] = [];
  const rows: Row[] = [];
  const cellOf = cellIndex(fine, coarse, nest);
  for (const m of matched) {
    const [pa, ra, cells] = cellAnomalies(m.p, m.r, cellOf, coarse.width * coarse.height);
    chunks.push([pa, ra]);
    rows.push(subgridRow(m.date, pairedMetricsOfChunks([[pa, ra]], MOMENTS_ONLY), cells, minPairs));
  }
  const pooled = subgridRow('all', pairedMetricsOfChunks(chunks, MOMENTS_ONLY), Number.NaN, minPairs);
  return recordTable([pooled, ...rows], undefined, [
    `anomalies = value − its coarse-cell mean (${nest.factorX}×${nest.factorY} product pixels per cell), means over pixels valid in both; cells with < 2 such pixels skipped`,
    'stdRatio = std(product anomalies)/std(reference anomalies): below 1 means the product has less sub-grid detail than the reference',
  ]);
}

function subgridRow(date: string, m: ReturnType<typeof pairedMetricsOfChunks>, cells: number, minPairs: number): Row {
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

/** Block mean of the product vs the coarse product on each date both have: the mass-conservation error. */
function consistencyTable(product: Series, coarse: Series, minValidFraction: number, notes: string[]): RecordTable {
  const rows: Row[] = [];
  let sumAbs = 0, sum = 0, n = 0, maxAbs = 0;
  const pDates = isStatic(product) ? [''] : product.dates;
  let missing = 0;
  pDates.forEach((date, i) => {
    const j = isStatic(coarse) ? 0 : coarse.dates.indexOf(date);
    if (j < 0) {
      missing++;
      return;
    }
    const agg = aggregateToGrid(product.values[i], product.grid, coarse.grid, { method: 'mean', minValidFraction });
    const c = coarse.values[j];
    let dn = 0, dAbs = 0, dSum = 0, dMax = 0;
    for (let k = 0; k < agg.length; k++) {
      if (!(Number.isFinite(agg[k]) && Number.isFinite(c[k]))) continue;
      const d = agg[k] - c[k];
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
  if (missing) notes.push(`consistency: ${missing} product date(s) have no coarse value on the same date`);
  return recordTable([{ date: 'all', cells: n, meanAbsError: n ? sumAbs / n : null, maxAbsError: n ? maxAbs : null, bias: n ? sum / n : null }, ...rows], undefined, [
    `block mean of the product (≥ ${minValidFraction * 100}% valid pixels) minus the coarse value, over coarse cells valid in both; 0 = mass conserved`,
  ]);
}
