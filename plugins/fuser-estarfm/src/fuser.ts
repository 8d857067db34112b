/**
 * `fuser:estarfm`: the Fuser over series. Resamples the coarse series to the fine grid when needed,
 * plans base pairs per target date, runs one tile stage per pair with all of that pair's targets
 * (`pairStage`, through `context.tiles`), and reports the plan as the `pairs` table.
 */
import {
  inputError,
  isStatic,
  makeSeries,
  recordTable,
  resampleSeries,
  sameGrid,
  describeGrid,
  usageError,
  type FuseInput,
  type Fuser,
  type NodeReport,
  type PluginContext,
  type Series,
  type TileInputRequest,
  type TileStageRequest,
} from '../../../core/index.js';
import { kernelOptions, similarityThresholds, splitRect, type EstarfmOptions, type PairFusionInput } from './pair-fusion.js';
import { bandOutput, coarseInput, fineInput, fusePairTileTask, type PairTileParams } from './pair-tile.js';
import { valueRange } from './value-range.js';
import { baseDistances, planFusion, type OutsideSpan, type PlanEntry } from './time-series.js';

/** The manifest's params after defaults. */
export interface EstarfmParams {
  readonly compat: 'default' | 'zhu2018';
  readonly variant: 'classic' | 'fast';
  readonly halfWindow: number;
  readonly numClasses: number;
  /** Valid range; when absent, inferred from the variables and the data (see value-range.ts). */
  readonly dnMin?: number;
  readonly dnMax?: number;
  readonly background: number;
  readonly blockSize: number;
  readonly similarPixels: number;
  readonly coarseResample: 'bilinear' | 'nearest' | 'bicubic';
  readonly outsideSpan: OutsideSpan;
  readonly minPairCoverage: number;
  readonly truncate: boolean;
  /** Deprecated: the run's tiles are used. */
  readonly tileSize?: number;
}

export { PHYSICAL_RANGES, physicalRange, valueRange } from './value-range.js';

export function estarfmFuser(params: EstarfmParams, context: PluginContext): Fuser {
  if (params.tileSize !== undefined) context.warn('estarfm-tile-size-ignored', `fuser:estarfm tileSize ${params.tileSize} is ignored: the fusion runs on the run's tiles (--tile-size)`);
  return {
    async fuse(input: FuseInput) {
      const { coarse, fine } = checkInput(input);
      const fineGrid = fine[0].grid;
      const notes: string[] = [];
      const onFine = coarse.map((c) => {
        if (sameGrid(c.grid, fineGrid)) return c;
        return resampleSeries(c, fineGrid, params.coarseResample);
      });
      if (onFine.some((c, i) => c !== coarse[i])) notes.push(`coarse series resampled to the fine grid (${params.coarseResample})`);
      const coarseDates = onFine[0].dates;
      const targets = input.dates ?? coarseDates;
      checkTargets(targets, coarseDates, fine[0].dates);

      const range = valueRange(params, fine, onFine, params.background);
      if (range.note) notes.push(range.note);
      if (range.warning) context.warn(range.warning.code, range.warning.message);
      const options: PairOptions = {
        halfWindow: params.halfWindow,
        numClasses: params.numClasses,
        dnMin: range.min,
        dnMax: range.max,
        background: params.background,
        compat: params.compat,
        blockSize: params.blockSize,
        similarPixels: params.variant === 'fast' ? params.similarPixels : 0,
      };

      const coarseIndex = new Map(coarseDates.map((d, i) => [d, i]));
      const pairDates = fine[0].dates.filter((d, i) => {
        const ci = coarseIndex.get(d);
        if (ci === undefined) return false;
        const coverage = Math.min(...fine.map((f) => validFraction(f.values[i])), ...onFine.map((c) => validFraction(c.values[ci])));
        if (coverage < params.minPairCoverage) notes.push(`${d}: not used as a base pair (valid fraction ${coverage.toFixed(3)} < minPairCoverage ${params.minPairCoverage})`);
        return coverage >= params.minPairCoverage;
      });
      const plan = planFusion(targets, fine[0].dates, pairDates, params.outsideSpan);

      const n = fineGrid.width * fineGrid.height;
      const out: Float32Array[][] = fine.map(() => targets.map(() => new Float32Array(0)));
      const fineAt = (b: number, date: string) => fine[b].values[fine[b].dates.indexOf(date)];
      const coarseAt = (b: number, date: string) => onFine[b].values[coarseIndex.get(date)!];

      // Group predicted dates by their base pair: the similar-pixel search is shared by the group.
      const groups = new Map<string, number[]>();
      plan.forEach((e, t) => {
        if (e.method === 'fine') fine.forEach((_, b) => (out[b][t] = Float32Array.from(fineAt(b, e.date))));
        else if (e.method === 'nodata') fine.forEach((_, b) => (out[b][t] = new Float32Array(n).fill(Number.NaN)));
        else {
          const key = `${e.base1}|${e.base2}`;
          groups.set(key, [...(groups.get(key) ?? []), t]);
        }
      });
      const progress = context.progress.start('estarfm pairs', groups.size);
      for (const [key, ts] of groups) {
        const [d1, d2] = key.split('|');
        const outputs = await context.tiles.run(pairStage({ fine, coarse: onFine, base1: d1, base2: d2, targets: ts.map((t) => plan[t].date) }, options, params.truncate));
        ts.forEach((t, k) => fine.forEach((_, b) => (out[b][t] = outputs[bandOutput(b)].values[k])));
        progress.tick();
        context.logger.debug('estarfm pair done', { base1: d1, base2: d2, targets: ts.length });
      }
      progress.done();

      const product = fine.map((f, b) => makeSeries({ variable: f.variable, grid: fineGrid, dates: targets, values: out[b], unit: f.unit }));
      const fallbacks = plan.filter((e) => e.method === 'extrapolate' || e.method === 'single-pair' || e.method === 'nodata');
      if (fallbacks.length) context.warn('fusion-fallback', `${fallbacks.length} of ${plan.length} dates used a fallback (extrapolation, a single pair or no data; see the pairs table)`);
      const report: NodeReport = { tables: { pairs: pairsTable(plan) }, notes };
      return { product, ...report };
    },
  };
}

/** The algorithm's options; the tiles are the run's. */
type PairOptions = Omit<EstarfmOptions, 'tileSize'>;

/** One base pair and the dates it predicts, per band, on the fine grid. */
interface PairGroup {
  readonly fine: readonly Series[];
  readonly coarse: readonly Series[];
  readonly base1: string;
  readonly base2: string;
  readonly targets: readonly string[];
}

/**
 * The tile stage of one base pair: the scene-wide similarity thresholds (per zhu2018 block) computed
 * here, once; each tile reads only the pair's fine images and the coarse images it needs, grown by w.
 */
export function pairStage(group: PairGroup, options: PairOptions, truncate: boolean): TileStageRequest<PairTileParams> {
  const { fine, coarse, base1, base2, targets } = group;
  const grid = fine[0].grid;
  const at = (s: Series, date: string) => s.values[s.dates.indexOf(date)];
  const whole: PairFusionInput = {
    width: grid.width,
    height: grid.height,
    fine1: fine.map((f) => at(f, base1)),
    coarse1: coarse.map((c) => at(c, base1)),
    fine2: fine.map((f) => at(f, base2)),
    coarse2: coarse.map((c) => at(c, base2)),
    targets: [],
  };
  const compat = options.compat === 'zhu2018';
  const image = { x: 0, y: 0, width: grid.width, height: grid.height };
  const domains = (compat ? splitRect(image, options.blockSize) : [image]).map((d) => ({ ...d, thresholds: Array.from(similarityThresholds(whole, d, options)) }));
  const only = (s: Series, dates: readonly string[]) => makeSeries({ variable: s.variable, unit: s.unit, grid: s.grid, dates, values: dates.map((d) => at(s, d)) });
  const bases = base1 === base2 ? [base1] : [base1, base2];
  const coarseDates = [...new Set([...bases, ...targets])].sort();
  const halo = options.halfWindow;
  const inputs: Record<string, TileInputRequest> = {};
  fine.forEach((f, b) => {
    inputs[fineInput(b)] = { series: only(f, bases), halo };
    inputs[coarseInput(b)] = { series: only(coarse[b], coarseDates), halo };
  });
  const kernel = kernelOptions(options, { diagnostics: false });
  return {
    name: `pair-${base1}-${base2}`,
    task: fusePairTileTask,
    params: { bands: fine.length, base1, base2, kernel, domains, truncate },
    grid,
    dates: targets,
    inputs,
    outputs: fine.map((f, b) => ({ name: bandOutput(b), variable: f.variable, unit: f.unit })),
  };
}

function validFraction(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) n++;
  return a.length ? n / a.length : 0;
}

/** The pairs table: per target date, the method, the base dates and their distance in days. */
export function pairsTable(plan: readonly PlanEntry[]) {
  return recordTable(
    plan.map((e) => ({ date: e.date, method: e.method, base1: e.base1 ?? null, base2: e.base2 ?? null, ...baseDistances(e), note: e.note ?? null })),
    ['date', 'method', 'base1', 'base2', 'days1', 'days2', 'note'],
  );
}

function checkInput(input: FuseInput): { coarse: readonly Series[]; fine: readonly Series[] } {
  const { coarse, fine } = input;
  if (!coarse?.length || !fine?.length) {
    throw usageError('fuser:estarfm needs coarse and fine series', { path: 'coarse/fine', expected: 'one series per band in each', found: `${coarse?.length ?? 0} coarse, ${fine?.length ?? 0} fine` });
  }
  if (coarse.length !== fine.length) {
    throw usageError('coarse and fine must have the same bands', { path: 'coarse/fine', expected: `${fine.length} coarse series (one per fine band)`, found: `${coarse.length}` });
  }
  const all = [...coarse, ...fine];
  const staticOne = all.find(isStatic);
  if (staticOne) throw inputError('fusion needs dated series', { path: staticOne.variable, expected: 'a series with dates', found: 'a static layer' });
  coarse.forEach((c, b) => {
    if (!sameGrid(c.grid, coarse[0].grid) || c.dates.join() !== coarse[0].dates.join()) {
      throw inputError('coarse bands must share grid and dates', { path: `coarse[${b}] (${c.variable})`, expected: `${describeGrid(coarse[0].grid)}, ${coarse[0].dates.length} dates`, found: `${describeGrid(c.grid)}, ${c.dates.length} dates` });
    }
  });
  fine.forEach((f, b) => {
    if (!sameGrid(f.grid, fine[0].grid) || f.dates.join() !== fine[0].dates.join()) {
      throw inputError('fine bands must share grid and dates', { path: `fine[${b}] (${f.variable})`, expected: `${describeGrid(fine[0].grid)}, ${fine[0].dates.length} dates`, found: `${describeGrid(f.grid)}, ${f.dates.length} dates` });
    }
  });
  return { coarse, fine };
}

function checkTargets(targets: readonly string[], coarseDates: readonly string[], fineDates: readonly string[]): void {
  const known = new Set([...coarseDates, ...fineDates]);
  const missing = targets.filter((d) => !known.has(d));
  if (missing.length) {
    throw usageError('cannot predict dates without a coarse image', { path: 'dates', expected: 'dates of the coarse series (or fine dates)', found: missing.slice(0, 5).join(', ') + (missing.length > 5 ? ', …' : '') });
  }
  for (let i = 1; i < targets.length; i++) {
    if (!(targets[i - 1] < targets[i])) throw usageError('target dates must be strictly ascending', { path: 'dates', expected: 'ascending ISO dates', found: `${targets[i - 1]}, ${targets[i]}` });
  }
}
