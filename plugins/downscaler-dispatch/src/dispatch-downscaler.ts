import {
  checkNesting,
  downscaleCoarse,
  downscaleTarget,
  formatDate,
  inputError,
  isStatic,
  makeSeries,
  nearestDateIndex,
  parseDate,
  recordTable,
  resampleToGrid,
  sameGrid,
  usageError,
  type DownscaleInput,
  type DownscaleResult,
  type Downscaler,
  type PluginContext,
  type Grid,
  type Series,
} from '../../../core/index.js';
import { cellLayout, dispatchMember, type CellLayout, type DispatchOptions } from './dispatch-member.js';
import { vegetationCover } from './hourglass.js';
import { createTopographicCorrection } from './topography.js';

/** Parameters of `downscaler:dispatch` (see the manifest). */
export interface DispatchParams extends Omit<DispatchOptions, 'fixedEndmembers'> {
  readonly ndviSoil: number;
  readonly ndviVeg: number;
  readonly fixedEndmembers: { readonly tsMin?: number; readonly tsMax?: number; readonly tvMin?: number; readonly tvMax?: number };
  readonly ensembleDays: number;
  readonly minMembers: number;
  readonly ndviMaxGapDays: number;
  readonly gapFill: 'none' | 'coarse';
  readonly clip: readonly number[];
  /** Correct LST for elevation and illumination when a `dem` predictor is given. */
  readonly topographicCorrection: boolean;
  readonly lapseRate: number;
  readonly overpassHour: number;
  readonly minIlluminationSd: number;
  /** What the correction is added to: the LR value (`cell`) or a cell-conserving bilinear interpolation of it. */
  readonly base: 'cell' | 'bilinear';
  /** ∂SM/∂SEE per LR cell and date (`date`, spec §3.6), or from the cell's time series (`temporal`). */
  readonly smpCalibration: 'date' | 'temporal';
  readonly calibrationDays: number;
  readonly minCalibrationDates: number;
}

const ID = 'downscaler:dispatch';

/**
 * DISPATCH: every coarse date is downscaled once per ensemble member (each `lst*` predictor = one
 * overpass, × each day within ±`ensembleDays`), and the members are averaged; their spread is the
 * uncertainty.
 */
export function createDispatchDownscaler(params: DispatchParams, context: PluginContext): Downscaler {
  if (!(params.ndviVeg > params.ndviSoil)) {
    throw usageError('NDVI end-members out of order', { path: `${ID}.ndviVeg`, expected: `ndviVeg > ndviSoil (${params.ndviSoil})`, found: String(params.ndviVeg) });
  }
  let fixedEndmembers: DispatchOptions['fixedEndmembers'];
  if (params.endmemberScope === 'fixed') {
    const f = params.fixedEndmembers;
    if (![f.tsMin, f.tsMax, f.tvMin, f.tvMax].every((v) => typeof v === 'number')) {
      throw usageError('fixed end-members incomplete', { path: `${ID}.fixedEndmembers`, expected: 'tsMin, tsMax, tvMin, tvMax in K', found: JSON.stringify(f) });
    }
    fixedEndmembers = { tsMin: f.tsMin!, tsMax: f.tsMax!, tvMin: f.tvMin!, tvMax: f.tvMax! };
  }
  const options: DispatchOptions = { ...params, fixedEndmembers };
  const [clipLo, clipHi] = params.clip.length === 2 ? params.clip : [-Infinity, Infinity];

  return {
    async downscale(input: DownscaleInput): Promise<DownscaleResult> {
      const coarse = downscaleCoarse(input, ID);
      const ndvi = input.predictors.ndvi;
      const lstKeys = Object.keys(input.predictors).filter((k) => k === 'lst' || k.startsWith('lst_')).sort();
      if (!ndvi) throw inputError('missing predictor', { path: `${ID}.predictors.ndvi`, expected: 'an NDVI series on the fine grid', found: `predictors ${Object.keys(input.predictors).join(', ') || 'none'}` });
      if (lstKeys.length === 0) throw inputError('missing predictor', { path: `${ID}.predictors.lst`, expected: "an LST series in K (keys 'lst' or 'lst_<overpass>')", found: `predictors ${Object.keys(input.predictors).join(', ')}` });
      if (isStatic(coarse)) throw inputError('coarse SM must be dated', { path: `${ID}.coarse`, expected: 'one raster per date', found: 'a static layer' });
      const grid = downscaleTarget(input, ID, lstKeys[0]);
      const nesting = checkNesting(coarse.grid, grid);
      const layout = cellLayout(grid.width, grid.height, coarse.grid.width, coarse.grid.height, nesting);
      const n = grid.width * grid.height;
      const onGrid = (s: Series, i: number) => (sameGrid(s.grid, grid) ? s.values[i] : resampleToGrid(s.values[i], s.grid, grid, 'bilinear'));
      const dem = input.predictors.dem;
      const topography = dem && params.topographicCorrection ? createTopographicCorrection(onGrid(dem, 0), grid, layout, { lapseRate: params.lapseRate / 1000, overpassHour: params.overpassHour, minIlluminationSd: params.minIlluminationSd }) : undefined;
      const topoRows: Record<string, string | number>[] = [];
      const fvCache = new Map<number, Float32Array>();
      const coverOn = (date: string): Float32Array | undefined => {
        const i = isStatic(ndvi) ? 0 : nearestDateIndex(ndvi.dates, date, params.ndviMaxGapDays);
        if (i < 0) return undefined;
        let fv = fvCache.get(i);
        if (!fv) {
          const v = onGrid(ndvi, i);
          fv = Float32Array.from(v, (x) => vegetationCover(x, params.ndviSoil, params.ndviVeg));
          fvCache.set(i, fv);
        }
        return fv;
      };

      /** The ensemble members of coarse date `d`: each LST predictor × each day within ±ensembleDays that has NDVI. */
      const membersOf = function* (d: number, report: boolean) {
        const date = coarse.dates[d];
        for (const key of lstKeys) {
          const lstSeries = input.predictors[key];
          for (let offset = -params.ensembleDays; offset <= params.ensembleDays; offset++) {
            const memberDate = offset === 0 ? date : formatDate(parseDate(date) + offset);
            const li = isStatic(lstSeries) ? 0 : lstSeries.dates.indexOf(memberDate);
            const member = `${key}@${memberDate}`;
            if (li < 0) continue;
            const fv = coverOn(memberDate);
            if (!fv) {
              if (report) fallbackRows.push({ date, member, fallback: `no NDVI within ${params.ndviMaxGapDays} days`, count: 1 });
              continue;
            }
            let lst = onGrid(lstSeries, li);
            if (topography) {
              const corrected = topography(lst, fv, memberDate);
              lst = corrected.lst;
              if (report) topoRows.push({ date, member, ...corrected.report });
            }
            yield { member, fv, lst };
          }
        }
      };
      const product: Float32Array[] = [];
      const spread: Float32Array[] = [];
      const emRows: Record<string, string | number | null>[] = [];
      const seeRows: Record<string, string | number | null>[] = [];
      const fallbackRows: Record<string, string | number>[] = [];
      const calibrationRows: Record<string, string | number>[] = [];
      let derivatives: Float64Array[] | undefined;
      if (params.smpCalibration === 'temporal') {
        // First pass: ⟨SEE⟩ of every LR cell and date (member mean); the second pass downscales with the calibrated slope.
        const cellSee = coarse.values.map((smLR, d) => {
          const sum = new Float64Array(smLR.length);
          const count = new Float64Array(smLR.length);
          for (const m of membersOf(d, false)) {
            const r = dispatchMember(m.fv, m.lst, smLR, layout, options);
            r.cellMeanSee.forEach((v, k) => v === v && ((sum[k] += v), count[k]++));
          }
          return sum.map((v, k) => (count[k] ? v / count[k] : Number.NaN));
        });
        derivatives = temporalCalibration(coarse.dates, coarse.values, cellSee, params, calibrationRows);
      }
      const task = context.progress.start(`${ID}: downscale dates`, coarse.dates.length);
      let maxConservation = 0;
      for (let d = 0; d < coarse.dates.length; d++) {
        const date = coarse.dates[d];
        const smLR = coarse.values[d];
        const baseAnomaly = params.base === 'bilinear' ? interpolatedAnomaly(smLR, coarse.grid, grid, layout) : undefined;
        const sum = new Float64Array(n);
        const sumSq = new Float64Array(n);
        const count = new Uint16Array(n);
        let members = 0;
        for (const { member, fv, lst } of membersOf(d, true)) {
          const r = dispatchMember(fv, lst, smLR, layout, options, { baseAnomaly, derivative: derivatives?.[d] });
          members++;
          for (let p = 0; p < n; p++) {
            const v = r.sm[p];
            if (v === v) {
              sum[p] += v;
              sumSq[p] += v * v;
              count[p]++;
            }
          }
          if (r.conservationError === r.conservationError) maxConservation = Math.max(maxConservation, r.conservationError);
          const e = r.endMembers;
          emRows.push({ date, member, cells: e?.cells ?? 0, tsMin: e?.tsMin ?? null, tsMax: e?.tsMax ?? null, tvMin: e?.tvMin ?? null, tvMax: e?.tvMax ?? null });
          seeRows.push({
            date,
            member,
            meanSee: r.validPixels ? r.meanSee : null,
            validPixels: r.validPixels,
            frozenPixels: r.frozenPixels,
            zoneA: r.zoneCounts.A,
            zoneB: r.zoneCounts.B,
            zoneC: r.zoneCounts.C,
            zoneD: r.zoneCounts.D,
            cellsDownscaled: r.cellOutcomes['downscaled'] ?? 0,
            conservationError: r.validPixels ? r.conservationError : null,
          });
          for (const [what, c] of [...Object.entries(r.cellOutcomes), ...Object.entries(r.fallbacks)]) if (what !== 'downscaled') fallbackRows.push({ date, member, fallback: what, count: c });
        }
        const { out, sd, filled } = combineMembers(sum, sumSq, count, smLR, layout, params, [clipLo, clipHi], params.derivativeAt === 'lrMean');
        if (members === 0) fallbackRows.push({ date, member: '', fallback: 'no LST on this date (no members)', count: 1 });
        if (filled) fallbackRows.push({ date, member: '', fallback: 'pixels filled with the coarse value', count: filled });
        product.push(out);
        spread.push(sd);
        task.tick();
      }
      task.done();
      const notes = [`max conservation error before clipping: ${maxConservation.toExponential(2)} m³/m³`];
      if (fallbackRows.length) context.warn('dispatch-fallback', `${fallbackRows.length} fallback(s) taken (no LST, widened end-member scope, pixels filled with the coarse value…; see the fallbacks table)`);
      if (params.topographicCorrection && !dem) context.warn('dispatch-no-topographic-correction', 'no topographic LST correction: no `dem` predictor was given');
      const mk = (values: Float32Array[], variable: string) => makeSeries({ variable, grid, dates: coarse.dates, values, unit: 'm3/m3' });
      return {
        product: mk(product, 'sm'),
        uncertainty: mk(spread, 'sm_spread'),
        tables: {
          endmembers: recordTable(emRows, ['date', 'member', 'cells', 'tsMin', 'tsMax', 'tvMin', 'tvMax']),
          see: recordTable(seeRows, ['date', 'member', 'meanSee', 'validPixels', 'frozenPixels', 'zoneA', 'zoneB', 'zoneC', 'zoneD', 'cellsDownscaled', 'conservationError']),
          fallbacks: recordTable(fallbackRows, ['date', 'member', 'fallback', 'count']),
          ...(derivatives ? { smp: recordTable(calibrationRows, ['cell', 'calibrated', 'capped', 'perDateFallback', 'meanSlope']) } : {}),
          ...(topography ? { topography: recordTable(topoRows, ['date', 'member', 'illuminationCoefficient', 'illuminationSd', 'meanAbsCorrection']) } : {}),
        },
        notes,
      };
    },
  };
}

/**
 * Within-cell anomaly of the bilinear interpolation of the LR field (over each cell's pixels): the "oversampled"
 * LR soil moisture of Merlin et al. (2012) without moving any cell's mean. NaN-free: 0 where the interpolation has no value.
 */
function interpolatedAnomaly(smLR: Float32Array, coarseGrid: Grid, grid: Grid, layout: CellLayout): Float32Array {
  const bilinear = resampleToGrid(smLR, coarseGrid, grid, 'bilinear');
  const out = new Float32Array(bilinear.length);
  for (let k = 0; k < layout.coarseWidth * layout.coarseHeight; k++) {
    let s = 0, c = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const v = bilinear[layout.pixels[i]];
      if (v === v) (s += v), c++;
    }
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      const v = bilinear[p];
      out[p] = v === v ? v - s / c : 0;
    }
  }
  return out;
}

/**
 * Temporal ("self-") calibration of ∂SM/∂SEE per LR cell, after Merlin et al. (2013): the least-squares slope of
 * SM_LR on ⟨SEE⟩ over the dates within ±`calibrationDays` where both exist, i.e. the cell's own SM–SEE relation
 * (SEE = (SM − SM_res)/(SMp − SM_res): the slope is SMp − SM_res), instead of SM_LR/⟨SEE⟩ of one date, which
 * assumes SEE = 0 at SM = 0 and is several times too steep for a soil that stops evaporating well above 0. Fewer
 * than `minCalibrationDates` dates or a slope ≤ 0: NaN (that date keeps the per-date SMp; counted in `rows`).
 * The slope is capped at `smpMax`. `rows` gets one summary per LR cell (dates calibrated, capped, left to the per-date SMp).
 */
export function temporalCalibration(
  dates: readonly string[],
  sm: readonly Float32Array[],
  see: readonly Float64Array[],
  p: Pick<DispatchParams, 'calibrationDays' | 'minCalibrationDates' | 'smpMax'>,
  rows: Record<string, string | number>[],
): Float64Array[] {
  const days = dates.map((d) => parseDate(d));
  const cells = sm[0]?.length ?? 0;
  const out = dates.map(() => new Float64Array(cells).fill(Number.NaN));
  for (let k = 0; k < cells; k++) {
    const tally = { calibrated: 0, capped: 0, fallback: 0, slopeSum: 0 };
    for (let d = 0; d < dates.length; d++) {
      if (!(see[d][k] === see[d][k])) continue;
      let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (let e = 0; e < dates.length; e++) {
        const x = see[e][k];
        const y = sm[e][k];
        if (Math.abs(days[e] - days[d]) > p.calibrationDays || !(x === x && y === y)) continue;
        n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
      }
      const varX = sxx - (sx * sx) / n;
      const slope = n >= p.minCalibrationDates && varX > 0 ? (sxy - (sx * sy) / n) / varX : Number.NaN;
      if (!(slope > 0)) {
        tally.fallback++;
        continue;
      }
      const capped = p.smpMax > 0 && slope > p.smpMax;
      out[d][k] = capped ? p.smpMax : slope;
      tally.calibrated++;
      tally.capped += capped ? 1 : 0;
      tally.slopeSum += out[d][k];
    }
    if (tally.calibrated + tally.fallback > 0) {
      rows.push({ cell: k, calibrated: tally.calibrated, capped: tally.capped, perDateFallback: tally.fallback, meanSlope: tally.calibrated ? tally.slopeSum / tally.calibrated : Number.NaN });
    }
  }
  return out;
}

/**
 * The ensemble product of one date: the mean of each pixel's member values (≥ `minMembers`), re-centred per LR cell
 * so the mean of its valid pixels is SM_LR again (members conserve it over different valid pixels, their mean does
 * not exactly), then clipped; the member spread; optionally pixels without a value given the coarse value.
 */
function combineMembers(
  sum: Float64Array,
  sumSq: Float64Array,
  count: Uint16Array,
  smLR: Float32Array,
  layout: CellLayout,
  params: Pick<DispatchParams, 'minMembers' | 'gapFill'>,
  [clipLo, clipHi]: readonly number[],
  conserve: boolean,
): { out: Float32Array; sd: Float32Array; filled: number } {
  const n = sum.length;
  const mean = new Float64Array(n).fill(Number.NaN);
  const out = new Float32Array(n).fill(Number.NaN);
  const sd = new Float32Array(n).fill(Number.NaN);
  for (let p = 0; p < n; p++) {
    const c = count[p];
    if (c >= params.minMembers && c > 0) {
      mean[p] = sum[p] / c;
      if (c >= 2) sd[p] = Math.sqrt(Math.max(0, sumSq[p] / c - mean[p] * mean[p]));
    }
  }
  let filled = 0;
  for (let k = 0; k < smLR.length; k++) {
    let s = 0, c = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const v = mean[layout.pixels[i]];
      if (v === v) (s += v), c++;
    }
    const shift = c && conserve ? smLR[k] - s / c : 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      const v = mean[p] + shift;
      if (v === v) out[p] = v < clipLo ? clipLo : v > clipHi ? clipHi : v;
      else if (params.gapFill === 'coarse' && smLR[k] === smLR[k]) {
        out[p] = smLR[k];
        filled++;
      }
    }
  }
  return { out, sd, filled };
}
