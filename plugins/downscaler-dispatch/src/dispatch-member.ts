import type { Nesting } from '../../../core/index.js';
import { estimateEndMembers, type EndMemberEstimate, type EndMemberMethod } from './end-members.js';
import { crossingCover, soilEvaporativeEfficiency, soilTemperature, Zone, type EndMembers } from './hourglass.js';
import { seeDerivative, soilMoistureParameter, type SeeModel } from './see-model.js';

/** Options of one DISPATCH realisation (see the manifest for defaults and meanings). */
export interface DispatchOptions {
  readonly endmemberScope: 'scene' | 'lrPixel' | 'lrWindow' | 'fixed';
  readonly windowCells: number;
  readonly endmemberMethod: EndMemberMethod;
  readonly fixedEndmembers?: EndMembers;
  readonly fvBinWidth: number;
  readonly minBins: number;
  readonly minPixels: number;
  readonly minTsRange: number;
  readonly fvMax: number;
  readonly seeModel: SeeModel;
  readonly derivativeAt: 'lrMean' | 'hr';
  readonly seeOutOfRange: 'mask' | 'clip';
  readonly zoneD: 'mask' | 'tvdi';
  readonly minValidFraction: number;
  readonly minMeanSee: number;
  readonly frozenLst: number;
  readonly damping: number;
  /** Fixed SMp (m³/m³) instead of calibrating it per LR pixel; 0 = calibrate. */
  readonly smpFixed: number;
  /** Upper bound on a calibrated SMp (the SM at SEE = 1 cannot exceed a porosity); 0 = none. */
  readonly smpMax: number;
  /** LST noise (K) behind the per-pixel shrinkage of the correction; 0 = no shrinkage. */
  readonly lstNoise: number;
  /** LR cells the LST–fv space cannot downscale: no value, or the coarse value (reported). */
  readonly cellFallback: 'none' | 'coarse';
}

/** Fine pixels grouped by the LR cell they nest in (CSR lists). */
export interface CellLayout {
  readonly coarseWidth: number;
  readonly coarseHeight: number;
  /** LR cell of each fine pixel, −1 outside the LR grid. */
  readonly cellOf: Int32Array;
  readonly start: Int32Array;
  readonly pixels: Int32Array;
}

export function cellLayout(fineWidth: number, fineHeight: number, coarseWidth: number, coarseHeight: number, nesting: Nesting): CellLayout {
  const n = fineWidth * fineHeight;
  const cells = coarseWidth * coarseHeight;
  const cellOf = new Int32Array(n);
  const counts = new Int32Array(cells + 1);
  for (let r = 0; r < fineHeight; r++) {
    const R = Math.floor((r + nesting.offsetRow) / nesting.factorY);
    for (let c = 0; c < fineWidth; c++) {
      const C = Math.floor((c + nesting.offsetCol) / nesting.factorX);
      const k = R < coarseHeight && C < coarseWidth ? R * coarseWidth + C : -1;
      cellOf[r * fineWidth + c] = k;
      if (k >= 0) counts[k + 1]++;
    }
  }
  for (let k = 0; k < cells; k++) counts[k + 1] += counts[k];
  const start = Int32Array.from(counts);
  const fill = Int32Array.from(counts);
  const pixels = new Int32Array(start[cells]);
  for (let p = 0; p < n; p++) if (cellOf[p] >= 0) pixels[fill[cellOf[p]]++] = p;
  return { coarseWidth, coarseHeight, cellOf, start, pixels };
}

/** Why an LR cell produced no HR values, or which fallback it took. Counted per realisation. */
export type CellOutcome =
  | 'downscaled'
  | 'coarse nodata'
  | 'no end-members'
  | 'energy-limited'
  | 'too few valid pixels'
  | 'mean SEE out of range';

export interface MemberResult {
  /** HR soil moisture before clipping; NaN where no value. */
  readonly sm: Float32Array;
  readonly see: Float32Array;
  readonly zone: Uint8Array;
  readonly cellOutcomes: Readonly<Record<string, number>>;
  /** Fallbacks taken while estimating end-members, with counts of LR cells. */
  readonly fallbacks: Readonly<Record<string, number>>;
  /** Mean end-members over the LR cells that had them. */
  readonly endMembers: (EndMembers & { readonly cells: number }) | undefined;
  /** max over LR cells of |mean(SM_HR over valid pixels) − SM_LR| (before clipping). */
  readonly conservationError: number;
  readonly meanSee: number;
  readonly validPixels: number;
  readonly frozenPixels: number;
  readonly zoneCounts: Readonly<Record<'A' | 'B' | 'C' | 'D', number>>;
  /** ⟨SEE⟩ of each LR cell that was downscaled (NaN elsewhere): the input of the temporal SMp calibration. */
  readonly cellMeanSee: Float64Array;
  /** What each LR cell did, in cell order: the statistics above are `summarizeCells` of these (tiles merge them). */
  readonly cells: readonly CellRecord[];
}

/** One LR cell of one realisation: everything the member's statistics need, so tiles' cells merge in cell order. */
export interface CellRecord {
  readonly cell: number;
  readonly outcome: CellOutcome;
  /** Fallbacks the cell took, in the order taken. */
  readonly fallbacks: readonly string[];
  /** End-members used (cells past the energy-limited test). */
  readonly endMembers?: EndMembers;
  /** Downscaled cells: Σ SEE, valid pixels, |mean SM_HR − SM_LR| (NaN possible). */
  readonly seeSum?: number;
  readonly valid?: number;
  readonly error?: number;
}

/** The member statistics of `MemberResult` from its cells' records, accumulated in the order given (cell order). */
export function summarizeCells(cells: Iterable<CellRecord>): Pick<MemberResult, 'cellOutcomes' | 'fallbacks' | 'endMembers' | 'conservationError' | 'meanSee' | 'validPixels'> {
  const outcomes: Record<string, number> = {};
  const fallbacks: Record<string, number> = {};
  const bump = (rec: Record<string, number>, key: string) => (rec[key] = (rec[key] ?? 0) + 1);
  const emSum = { tsMin: 0, tsMax: 0, tvMin: 0, tvMax: 0, cells: 0 };
  let conservationError = 0;
  let seeSum = 0;
  let validPixels = 0;
  for (const c of cells) {
    bump(outcomes, c.outcome);
    for (const f of c.fallbacks) bump(fallbacks, f);
    const e = c.endMembers;
    if (e) (emSum.tsMin += e.tsMin), (emSum.tsMax += e.tsMax), (emSum.tvMin += e.tvMin), (emSum.tvMax += e.tvMax), emSum.cells++;
    if (c.outcome !== 'downscaled') continue;
    const err = c.error!;
    if (err > conservationError || !(err === err)) conservationError = err === err ? err : Infinity;
    seeSum += c.seeSum!;
    validPixels += c.valid!;
  }
  const endMembers = emSum.cells
    ? { tsMin: emSum.tsMin / emSum.cells, tsMax: emSum.tsMax / emSum.cells, tvMin: emSum.tvMin / emSum.cells, tvMax: emSum.tvMax / emSum.cells, cells: emSum.cells }
    : undefined;
  return { cellOutcomes: outcomes, fallbacks, endMembers, conservationError, meanSee: validPixels ? seeSum / validPixels : Number.NaN, validPixels };
}

/** Pixels DISPATCH can use (LST and fv valid, inside an LR cell, not frozen); frozen pixels counted among `counted` cells' pixels. */
export function usablePixels(fv: Float32Array, lst: Float32Array, cellOf: Int32Array, frozenLst: number, counted?: Uint8Array): { usable: Uint8Array; frozen: number } {
  const usable = new Uint8Array(fv.length);
  let frozen = 0;
  for (let p = 0; p < fv.length; p++) {
    const t = lst[p];
    if (!(t === t && fv[p] === fv[p]) || cellOf[p] < 0) continue;
    if (t < frozenLst) {
      if (!counted || counted[cellOf[p]]) frozen++;
      continue;
    }
    usable[p] = 1;
  }
  return { usable, frozen };
}

/** The scene-scope end-members: from every usable pixel of the scene, in pixel order; null below `minPixels`. */
export function sceneEndMembers(fv: Float32Array, lst: Float32Array, usable: Uint8Array, o: DispatchOptions): EndMemberEstimate | null {
  const scratch = new Int32Array(fv.length);
  let m = 0;
  for (let p = 0; p < fv.length; p++) if (usable[p]) scratch[m++] = p;
  return m >= o.minPixels ? estimateEndMembers(fv, lst, scratch, m, { method: o.endmemberMethod, binWidth: o.fvBinWidth, minBins: o.minBins }) : null;
}

/** What a realisation may be given besides its rasters. */
export interface MemberExtras {
  /** Within-cell anomaly of the base the correction is added to (`base: bilinear`). */
  readonly baseAnomaly?: Float32Array;
  /** Temporally calibrated ∂SM/∂SEE per LR cell (NaN: per-date SMp). */
  readonly derivative?: Float64Array;
  /** Downscale only these LR cells (1); the others only lend their pixels to end-member windows (a tile's halo). */
  readonly ownCells?: Uint8Array;
  /** The scene-scope end-members when the scene is larger than the arrays given (a tile): computed once, before. */
  readonly scene?: EndMemberEstimate | null;
}

/**
 * One DISPATCH realisation: HR soil moisture from one LST (one overpass, one day), NDVI and the LR
 * soil moisture. The derivative is taken at the LR-mean SEE (default), so the mean of the valid HR
 * values of each LR cell equals SM_LR exactly.
 *
 * @example
 * ```ts
 * const layout = cellLayout(fine.width, fine.height, coarse.width, coarse.height, checkNesting(coarse, fine));
 * const { sm, conservationError } = dispatchMember(fv, lst, smCoarse, layout, options);
 * ```
 */
export function dispatchMember(
  fv: Float32Array,
  lst: Float32Array,
  smLR: Float32Array,
  layout: CellLayout,
  o: DispatchOptions,
  extra: MemberExtras = {},
): MemberResult {
  const { baseAnomaly, derivative, ownCells } = extra;
  const n = fv.length;
  const cells = layout.coarseWidth * layout.coarseHeight;
  const { usable, frozen } = usablePixels(fv, lst, layout.cellOf, o.frozenLst, ownCells);
  let fallbacks: string[] = [];
  const bump = (list: string[], key: string) => list.push(key);
  const emOptions = { method: o.endmemberMethod, binWidth: o.fvBinWidth, minBins: o.minBins };
  const scratch = new Int32Array(n);

  const gather = (cellList: (k: number) => Iterable<number>, k: number): number => {
    let m = 0;
    for (const c of cellList(k)) for (let i = layout.start[c]; i < layout.start[c + 1]; i++) {
      const p = layout.pixels[i];
      if (usable[p]) scratch[m++] = p;
    }
    return m;
  };
  const own = (k: number) => [k];
  const windowOf = (k: number) => {
    const R = Math.floor(k / layout.coarseWidth);
    const C = k % layout.coarseWidth;
    const out: number[] = [];
    for (let r = Math.max(0, R - o.windowCells); r <= Math.min(layout.coarseHeight - 1, R + o.windowCells); r++) {
      for (let c = Math.max(0, C - o.windowCells); c <= Math.min(layout.coarseWidth - 1, C + o.windowCells); c++) out.push(r * layout.coarseWidth + c);
    }
    return out;
  };
  let sceneEstimate = extra.scene;
  const scene = (): EndMemberEstimate | null => (sceneEstimate === undefined ? (sceneEstimate = sceneEndMembers(fv, lst, usable, o)) : sceneEstimate);
  const fixed = o.fixedEndmembers;
  const endMembersOf = (k: number): EndMemberEstimate | null => {
    if (o.endmemberScope === 'fixed' && fixed) return { ...fixed, method: 'fixed', lstMin: fixed.tsMin, lstMax: fixed.tsMax, pixels: 0, fallbacks: [] };
    if (o.endmemberScope === 'scene') return scene();
    const scopes: ((k: number) => Iterable<number>)[] = o.endmemberScope === 'lrPixel' ? [own, windowOf] : [windowOf];
    for (let s = 0; s < scopes.length; s++) {
      const m = gather(scopes[s], k);
      if (m >= o.minPixels) {
        if (s > 0) bump(fallbacks, 'scope widened to lrWindow');
        return estimateEndMembers(fv, lst, scratch, m, emOptions);
      }
    }
    const e = scene();
    if (e) bump(fallbacks, 'scope widened to scene');
    return e;
  };

  const sm = new Float32Array(n).fill(Number.NaN);
  const see = new Float32Array(n).fill(Number.NaN);
  const zone = new Uint8Array(n);
  const zoneCounts = { A: 0, B: 0, C: 0, D: 0 };
  const st = { zone: Zone.A, ts: 0, tv: 0 };
  const records: CellRecord[] = [];

  const noiseVar = new Float64Array(n);
  const cellMeanSee = new Float64Array(cells).fill(Number.NaN);
  /** The cell's pixels get SM_LR (+ the base's anomaly) and no SEE: the fallback for cells DISPATCH cannot downscale. */
  const fallBack = (k: number, reason: CellOutcome): void => {
    records.push({ cell: k, outcome: reason, fallbacks });
    clearCell(see, layout, k);
    if (o.cellFallback !== 'coarse') return;
    bump(fallbacks, `cell given the coarse value (${reason})`);
    const shift = baseShift(k, false);
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      if (usable[p]) sm[p] = smLR[k] + (baseAnomaly ? baseAnomaly[p] - shift : 0);
    }
  };
  /** Mean base anomaly over the cell's pixels that get a value (subtracted so the cell keeps SM_LR exactly). */
  const baseShift = (k: number, withSee: boolean): number => {
    if (!baseAnomaly) return 0;
    let s = 0, c = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      if (usable[p] && (!withSee || see[p] === see[p])) (s += baseAnomaly[p]), c++;
    }
    return c ? s / c : 0;
  };

  for (let k = 0; k < cells; k++) {
    const total = layout.start[k + 1] - layout.start[k];
    if (total === 0 || (ownCells && !ownCells[k])) continue;
    fallbacks = [];
    const coarse = smLR[k];
    if (!(coarse === coarse)) {
      records.push({ cell: k, outcome: 'coarse nodata', fallbacks });
      continue;
    }
    const e = endMembersOf(k);
    if (!e) {
      fallBack(k, 'no end-members');
      continue;
    }
    for (const f of e.fallbacks) bump(fallbacks, f);
    if (e.tsMax - e.tsMin < o.minTsRange) {
      fallBack(k, 'energy-limited');
      continue;
    }
    const endMembers: EndMembers = { tsMin: e.tsMin, tsMax: e.tsMax, tvMin: e.tvMin, tvMax: e.tvMax };
    // Past this point a fallback still counts the cell's end-members (as the statistics always have).
    const fallBackWithEndMembers = (reason: CellOutcome) => {
      fallBack(k, reason);
      records[records.length - 1] = { ...records[records.length - 1], endMembers };
    };
    const fvCross = crossingCover(e);
    let sum = 0;
    let valid = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      if (!usable[p]) continue;
      const f = fv[p];
      soilTemperature(lst[p], f, e, fvCross, st);
      zone[p] = st.zone;
      zoneCounts[st.zone === Zone.A ? 'A' : st.zone === Zone.B ? 'B' : st.zone === Zone.C ? 'C' : 'D']++;
      let s: number;
      let sensitivity: number; // ∂SEE/∂LST, for the noise of this pixel's SEE
      if (st.zone === Zone.D || f > o.fvMax) {
        if (o.zoneD !== 'tvdi' || !(e.lstMax > e.lstMin)) continue;
        s = (e.lstMax - lst[p]) / (e.lstMax - e.lstMin); // TVDI-like (rslab-ntua variant)
        sensitivity = 1 / (e.lstMax - e.lstMin);
      } else {
        s = soilEvaporativeEfficiency(st.ts, e);
        sensitivity = 1 / ((1 - f) * (e.tsMax - e.tsMin));
      }
      if (s < 0 || s > 1) {
        if (o.seeOutOfRange === 'mask') continue;
        s = s < 0 ? 0 : 1;
      }
      see[p] = s;
      noiseVar[p] = (o.lstNoise * sensitivity) ** 2;
      sum += s;
      valid++;
    }
    if (valid === 0 || valid < o.minValidFraction * total) {
      fallBackWithEndMembers('too few valid pixels');
      continue;
    }
    const meanSee = sum / valid;
    let smp = o.smpFixed > 0 ? o.smpFixed : soilMoistureParameter(o.seeModel, coarse, meanSee);
    if (!(smp === smp) || meanSee < o.minMeanSee || (o.seeModel === 'cosine' && !(meanSee < 1))) {
      fallBackWithEndMembers('mean SEE out of range');
      continue;
    }
    cellMeanSee[k] = meanSee;
    const calibrated = derivative ? derivative[k] : Number.NaN; // temporal calibration, already capped
    if (!(calibrated === calibrated) && o.smpMax > 0 && smp > o.smpMax) {
      smp = o.smpMax;
      bump(fallbacks, 'SMp capped at smpMax');
    }
    const dLR = calibrated === calibrated ? calibrated : seeDerivative(o.seeModel, smp, meanSee);
    const weight = shrinkage(see, noiseVar, layout, k, meanSee, valid, o.lstNoise > 0);
    let dSum = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      const s = see[p];
      if (!(s === s)) continue;
      const d = o.derivativeAt === 'hr' ? seeDerivative(o.seeModel, smp, s) : dLR;
      const v = o.damping * d * weight(p) * (s - meanSee);
      sm[p] = v;
      dSum += v;
    }
    // Per-pixel weights break the zero mean of the correction: re-centre it, so the cell keeps SM_LR exactly.
    const recentre = weight.uniform || o.derivativeAt === 'hr' ? 0 : dSum / valid;
    const shift = baseShift(k, true);
    let smSum = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      if (!(see[p] === see[p])) continue;
      const v = coarse + sm[p] - recentre + (baseAnomaly ? baseAnomaly[p] - shift : 0);
      sm[p] = v;
      smSum += v;
    }
    records.push({ cell: k, outcome: 'downscaled', fallbacks, endMembers, seeSum: sum, valid, error: Math.abs(smSum / valid - coarse) });
  }
  return { sm, see, zone, ...summarizeCells(records), frozenPixels: frozen, zoneCounts, cellMeanSee, cells: records };
}

/**
 * Per-pixel Wiener weights of the SEE anomalies of cell `k`: signal / (signal + noise), the noise variance of each
 * pixel's SEE propagated from the LST noise, the signal variance the cell's SEE variance minus its mean noise
 * (≥ 0). A cell whose SEE spread is no larger than its noise gets no correction: DISPATCH then returns the coarse
 * value rather than amplified noise.
 */
function shrinkage(see: Float32Array, noiseVar: Float64Array, layout: CellLayout, k: number, meanSee: number, valid: number, enabled: boolean) {
  if (!enabled) return Object.assign((_p: number) => 1, { uniform: true });
  let variance = 0;
  let noise = 0;
  for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
    const p = layout.pixels[i];
    if (see[p] === see[p]) (variance += (see[p] - meanSee) ** 2), (noise += noiseVar[p]);
  }
  const signal = Math.max(0, (variance - noise) / valid);
  return Object.assign((p: number) => (signal > 0 ? signal / (signal + noiseVar[p]) : 0), { uniform: false });
}

function clearCell(see: Float32Array, layout: CellLayout, k: number): void {
  for (let i = layout.start[k]; i < layout.start[k + 1]; i++) see[layout.pixels[i]] = Number.NaN;
}
