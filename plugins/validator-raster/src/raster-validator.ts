import {
  addCentredSums,
  addPairTotals,
  centredFromRawMoments,
  centredSumsFromJson,
  checkNesting,
  createGrid,
  describeGrid,
  EMPTY_CENTRED_SUMS,
  EMPTY_PAIR_TOTALS,
  EXACT_ZERO,
  exactAdd,
  exactFromJson,
  exactToNumber,
  inputError,
  isNorthUp,
  isSoilscaleError,
  isStatic,
  METRIC_COLUMNS,
  metricsOfSums,
  metricsTableRow,
  NO_RANK_METRICS,
  pairMeans,
  pairTotalsFromJson,
  recordTable,
  runSummaryStage,
  sameGrid,
  type CentredSums,
  type Exact,
  type Grid,
  type Nesting,
  type PairedMetrics,
  type PairTotals,
  type PairTotalsJson,
  type PluginContext,
  type RankMetrics,
  type RecordTable,
  type Series,
  type TileInputRequest,
  type ValidateInput,
  type ValidationResult,
  type Validator,
} from '../../../core/index.js';
import type { RasterValidatorParams } from '../index.js';
import { rankInParallel } from './parallel-ranks.js';
import { mergeDateSamples, sampleThreshold, type SamplePairs } from './rank-sample.js';
import {
  centredTileTask,
  totalsTileTask,
  type CentredParams,
  type CentredSummary,
  type ConsistencyTotalsJson,
  type MatchedDate,
  type TotalsSummary,
  type ValidateTileParams,
} from './validate-tile.js';

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
      const { reference, finer } = checkReference(product, input.reference, params.minValidFraction, notes);
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
      const coarse = input.coarse;
      const consistency = coarse ? pDates.flatMap((date, i) => (at(coarse, date) < 0 ? [] : [{ product: i, coarse: at(coarse, date) }])) : [];

      // The tile stages read the series by window from the run's tile store: the validator itself never
      // holds more than the tables and the rank sample.
      const nesting = coarseGrid && checkNesting(coarseGrid, product.grid);
      const { align, segment } = tileLayout(product.grid, nesting);
      const tileParams: ValidateTileParams = { matched, dateOffset: 0, ...(coarseGrid ? { coarseGrid } : {}), consistency, minValidFraction: params.minValidFraction, segment, ...(finer ? { referenceFiner: true } : {}) };
      const inputs: Record<string, TileInputRequest> = { product: { series: product }, reference: { series: reference } };
      if (bounds) Object.assign(inputs, { lower: { series: bounds.lower }, upper: { series: bounds.upper } });
      if (coarse) inputs.coarse = { series: coarse };
      const suffix = stageSuffix(context.tiles);
      const groups = dateGroups(tileParams, context.workers.size);
      const firsts = await Promise.all(
        groups.map((group, g) => runSummaryStage(context.tiles, { name: groupStageName('totals', suffix, g, groups.length), task: totalsTileTask, params: group, grid: product.grid, align, dates: [], inputs, outputs: [] })),
      );
      const tiles = joinGroups(firsts.map((f) => f.summaries as unknown as TotalsSummary[]));
      const totals = setTotals(tiles, matched.length, (t) => t.pairs);
      const anomalies = coarseGrid ? setTotals(tiles, matched.length, (t) => t.anomalies) : undefined;
      const second = await centredPass(context, { grid: product.grid, align, product, reference, name: (g) => groupStageName('centred', suffix, g, groups.length) }, groups, totals);

      const overall = metricsOfSums(totals.pooled, second.pooled, second.pooledRanks);
      const tables: Record<string, RecordTable> = {
        summary: recordTable([{ scope: 'all', dates: matched.length, productDatesWithoutReference: unmatched, ...metricsTableRow(overall) }], undefined, [
          'pooled over all pixel-dates where product and reference are valid; bias = mean(product − reference)',
        ]),
        perDate: recordTable(
          dates.map((date, m) => {
            const t = totals.dates[m];
            return t.n >= params.minPairs ? { date, ...metricsTableRow(metricsOfSums(t, second.dates[m], second.dateRanks[m])) } : { date, ...nullMetrics(t.n) };
          }),
          undefined,
          [`dates with fewer than ${params.minPairs} valid pairs have empty metrics`],
        ),
      };

      if (coarseGrid && nesting) {
        tables.subgrid = subgridTable(dates, tiles, anomalies!, nesting, params.minPairs);
      } else {
        notes.push('no coarse grid (neither a `coarse` input nor `coarseFactor`): sub-grid metrics skipped');
      }
      if (bounds) tables.intervals = intervalsTable(dates, tiles);
      if (coarse) {
        tables.consistency = consistencyTable(consistency.map((c) => pDates[c.product]), tiles, params.minValidFraction);
        if (consistency.length < pDates.length) notes.push(`consistency: ${pDates.length - consistency.length} product date(s) have no coarse value on the same date`);
      } else {
        notes.push('no `coarse` input: the mass-conservation (consistency) check was skipped');
      }
      context.logger.debug(`${ID}: ${matched.length} date(s) compared`, { n: overall.n });
      return { tables, notes };
    },
  };
}

/** Validations so far on each tile service (a node's scope), in call order. */
const validationsOn = new WeakMap<object, number>();

/**
 * `''` for a node's first validation, `-2`, `-3`, … for the next ones: a node validating several
 * alternatives (a `compare` product) calls the validator once each on the same scope, and each needs its
 * own stages in the tile store (the same names in the same order when the run is resumed).
 */
function stageSuffix(tiles: object): string {
  const k = (validationsOn.get(tiles) ?? 0) + 1;
  validationsOn.set(tiles, k);
  return k === 1 ? '' : `-${k}`;
}

/**
 * Tiles of whole coarse cells, so cell and block means are the whole raster's, and of whole row segments
 * (the plain-sum runs of core/metrics/pair-sums.ts), so the sums are the same bits for any tiling: a
 * segment of the coarse factor, times what makes it ≥ 16 px. An offset or non-square nesting runs as one tile.
 */
function tileLayout(grid: Grid, nesting: Nesting | undefined): { align: number; segment: number } {
  const MIN_SEGMENT = 16;
  if (!nesting) return { align: MIN_SEGMENT, segment: MIN_SEGMENT };
  if (nesting.factorX !== nesting.factorY || nesting.offsetCol !== 0 || nesting.offsetRow !== 0) return { align: Math.max(grid.width, grid.height), segment: MIN_SEGMENT };
  const segment = nesting.factorX * Math.ceil(MIN_SEGMENT / nesting.factorX);
  return { align: segment, segment };
}

/** Each matched date's first-pass totals (tiles added exactly) and the pooled totals. */
interface SetTotals {
  readonly dates: readonly PairTotals[];
  readonly pooled: PairTotals;
}

function setTotals(tiles: readonly TotalsSummary[], dates: number, pick: (t: TotalsSummary) => readonly PairTotalsJson[]): SetTotals {
  const perDate = Array.from({ length: dates }, (_, m) => tiles.reduce((acc, t) => addPairTotals(acc, pairTotalsFromJson(pick(t)[m])), EMPTY_PAIR_TOTALS));
  return { dates: perDate, pooled: perDate.reduce(addPairTotals, EMPTY_PAIR_TOTALS) };
}

/**
 * Per-date rows rank (Spearman ρ, KL) a sample of about 20 000 pairs — plenty for a correlation, and
 * per date it is most of the validation's cost on 30 m grids (two sorts per date); the pooled row ranks
 * about 1 M pairs. Below those sizes every pair is ranked. Moment metrics always use every pair.
 */
const PER_DATE_SAMPLE = 20_000;
const POOLED_SAMPLE = 1_000_000;

interface CentredPass {
  readonly dates: readonly CentredSums[];
  readonly pooled: CentredSums;
  readonly dateRanks: readonly RankMetrics[];
  readonly pooledRanks: RankMetrics;
}

/**
 * The second pass: sums centred on each set's means, and the sample the rank metrics use, read from the
 * tiles in raster order (date, row, column): the same pairs in the same order whatever the tiling.
 */
async function centredPass(
  context: PluginContext,
  stage: { grid: Grid; align: number; product: Series; reference: Series; name: (group: number) => string },
  groups: readonly ValidateTileParams[],
  totals: SetTotals,
): Promise<CentredPass> {
  const { grid } = stage;
  const dateMeans = totals.dates.map(pairMeans);
  const dateKeep = totals.dates.map((s) => sampleThreshold(s.n, PER_DATE_SAMPLE));
  const pooledKeep = sampleThreshold(totals.pooled.n, POOLED_SAMPLE);
  const runs = await Promise.all(
    groups.map((group, g) => {
      const span = <T>(list: readonly T[]) => list.slice(group.dateOffset, group.dateOffset + group.matched.length);
      const params: CentredParams = { ...group, dateMeans: span(dateMeans), pooledMeans: pairMeans(totals.pooled), dateKeep: span(dateKeep), pooledKeep, gridWidth: grid.width, gridPixels: grid.width * grid.height };
      return runSummaryStage(context.tiles, { name: stage.name(g), task: centredTileTask, params, grid, align: stage.align, dates: [], inputs: { product: { series: stage.product }, reference: { series: stage.reference } }, outputs: [] });
    }),
  );
  const windows = runs[0].windows;
  const tiles = runs.flatMap((r) => r.summaries as unknown as CentredSummary[]);
  const dates = runs.flatMap((r) => groupDates(r.summaries as unknown as CentredSummary[]).map((perTile) => perTile.reduce((acc, t) => addCentredSums(acc, centredSumsFromJson(t)), EMPTY_CENTRED_SUMS)));
  const pooled = tiles.reduce((acc, t) => addCentredSums(acc, centredSumsFromJson(t.pooled)), EMPTY_CENTRED_SUMS);
  // Each date's sample (the larger of its two) and the pairs it holds of the other, then the pooled sample in date order.
  const merged = runs.flatMap((r) => {
    const summaries = r.summaries as unknown as CentredSummary[];
    return summaries[0].sample.map((_, m) => mergeDateSamples(windows, summaries.map((t) => t.sample[m])));
  });
  const dateHoldsPooled = dateKeep.map((keep) => keep >= pooledKeep);
  const pooledSample = concatPairs(merged.map((s, m) => (dateHoldsPooled[m] ? s.smaller : s.larger)));
  const ranks = await rankInParallel(context.workers, merged.map((s, m) => (dateHoldsPooled[m] ? s.larger : s.smaller)), pooledSample);
  return { dates, pooled, dateRanks: ranks.dates, pooledRanks: ranks.pooled };
}

/** A group's centred sums by date, each the list of its tiles' sums. */
function groupDates(summaries: readonly CentredSummary[]): (readonly string[])[][] {
  return summaries[0].date.map((_, m) => summaries.map((t) => t.date[m]));
}

/**
 * Runs of consecutive matched dates (and of consistency dates) validated as separate stages side by side:
 * a grid of fewer tiles than threads — the demo's 297 px grid is one coarse cell, so one tile, since
 * tiles hold whole cells — would leave the other threads idle. Every sum is exact and either per date or
 * pooled over dates, so the grouping changes no bit. One group (the stages keep their plain names) below
 * twice `MIN_GROUP_DATES` dates or on one thread.
 */
const MIN_GROUP_DATES = 8;

function dateGroups(params: ValidateTileParams, threads: number): ValidateTileParams[] {
  const k = Math.max(1, Math.min(threads, Math.floor(params.matched.length / MIN_GROUP_DATES)));
  const part = <T>(list: readonly T[], g: number) => list.slice(Math.floor((g * list.length) / k), Math.floor(((g + 1) * list.length) / k));
  return Array.from({ length: k }, (_, g) => ({ ...params, matched: part(params.matched, g), consistency: part(params.consistency, g), dateOffset: Math.floor((g * params.matched.length) / k) }));
}

function groupStageName(stage: string, suffix: string, group: number, groups: number): string {
  return groups === 1 ? `${stage}${suffix}` : `${stage}${suffix}.${group + 1}of${groups}`;
}

/** The groups' tile summaries as one per tile (the groups' stages have the same tiles): their per-date lists joined in date order. */
function joinGroups(groups: readonly (readonly TotalsSummary[])[]): TotalsSummary[] {
  return groups[0].map((_, t) => ({
    pairs: groups.flatMap((g) => g[t].pairs),
    anomalies: groups.flatMap((g) => g[t].anomalies),
    cells: groups.flatMap((g) => g[t].cells),
    intervals: groups.flatMap((g) => g[t].intervals),
    consistency: groups.flatMap((g) => g[t].consistency),
  }));
}

function concatPairs(parts: readonly SamplePairs[]): SamplePairs {
  const n = parts.reduce((k, p) => k + p.product.length, 0);
  const out = { product: new Float64Array(n), reference: new Float64Array(n) };
  let k = 0;
  for (const p of parts) {
    out.product.set(p.product, k);
    out.reference.set(p.reference, k);
    k += p.product.length;
  }
  return out;
}

/** Both interval bounds, on the product grid. */
function checkBounds(product: Series, lower: Series | undefined, upper: Series | undefined): { lower: Series; upper: Series } {
  for (const [name, s] of [['lower', lower], ['upper', upper]] as const) {
    if (!s) throw inputError(`interval bound '${name}' missing`, { path: `${ID}.inputs.${name}`, expected: 'both lower and upper series', found: `only ${name === 'lower' ? 'upper' : 'lower'}` });
    if (!sameGrid(s.grid, product.grid)) throw inputError(`interval bound '${name}' is not on the product grid`, { path: `${ID}.inputs.${name}`, expected: describeGrid(product.grid), found: describeGrid(s.grid) });
  }
  return { lower: lower!, upper: upper! };
}

/** Coverage of the reference by [lower, upper] and the mean width, pooled and per date. */
function intervalsTable(dates: readonly string[], tiles: readonly TotalsSummary[]): RecordTable {
  let pooledN = 0, pooledInside = 0;
  let pooledWidth = EXACT_ZERO;
  const rows: Row[] = [];
  dates.forEach((date, m) => {
    if (!tiles[0].intervals[m]) return;
    let n = 0, inside = 0;
    let width = EXACT_ZERO;
    for (const t of tiles) {
      const c = t.intervals[m]!;
      n += c.n;
      inside += c.inside;
      width = exactAdd(width, exactFromJson(c.width));
    }
    pooledN += n;
    pooledInside += inside;
    pooledWidth = exactAdd(pooledWidth, width);
    rows.push(intervalRow(date, n, inside, width));
  });
  rows.unshift(intervalRow('all', pooledN, pooledInside, pooledWidth));
  return recordTable(rows, ['date', 'n', 'coverage', 'meanWidth'], ['share of reference pixels inside [lower, upper] and the mean interval width, where all three are valid']);
}

function intervalRow(date: string, n: number, inside: number, width: Exact): Row {
  return { date, n, coverage: n ? inside / n : null, meanWidth: n ? finiteOrNull(exactToNumber(width) / n) : null };
}

function nullMetrics(n: number): Row {
  const row: Row = {};
  for (const k of METRIC_COLUMNS) row[k] = null;
  row.n = n;
  return row;
}

/** The reference on the product grid, or on a finer nested grid (the tiles take its block means). */
function checkReference(product: Series, reference: Series, minValidFraction: number, notes: string[]): { reference: Series; finer: boolean } {
  if (sameGrid(product.grid, reference.grid)) return { reference, finer: false };
  let finer = true;
  try {
    checkNesting(product.grid, reference.grid);
  } catch (e) {
    if (!isSoilscaleError(e)) throw e;
    finer = false;
  }
  if (finer) {
    notes.push(`reference aggregated (block mean, ≥ ${minValidFraction * 100}% valid) from ${describeGrid(reference.grid)} to the product grid`);
    return { reference, finer: true };
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

function subgridTable(dates: readonly string[], tiles: readonly TotalsSummary[], totals: SetTotals, nest: Nesting, minPairs: number): RecordTable {
  const metrics = (t: PairTotals) => metricsOfSums(t, centredFromRawMoments(t), NO_RANK_METRICS);
  const rows = dates.map((date, m) => subgridRow(date, metrics(totals.dates[m]), tiles.reduce((n, t) => n + t.cells[m], 0), minPairs));
  const pooled = subgridRow('all', metrics(totals.pooled), Number.NaN, minPairs);
  return recordTable([pooled, ...rows], undefined, [
    `anomalies = value − its coarse-cell mean (${nest.factorX}×${nest.factorY} product pixels per cell), means over pixels valid in both; cells with < 2 such pixels skipped`,
    'stdRatio = std(product anomalies)/std(reference anomalies): below 1 means the product has less sub-grid detail than the reference',
  ]);
}

/** The sub-grid rows report moments only (R, ubRMSE, stds): no Willmott's d, no ranks. */
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

/** Block mean of the product vs the coarse product on each date both have: the mass-conservation error. */
function consistencyTable(dates: readonly string[], tiles: readonly TotalsSummary[], minValidFraction: number): RecordTable {
  const row = (date: string, totals: readonly ConsistencyTotalsJson[]): Row => {
    let n = 0, max = 0;
    let abs = EXACT_ZERO, sum = EXACT_ZERO;
    for (const t of totals) {
      n += t.n;
      max = Math.max(max, t.max);
      abs = exactAdd(abs, exactFromJson(t.abs));
      sum = exactAdd(sum, exactFromJson(t.sum));
    }
    return { date, cells: n, meanAbsError: n ? exactToNumber(abs) / n : null, maxAbsError: n ? max : null, bias: n ? exactToNumber(sum) / n : null };
  };
  const rows = dates.map((date, i) => row(date, tiles.map((t) => t.consistency[i])));
  return recordTable([row('all', tiles.flatMap((t) => t.consistency)), ...rows], undefined, [
    `block mean of the product (≥ ${minValidFraction * 100}% valid pixels) minus the coarse value, over coarse cells valid in both; 0 = mass conserved`,
  ]);
}
