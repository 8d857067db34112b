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
export function dispatchMember(fv: Float32Array, lst: Float32Array, smLR: Float32Array, layout: CellLayout, o: DispatchOptions): MemberResult {
  const n = fv.length;
  const cells = layout.coarseWidth * layout.coarseHeight;
  const usable = new Uint8Array(n);
  let frozen = 0;
  for (let p = 0; p < n; p++) {
    const t = lst[p];
    if (!(t === t && fv[p] === fv[p]) || layout.cellOf[p] < 0) continue;
    if (t < o.frozenLst) {
      frozen++;
      continue;
    }
    usable[p] = 1;
  }
  const fallbacks: Record<string, number> = {};
  const bump = (rec: Record<string, number>, key: string) => (rec[key] = (rec[key] ?? 0) + 1);
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
  let sceneEstimate: EndMemberEstimate | null | undefined;
  const scene = (): EndMemberEstimate | null => {
    if (sceneEstimate !== undefined) return sceneEstimate;
    let m = 0;
    for (let p = 0; p < n; p++) if (usable[p]) scratch[m++] = p;
    sceneEstimate = m >= o.minPixels ? estimateEndMembers(fv, lst, scratch, m, emOptions) : null;
    return sceneEstimate;
  };
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
  const outcomes: Record<string, number> = {};
  const zoneCounts = { A: 0, B: 0, C: 0, D: 0 };
  const emSum = { tsMin: 0, tsMax: 0, tvMin: 0, tvMax: 0, cells: 0 };
  const st = { zone: Zone.A, ts: 0, tv: 0 };
  let conservationError = 0;
  let seeSum = 0;
  let validPixels = 0;

  for (let k = 0; k < cells; k++) {
    const total = layout.start[k + 1] - layout.start[k];
    if (total === 0) continue;
    const coarse = smLR[k];
    if (!(coarse === coarse)) {
      bump(outcomes, 'coarse nodata');
      continue;
    }
    const e = endMembersOf(k);
    if (!e) {
      bump(outcomes, 'no end-members');
      continue;
    }
    for (const f of e.fallbacks) bump(fallbacks, f);
    if (e.tsMax - e.tsMin < o.minTsRange) {
      bump(outcomes, 'energy-limited');
      continue;
    }
    emSum.tsMin += e.tsMin; emSum.tsMax += e.tsMax; emSum.tvMin += e.tvMin; emSum.tvMax += e.tvMax; emSum.cells++;
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
      if (st.zone === Zone.D || f > o.fvMax) {
        if (o.zoneD !== 'tvdi' || !(e.lstMax > e.lstMin)) continue;
        s = (e.lstMax - lst[p]) / (e.lstMax - e.lstMin); // TVDI-like (rslab-ntua variant)
      } else s = soilEvaporativeEfficiency(st.ts, e);
      if (s < 0 || s > 1) {
        if (o.seeOutOfRange === 'mask') continue;
        s = s < 0 ? 0 : 1;
      }
      see[p] = s;
      sum += s;
      valid++;
    }
    if (valid === 0 || valid < o.minValidFraction * total) {
      bump(outcomes, 'too few valid pixels');
      clearCell(see, layout, k);
      continue;
    }
    const meanSee = sum / valid;
    const smp = o.smpFixed > 0 ? o.smpFixed : soilMoistureParameter(o.seeModel, coarse, meanSee);
    if (!(smp === smp) || meanSee < o.minMeanSee || (o.seeModel === 'cosine' && !(meanSee < 1))) {
      bump(outcomes, 'mean SEE out of range');
      clearCell(see, layout, k);
      continue;
    }
    const dLR = seeDerivative(o.seeModel, smp, meanSee);
    let smSum = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      const s = see[p];
      if (!(s === s)) continue;
      const d = o.derivativeAt === 'hr' ? seeDerivative(o.seeModel, smp, s) : dLR;
      const v = coarse + o.damping * d * (s - meanSee);
      sm[p] = v;
      smSum += v;
    }
    bump(outcomes, 'downscaled');
    const err = Math.abs(smSum / valid - coarse);
    if (err > conservationError || !(err === err)) conservationError = err === err ? err : Infinity;
    seeSum += sum;
    validPixels += valid;
  }
  const endMembers = emSum.cells
    ? { tsMin: emSum.tsMin / emSum.cells, tsMax: emSum.tsMax / emSum.cells, tvMin: emSum.tvMin / emSum.cells, tvMax: emSum.tvMax / emSum.cells, cells: emSum.cells }
    : undefined;
  return { sm, see, zone, cellOutcomes: outcomes, fallbacks, endMembers, conservationError, meanSee: validPixels ? seeSum / validPixels : Number.NaN, validPixels, frozenPixels: frozen, zoneCounts };
}

function clearCell(see: Float32Array, layout: CellLayout, k: number): void {
  for (let i = layout.start[k]; i < layout.start[k + 1]; i++) see[layout.pixels[i]] = Number.NaN;
}
