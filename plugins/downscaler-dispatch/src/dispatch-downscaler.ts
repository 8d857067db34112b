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
  type Series,
} from '../../../core/index.js';
import { cellLayout, dispatchMember, type DispatchOptions } from './dispatch-member.js';
import { vegetationCover } from './hourglass.js';

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

      const product: Float32Array[] = [];
      const spread: Float32Array[] = [];
      const emRows: Record<string, string | number | null>[] = [];
      const seeRows: Record<string, string | number | null>[] = [];
      const fallbackRows: Record<string, string | number>[] = [];
      const task = context.progress.start(`${ID}: downscale dates`, coarse.dates.length);
      let maxConservation = 0;
      for (let d = 0; d < coarse.dates.length; d++) {
        const date = coarse.dates[d];
        const smLR = coarse.values[d];
        const sum = new Float64Array(n);
        const sumSq = new Float64Array(n);
        const count = new Uint16Array(n);
        let members = 0;
        for (const key of lstKeys) {
          const lstSeries = input.predictors[key];
          for (let offset = -params.ensembleDays; offset <= params.ensembleDays; offset++) {
            const memberDate = offset === 0 ? date : formatDate(parseDate(date) + offset);
            const li = isStatic(lstSeries) ? 0 : lstSeries.dates.indexOf(memberDate);
            const member = `${key}@${memberDate}`;
            if (li < 0) continue;
            const fv = coverOn(memberDate);
            if (!fv) {
              fallbackRows.push({ date, member, fallback: `no NDVI within ${params.ndviMaxGapDays} days`, count: 1 });
              continue;
            }
            const r = dispatchMember(fv, onGrid(lstSeries, li), smLR, layout, options);
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
        }
        const out = new Float32Array(n).fill(Number.NaN);
        const sd = new Float32Array(n).fill(Number.NaN);
        let filled = 0;
        for (let p = 0; p < n; p++) {
          const c = count[p];
          if (c >= params.minMembers && c > 0) {
            const m = sum[p] / c;
            out[p] = m < clipLo ? clipLo : m > clipHi ? clipHi : m;
            if (c >= 2) sd[p] = Math.sqrt(Math.max(0, sumSq[p] / c - m * m));
          } else if (params.gapFill === 'coarse' && layout.cellOf[p] >= 0) {
            const v = smLR[layout.cellOf[p]];
            if (v === v) {
              out[p] = v;
              filled++;
            }
          }
        }
        if (members === 0) fallbackRows.push({ date, member: '', fallback: 'no LST on this date (no members)', count: 1 });
        if (filled) fallbackRows.push({ date, member: '', fallback: 'pixels filled with the coarse value', count: filled });
        product.push(out);
        spread.push(sd);
        task.tick();
      }
      task.done();
      const notes = [`max conservation error before clipping: ${maxConservation.toExponential(2)} m³/m³`];
      if (fallbackRows.length) context.warn('dispatch-fallback', `${fallbackRows.length} fallback(s) taken (no LST, widened end-member scope, pixels filled with the coarse value…; see the fallbacks table)`);
      const mk = (values: Float32Array[], variable: string) => makeSeries({ variable, grid, dates: coarse.dates, values, unit: 'm3/m3' });
      return {
        product: mk(product, 'sm'),
        uncertainty: mk(spread, 'sm_spread'),
        tables: {
          endmembers: recordTable(emRows, ['date', 'member', 'cells', 'tsMin', 'tsMax', 'tvMin', 'tvMax']),
          see: recordTable(seeRows, ['date', 'member', 'meanSee', 'validPixels', 'frozenPixels', 'zoneA', 'zoneB', 'zoneC', 'zoneD', 'cellsDownscaled', 'conservationError']),
          fallbacks: recordTable(fallbackRows, ['date', 'member', 'fallback', 'count']),
        },
        notes,
      };
    },
  };
}
