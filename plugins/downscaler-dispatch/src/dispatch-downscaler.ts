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
  runSummaryStage,
  sameGrid,
  usageError,
  type DownscaleInput,
  type DownscaleResult,
  type Downscaler,
  type PluginContext,
  type Grid,
  type Series,
  type TileInputRequest,
} from '../../../core/index.js';
import { cellLayout, sceneEndMembers, summarizeCells, usablePixels, type CellLayout, type CellRecord, type DispatchOptions } from './dispatch-member.js';
import { dispatchTileTask, type DispatchTileParams, type DispatchTileSummary, type MemberPlan } from './dispatch-tile.js';
import { vegetationCover } from './hourglass.js';
import { createTopographicCorrection, terrainOf, type Terrain, type TopographyOptions, type TopographyReport } from './topography.js';

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
      const dem = input.predictors.dem;
      const terrain = dem && params.topographicCorrection ? terrainOf(onGrid(dem, 0, grid), grid) : undefined;
      const topographyOptions = { lapseRate: params.lapseRate / 1000, overpassHour: params.overpassHour, minIlluminationSd: params.minIlluminationSd };
      const plan = planMembers(coarse.dates, { ndvi, lst: Object.fromEntries(lstKeys.map((k) => [k, input.predictors[k]])) }, grid, layout, terrain && { terrain, options: topographyOptions }, params, options);

      const halo = params.endmemberScope === 'lrPixel' || params.endmemberScope === 'lrWindow' ? params.windowCells : 0;
      const square = nesting.factorX === nesting.factorY && nesting.offsetCol === 0 && nesting.offsetRow === 0;
      const fineHalo = halo * nesting.factorX;
      const inputs: Record<string, TileInputRequest> = { coarse: { series: coarse, halo }, ndvi: { series: plan.ndvi, halo: fineHalo } };
      plan.lst.forEach((s, i) => (inputs[`lst${i}`] = { series: s, halo: fineHalo }));
      if (params.base === 'bilinear') {
        const base = coarse.values.map((smLR) => interpolatedAnomaly(smLR, coarse.grid, grid, layout));
        inputs.base = { series: makeSeries({ variable: 'sm_base_anomaly', grid, dates: coarse.dates, values: base }), halo: fineHalo };
      }
      if (terrain) {
        const layer = (variable: string, values: Float32Array) => ({ series: makeSeries({ variable, grid, dates: [], values: [values] }), halo: fineHalo });
        Object.assign(inputs, { dem: layer('dem', terrain.dem), slope: layer('slope', terrain.slope), aspect: layer('aspect', terrain.aspect) });
      }
      const tileParams: DispatchTileParams = {
        options,
        ndviSoil: params.ndviSoil,
        ndviVeg: params.ndviVeg,
        minMembers: params.minMembers,
        gapFill: params.gapFill,
        clip: params.clip,
        smpCalibration: params.smpCalibration,
        calibrationDays: params.calibrationDays,
        minCalibrationDates: params.minCalibrationDates,
        coarseWidth: coarse.grid.width,
        ...(terrain ? { topography: { ...topographyOptions, latitude: terrain.latitude } } : {}),
        members: plan.dates.map((entries) => entries.flatMap((e) => (e.plan ? [e.plan] : []))),
      };
      const { outputs, summaries } = await runSummaryStage(context.tiles, {
        name: 'dispatch',
        task: dispatchTileTask,
        params: tileParams,
        grid,
        dates: coarse.dates,
        inputs,
        outputs: [{ name: 'sm', variable: 'sm', unit: 'm3/m3' }, { name: 'sd', variable: 'sm_spread', unit: 'm3/m3' }],
        // Tiles of whole LR cells (cells must not straddle tiles); an offset or non-square nesting runs as one tile.
        align: square ? nesting.factorX : Math.max(grid.width, grid.height),
      });
      const { tables, maxConservation, fallbacks } = dispatchTables(coarse.dates, plan.dates, summaries as unknown as DispatchTileSummary[], params, terrain !== undefined);
      const notes = [`max conservation error before clipping: ${maxConservation.toExponential(2)} m³/m³`];
      if (!square) notes.push(`LR cells offset from the fine grid or not square (${nesting.factorX}×${nesting.factorY}, offset ${nesting.offsetCol}, ${nesting.offsetRow}): run as one tile`);
      if (fallbacks) context.warn('dispatch-fallback', `${fallbacks} fallback(s) taken (no LST, widened end-member scope, pixels filled with the coarse value…; see the fallbacks table)`);
      if (params.topographicCorrection && !dem) context.warn('dispatch-no-topographic-correction', 'no topographic LST correction: no `dem` predictor was given');
      return { product: outputs.sm, uncertainty: outputs.sd, tables, notes };
    },
  };
}

const onGrid = (s: Series, i: number, grid: Grid) => (sameGrid(s.grid, grid) ? s.values[i] : resampleToGrid(s.values[i], s.grid, grid, 'bilinear'));

/** One entry of a date's member list: a member (with its scene-wide pre-computations), or one skipped for want of NDVI. */
interface PlanEntry {
  readonly member: string;
  readonly plan?: MemberPlan;
  readonly topography?: TopographyReport;
}

/**
 * The ensemble members of every coarse date (each LST predictor × each day within ±ensembleDays that has NDVI),
 * with what needs the whole scene: the topographic coefficient b of the member's LST and its scene-scope
 * end-members. The NDVI and LST images the members use, on the fine grid, become the tile inputs.
 */
function planMembers(
  dates: readonly string[],
  series: { readonly ndvi: Series; readonly lst: Readonly<Record<string, Series>> },
  grid: Grid,
  layout: CellLayout,
  topography: { readonly terrain: Terrain; readonly options: TopographyOptions } | undefined,
  params: DispatchParams,
  options: DispatchOptions,
): { dates: PlanEntry[][]; ndvi: Series; lst: Series[] } {
  const { ndvi } = series;
  const correct = topography && createTopographicCorrection(topography.terrain, layout, topography.options);
  const used = { ndvi: new Map<number, number>(), lst: Object.keys(series.lst).map(() => new Map<number, number>()) };
  const take = (m: Map<number, number>, i: number) => m.get(i) ?? m.set(i, m.size).get(i)!;
  const fvCache = new Map<number, Float32Array>();
  const coverAt = (i: number) => fvCache.get(i) ?? fvCache.set(i, Float32Array.from(onGrid(ndvi, i, grid), (x) => vegetationCover(x, params.ndviSoil, params.ndviVeg))).get(i)!;
  const planned = dates.map((date) => {
    const entries: PlanEntry[] = [];
    Object.entries(series.lst).forEach(([key, lstSeries], l) => {
      for (let offset = -params.ensembleDays; offset <= params.ensembleDays; offset++) {
        const memberDate = offset === 0 ? date : formatDate(parseDate(date) + offset);
        const li = isStatic(lstSeries) ? 0 : lstSeries.dates.indexOf(memberDate);
        const member = `${key}@${memberDate}`;
        if (li < 0) continue;
        const fi = isStatic(ndvi) ? 0 : nearestDateIndex(ndvi.dates, memberDate, params.ndviMaxGapDays);
        if (fi < 0) {
          entries.push({ member });
          continue;
        }
        const fv = coverAt(fi);
        let lst = onGrid(lstSeries, li, grid);
        let report: TopographyReport | undefined;
        if (correct) ({ lst, report } = correct(lst, fv, memberDate));
        const scene = options.endmemberScope === 'fixed' ? undefined : sceneEndMembers(fv, lst, usablePixels(fv, lst, layout.cellOf, options.frozenLst).usable, options);
        const plan: MemberPlan = {
          member,
          lst: `lst${l}`,
          lstIndex: li,
          ndviIndex: fi,
          date: memberDate,
          ...(report ? { coefficient: report.illuminationCoefficient } : {}),
          ...(scene === undefined ? {} : { scene }),
        };
        entries.push({ member, plan, topography: report });
      }
    });
    return entries;
  });
  // The images the members use, renumbered into the sub-series the tiles read.
  for (const entries of planned) for (const e of entries) if (e.plan) take(used.ndvi, e.plan.ndviIndex), take(used.lst[Number(e.plan.lst.slice(3))], e.plan.lstIndex);
  const subSeries = (s: Series, m: Map<number, number>) => {
    const indices = [...m.keys()].sort((a, b) => a - b);
    indices.forEach((i, j) => m.set(i, j));
    return makeSeries({ variable: s.variable, unit: s.unit, grid, dates: isStatic(s) ? [] : indices.map((i) => s.dates[i]), values: indices.map((i) => onGrid(s, i, grid)) });
  };
  const ndviSub = subSeries(ndvi, used.ndvi);
  const lstSubs = Object.values(series.lst).map((s, l) => subSeries(s, used.lst[l]));
  const renumbered = planned.map((entries) =>
    entries.map((e) => (e.plan ? { ...e, plan: { ...e.plan, ndviIndex: used.ndvi.get(e.plan.ndviIndex)!, lstIndex: used.lst[Number(e.plan.lst.slice(3))].get(e.plan.lstIndex)! } } : e)),
  );
  return { dates: renumbered, ndvi: ndviSub, lst: lstSubs };
}

/** The tables from the tiles' summaries: every member's cells merged in cell order, so sums run as over the whole scene. */
function dispatchTables(dates: readonly string[], plan: readonly (readonly PlanEntry[])[], summaries: readonly DispatchTileSummary[], params: DispatchParams, topography: boolean) {
  const emRows: Record<string, string | number | null>[] = [];
  const seeRows: Record<string, string | number | null>[] = [];
  const fallbackRows: Record<string, string | number>[] = [];
  const topoRows: Record<string, string | number>[] = [];
  let maxConservation = 0;
  const byCell = <T extends { readonly cell: number }>(rows: T[]) => rows.sort((a, b) => a.cell - b.cell);
  dates.forEach((date, d) => {
    let j = 0;
    for (const entry of plan[d]) {
      const { member } = entry;
      if (!entry.plan) {
        fallbackRows.push({ date, member, fallback: `no NDVI within ${params.ndviMaxGapDays} days`, count: 1 });
        continue;
      }
      if (entry.topography) topoRows.push({ date, member, ...entry.topography });
      const parts = summaries.map((s) => s.members[d][j]);
      j++;
      const cells = byCell(parts.flatMap((p) => p.cells.map((c): CellRecord => ({ ...c, error: c.error === null ? Number.NaN : c.error }))));
      const r = summarizeCells(cells);
      const frozenPixels = parts.reduce((s, p) => s + p.frozen, 0);
      const zone = (z: 'A' | 'B' | 'C' | 'D') => parts.reduce((s, p) => s + p.zones[z], 0);
      if (r.conservationError === r.conservationError) maxConservation = Math.max(maxConservation, r.conservationError);
      const e = r.endMembers;
      emRows.push({ date, member, cells: e?.cells ?? 0, tsMin: e?.tsMin ?? null, tsMax: e?.tsMax ?? null, tvMin: e?.tvMin ?? null, tvMax: e?.tvMax ?? null });
      seeRows.push({
        date,
        member,
        meanSee: r.validPixels ? r.meanSee : null,
        validPixels: r.validPixels,
        frozenPixels,
        zoneA: zone('A'),
        zoneB: zone('B'),
        zoneC: zone('C'),
        zoneD: zone('D'),
        cellsDownscaled: r.cellOutcomes['downscaled'] ?? 0,
        conservationError: r.validPixels ? r.conservationError : null,
      });
      for (const [what, c] of [...Object.entries(r.cellOutcomes), ...Object.entries(r.fallbacks)]) if (what !== 'downscaled') fallbackRows.push({ date, member, fallback: what, count: c });
    }
    const filled = summaries.reduce((s, t) => s + t.filled[d], 0);
    if (j === 0) fallbackRows.push({ date, member: '', fallback: 'no LST on this date (no members)', count: 1 });
    if (filled) fallbackRows.push({ date, member: '', fallback: 'pixels filled with the coarse value', count: filled });
  });
  const smpRows = params.smpCalibration === 'temporal' ? byCell(summaries.flatMap((s) => s.smp.map((row) => ({ ...row, meanSlope: row.meanSlope ?? Number.NaN })))) : undefined;
  const tables = {
    endmembers: recordTable(emRows, ['date', 'member', 'cells', 'tsMin', 'tsMax', 'tvMin', 'tvMax']),
    see: recordTable(seeRows, ['date', 'member', 'meanSee', 'validPixels', 'frozenPixels', 'zoneA', 'zoneB', 'zoneC', 'zoneD', 'cellsDownscaled', 'conservationError']),
    fallbacks: recordTable(fallbackRows, ['date', 'member', 'fallback', 'count']),
    ...(smpRows ? { smp: recordTable(smpRows, ['cell', 'calibrated', 'capped', 'perDateFallback', 'meanSlope']) } : {}),
    ...(topography ? { topography: recordTable(topoRows, ['date', 'member', 'illuminationCoefficient', 'illuminationSd', 'meanAbsCorrection']) } : {}),
  };
  return { tables, maxConservation, fallbacks: fallbackRows.length };
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
