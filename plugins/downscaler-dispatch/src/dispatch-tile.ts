/**
 * DISPATCH on one tile of whole LR cells (`context.tiles`, `align` = fine pixels per cell), every date:
 * the ensemble members, the temporal SMp calibration (per cell, over its dates), the member mean and
 * spread. What needs the whole scene (scene end-members, the topographic coefficient per member) comes
 * in the params; the tile's cells' records and counts go back in its summary, merged in cell order by
 * the downscaler, so products and tables are the bytes of one whole-scene tile.
 */
import { checkNesting, parseDate, type TileArgs, type TileBlock, type TileResult } from '../../../core/index.js';
import { workerTask } from '../../../core/kernel.js';
import { cellLayout, dispatchMember, type CellLayout, type CellRecord, type DispatchOptions } from './dispatch-member.js';
import type { EndMemberEstimate } from './end-members.js';
import { vegetationCover } from './hourglass.js';
import { createTopographicCorrection, type TopographyOptions } from './topography.js';

/** One ensemble member of one date. */
export interface MemberPlan {
  /** `<lst key>@<date>`. */
  readonly member: string;
  /** The LST input and its image (index into the input's dates). */
  readonly lst: string;
  readonly lstIndex: number;
  /** Index of the NDVI image (into the `ndvi` input's dates). */
  readonly ndviIndex: number;
  readonly date: string;
  /** Topographic illumination coefficient b, fitted on the whole scene. */
  readonly coefficient?: number;
  /** Scene-scope end-members of this member's LST–fv space (scopes that may need them). */
  readonly scene?: EndMemberEstimate | null;
}

export interface DispatchTileParams {
  readonly options: DispatchOptions;
  readonly ndviSoil: number;
  readonly ndviVeg: number;
  readonly minMembers: number;
  readonly gapFill: 'none' | 'coarse';
  readonly clip: readonly number[];
  readonly smpCalibration: 'date' | 'temporal';
  readonly calibrationDays: number;
  readonly minCalibrationDates: number;
  /** Width of the whole LR grid: cell numbers in summaries are the whole grid's. */
  readonly coarseWidth: number;
  readonly topography?: TopographyOptions & { readonly latitude: number };
  /** `members[d]`: the members of stage date d, in order. */
  readonly members: readonly (readonly MemberPlan[])[];
}

/** A member's records on one tile (cell numbers of the whole LR grid; `error` null for NaN: JSON). */
export interface MemberSummary {
  readonly cells: readonly (Omit<CellRecord, 'error'> & { readonly error?: number | null })[];
  readonly frozen: number;
  readonly zones: Readonly<Record<'A' | 'B' | 'C' | 'D', number>>;
}

/** A row of the `smp` table: one LR cell's temporal calibration. */
export interface SmpRow {
  cell: number;
  readonly calibrated: number;
  readonly capped: number;
  readonly perDateFallback: number;
  readonly meanSlope: number | null;
}

export interface DispatchTileSummary {
  /** `[d][m]`, as `params.members`. */
  readonly members: readonly (readonly MemberSummary[])[];
  /** Pixels given the coarse value (`gapFill: coarse`), per date. */
  readonly filled: readonly number[];
  /** Temporal calibration: one row per cell, in cell order (`meanSlope` null for NaN: JSON). */
  readonly smp: readonly SmpRow[];
}

/** Inputs: `coarse` (LR SM), `ndvi`, the members' LST inputs, and when used `base`, `dem`, `slope`, `aspect`; all fine inputs share one halo. */
export function dispatchTile({ params, window, dates, inputs }: TileArgs<DispatchTileParams>): TileResult {
  const coarse = inputs.coarse;
  const fine = inputs.ndvi;
  const layout = cellLayout(fine.window.width, fine.window.height, coarse.window.width, coarse.window.height, checkNesting(coarse.grid, fine.grid));
  const ownCells = ownCellsOf(layout, fine.window, window);
  const globalCell = (k: number) => (coarse.window.y + Math.floor(k / coarse.window.width)) * params.coarseWidth + coarse.window.x + (k % coarse.window.width);
  const o = params.options;

  const fvs = new Map<number, Float32Array>();
  const coverAt = (i: number) => fvs.get(i) ?? fvs.set(i, Float32Array.from(fine.values[i], (x) => vegetationCover(x, params.ndviSoil, params.ndviVeg))).get(i)!;
  const topo = params.topography;
  const correct = topo && createTopographicCorrection({ dem: inputs.dem.values[0], slope: inputs.slope.values[0], aspect: inputs.aspect.values[0], latitude: topo.latitude }, layout, topo);
  const rastersOf = (m: MemberPlan) => {
    const fv = coverAt(m.ndviIndex);
    const lst = sameWindow(inputs[m.lst], fine).values[m.lstIndex];
    return { fv, lst: correct ? correct(lst, fv, m.date, m.coefficient).lst : lst };
  };

  const smp: SmpRow[] = [];
  let derivatives: Float64Array[] | undefined;
  if (params.smpCalibration === 'temporal') {
    // First pass: ⟨SEE⟩ of every LR cell and date (member mean); the second pass downscales with the calibrated slope.
    const cellSee = coarse.values.map((smLR, d) => {
      const sum = new Float64Array(smLR.length);
      const count = new Float64Array(smLR.length);
      for (const m of params.members[d]) {
        const { fv, lst } = rastersOf(m);
        const r = dispatchMember(fv, lst, smLR, layout, o, { ownCells, scene: m.scene });
        r.cellMeanSee.forEach((v, k) => v === v && ((sum[k] += v), count[k]++));
      }
      return sum.map((v, k) => (count[k] ? v / count[k] : Number.NaN));
    });
    derivatives = temporalCalibration(dates, coarse.values, cellSee, { ...params, smpMax: o.smpMax }, smp);
    for (const row of smp) row.cell = globalCell(row.cell);
  }

  const base = inputs.base && sameWindow(inputs.base, fine);
  const [clipLo, clipHi] = params.clip.length === 2 ? params.clip : [-Infinity, Infinity];
  const n = layout.cellOf.length;
  const sm: Float32Array[] = [];
  const sd: Float32Array[] = [];
  const members: MemberSummary[][] = [];
  const filled: number[] = [];
  dates.forEach((_, d) => {
    const smLR = coarse.values[d];
    const sum = new Float64Array(n);
    const sumSq = new Float64Array(n);
    const count = new Uint16Array(n);
    members.push(
      params.members[d].map((m) => {
        const { fv, lst } = rastersOf(m);
        const r = dispatchMember(fv, lst, smLR, layout, o, { baseAnomaly: base?.values[d], derivative: derivatives?.[d], ownCells, scene: m.scene });
        for (let p = 0; p < n; p++) {
          const v = r.sm[p];
          if (v === v) {
            sum[p] += v;
            sumSq[p] += v * v;
            count[p]++;
          }
        }
        const cells = r.cells.map((c) => ({ ...c, cell: globalCell(c.cell), ...(c.error === undefined ? {} : { error: c.error === c.error ? c.error : null }) }));
        return { cells, frozen: r.frozenPixels, zones: r.zoneCounts };
      }),
    );
    const combined = combineMembers(sum, sumSq, count, smLR, layout, ownCells, params, [clipLo, clipHi], o.derivativeAt === 'lrMean');
    sm.push(crop(combined.out, fine.window, window));
    sd.push(crop(combined.sd, fine.window, window));
    filled.push(combined.filled);
  });
  const summary: DispatchTileSummary = { members, filled, smp };
  return { outputs: { sm, sd }, summary: summary as never };
}

/** `dispatchTile` for executors. */
export const dispatchTileTask = workerTask(import.meta.url, { dispatchTile });

/** The LR cells of the tile's own pixels; each must lie wholly inside the tile (tiles aligned to whole cells). */
function ownCellsOf(layout: CellLayout, block: TileBlock['window'], window: TileBlock['window']): Uint8Array {
  const own = new Uint8Array(layout.coarseWidth * layout.coarseHeight);
  for (let y = window.y; y < window.y + window.height; y++) {
    for (let x = window.x; x < window.x + window.width; x++) {
      const k = layout.cellOf[(y - block.y) * block.width + (x - block.x)];
      if (k >= 0) own[k] = 1;
    }
  }
  own.forEach((isOwn, k) => {
    if (!isOwn) return;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      const x = block.x + (p % block.width);
      const y = block.y + Math.floor(p / block.width);
      if (x < window.x || y < window.y || x >= window.x + window.width || y >= window.y + window.height) {
        throw new RangeError(`DISPATCH tile ${JSON.stringify(window)} cuts an LR cell (pixel ${x},${y} outside): tiles must be aligned to whole LR cells`);
      }
    }
  });
  return own;
}

function sameWindow(block: TileBlock, like: TileBlock): TileBlock {
  const a = block.window;
  const b = like.window;
  if (a.x !== b.x || a.y !== b.y || a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`DISPATCH tile: fine inputs must share one window and halo, got ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  }
  return block;
}

/** The `window` part of a block-sized array. */
function crop(a: Float32Array, block: TileBlock['window'], window: TileBlock['window']): Float32Array {
  const out = new Float32Array(window.width * window.height);
  for (let y = 0; y < window.height; y++) {
    const from = (window.y - block.y + y) * block.width + window.x - block.x;
    out.set(a.subarray(from, from + window.width), y * window.width);
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
  p: { readonly calibrationDays: number; readonly minCalibrationDates: number; readonly smpMax: number },
  rows: SmpRow[],
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
 * Only the `own` cells (the tile's) are combined.
 */
function combineMembers(
  sum: Float64Array,
  sumSq: Float64Array,
  count: Uint16Array,
  smLR: Float32Array,
  layout: CellLayout,
  own: Uint8Array,
  params: Pick<DispatchTileParams, 'minMembers' | 'gapFill'>,
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
    if (!own[k]) continue;
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
