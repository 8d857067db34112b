import { dayOfYear, slopeAspect, slopeIllumination, sunPosition, transformCoordinates, type Grid } from '../../../core/index.js';
import type { CellLayout } from './dispatch-member.js';

/** Options of the topographic LST correction (Merlin et al. 2013, §2.3). */
export interface TopographyOptions {
  /** Surface temperature lapse rate, K per m (positive: cooler uphill). */
  readonly lapseRate: number;
  /** Local solar time of the LST overpass, hours. */
  readonly overpassHour: number;
  /** Within-cell illumination spread (sd of cos i / cos θz) below which the illumination term is skipped (flat cells). */
  readonly minIlluminationSd: number;
}

/** What one correction did: reported per date in the `topography` table. */
export interface TopographyReport {
  /** Sensitivity of LST to the relative illumination cos i / cos θz, K (0 when skipped). */
  readonly illuminationCoefficient: number;
  /** Within-cell sd of the relative illumination. */
  readonly illuminationSd: number;
  /** Mean |correction| over the corrected pixels, K. */
  readonly meanAbsCorrection: number;
}

/** The scene's terrain: the DEM, its slope and aspect (computed on the whole grid) and the latitude of its centre. */
export interface Terrain {
  readonly dem: Float32Array;
  readonly slope: Float32Array;
  readonly aspect: Float32Array;
  readonly latitude: number;
}

export function terrainOf(dem: Float32Array, grid: Grid): Terrain {
  const { slope, aspect } = slopeAspect(dem, grid);
  const t = grid.transform;
  const centre = transformCoordinates(grid.crs, 'EPSG:4326', Float64Array.of(t[0] + (grid.width / 2) * t[1]), Float64Array.of(t[3] + (grid.height / 2) * t[5]));
  return { dem, slope, aspect, latitude: centre.y[0] };
}

/**
 * LST brought to the mean elevation and the mean illumination of its LR cell, before the SEE step:
 * LST' = LST + Γ·(z − ⟨z⟩) − b·(I − ⟨I⟩), I = cos i / cos θz the slope's illumination by the sun at the overpass
 * (relative to flat ground). Γ is the given lapse rate; b is the LST's sensitivity to illumination, estimated per
 * date by a pooled within-cell least-squares fit of the lapse-corrected LST on I and fv (fv in the fit keeps
 * vegetation from leaking into b) and kept ≥ 0 (more sun never cools). Relief changes LST by kelvins with no change
 * in soil moisture: uncorrected, DISPATCH reads a sunny or low slope as dry.
 */
export function createTopographicCorrection(terrain: Terrain, layout: CellLayout, o: TopographyOptions) {
  const { dem, slope, aspect, latitude } = terrain;
  const n = dem.length;
  const zAnomaly = cellAnomalies(dem, layout);
  const illumination = new Float32Array(n);

  /** `coefficient`: b fitted once on the whole scene (a tile applies it); absent, b is fitted on the pixels given. */
  return (lst: Float32Array, fv: Float32Array, date: string, coefficient?: number): { lst: Float32Array; report: TopographyReport } => {
    const sun = sunPosition(latitude, dayOfYear(date), o.overpassHour);
    const cz = Math.max(sun.cosZenith, 0.05);
    for (let p = 0; p < n; p++) illumination[p] = Math.max(slopeIllumination(sun, slope[p], aspect[p]), 0) / cz;
    const valid = (p: number) => lst[p] === lst[p] && fv[p] === fv[p] && zAnomaly[p] === zAnomaly[p] && layout.cellOf[p] >= 0;
    const out = new Float32Array(n);
    for (let p = 0; p < n; p++) out[p] = valid(p) ? lst[p] + o.lapseRate * zAnomaly[p] : Number.NaN;
    const iAnomaly = cellAnomalies(illumination, layout, valid);
    const lAnomaly = cellAnomalies(out, layout, valid);
    const fAnomaly = cellAnomalies(fv, layout, valid);
    let sii = 0, sff = 0, sif = 0, sil = 0, sfl = 0, m = 0;
    for (let p = 0; p < n; p++) {
      if (!valid(p)) continue;
      const i = iAnomaly[p], f = fAnomaly[p], l = lAnomaly[p];
      sii += i * i; sff += f * f; sif += i * f; sil += i * l; sfl += f * l; m++;
    }
    const illuminationSd = m > 1 ? Math.sqrt(sii / m) : 0;
    const det = sii * sff - sif * sif;
    const b = coefficient ?? (illuminationSd >= o.minIlluminationSd && det > 0 ? Math.max(0, (sil * sff - sfl * sif) / det) : 0);
    let abs = 0;
    for (let p = 0; p < n; p++) {
      if (!valid(p)) continue;
      out[p] -= b * iAnomaly[p];
      abs += Math.abs(out[p] - lst[p]);
    }
    return { lst: out, report: { illuminationCoefficient: b, illuminationSd, meanAbsCorrection: m ? abs / m : 0 } };
  };
}

/** value − mean of the value over the valid pixels of its LR cell (NaN where not valid). */
function cellAnomalies(values: Float32Array, layout: CellLayout, valid: (p: number) => boolean = (p) => values[p] === values[p]): Float32Array {
  const out = new Float32Array(values.length).fill(Number.NaN);
  const cells = layout.coarseWidth * layout.coarseHeight;
  for (let k = 0; k < cells; k++) {
    let s = 0, c = 0;
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      if (valid(p)) (s += values[p]), c++;
    }
    for (let i = layout.start[k]; i < layout.start[k + 1]; i++) {
      const p = layout.pixels[i];
      if (valid(p)) out[p] = values[p] - s / c;
    }
  }
  return out;
}
