import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readGeoTiff } from '../../core/io/geotiff-read.js';
import { gridBounds, type Grid } from '../../core/model/grid.js';
import type { WarpMethod } from '../../core/grid-ops/warp.js';

/** Debian's gdalwarp (package gdal-bin). */
export const GDALWARP = '/usr/bin/gdalwarp';

export function haveGdalwarp(): boolean {
  return existsSync(GDALWARP);
}

export interface GdalwarpRun {
  /** The target grid (north-up): gdalwarp gets its CRS, extent (`-te`) and resolution (`-tr`). */
  readonly to: Grid;
  readonly method: WarpMethod;
  /** Overrides the source file's CRS (`-s_srs`), e.g. for a sinusoidal grid our writer cannot encode. */
  readonly sourceCrs?: string;
  /** `-et`; default 0 (exact transformation). */
  readonly maxError?: number;
  /** Extra arguments, e.g. `['-multi', '-wo', 'NUM_THREADS=2']`. */
  readonly extra?: readonly string[];
}

/** The gdalwarp command line for `input` → `output` (float32, NaN nodata in and out). */
export function gdalwarpArgs(input: string, output: string, run: GdalwarpRun): string[] {
  const [xmin, ymin, xmax, ymax] = gridBounds(run.to);
  const t = run.to.transform;
  return [
    '-q', '-overwrite', '-of', 'GTiff', '-ot', 'Float32',
    ...(run.sourceCrs ? ['-s_srs', run.sourceCrs] : []),
    '-t_srs', run.to.crs,
    '-te', String(xmin), String(ymin), String(xmax), String(ymax),
    '-tr', String(Math.abs(t[1])), String(Math.abs(t[5])),
    '-r', run.method,
    '-et', String(run.maxError ?? 0),
    '-srcnodata', 'nan', '-dstnodata', 'nan',
    ...(run.extra ?? []),
    input, output,
  ];
}

/** Run gdalwarp and read its output band; throws with gdalwarp's stderr when it fails. */
export async function gdalwarp(input: string, output: string, run: GdalwarpRun): Promise<Float32Array> {
  const r = spawnSync(GDALWARP, gdalwarpArgs(input, output, run), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gdalwarp failed (${r.status}): ${r.stderr}`);
  const raster = await readGeoTiff(output, { bands: [0] });
  if (raster.grid.width !== run.to.width || raster.grid.height !== run.to.height) {
    throw new Error(`gdalwarp wrote ${raster.grid.width}×${raster.grid.height}, expected ${run.to.width}×${run.to.height}`);
  }
  return raster.bands[0];
}

/** How two warped bands differ, pixel by pixel. */
export interface WarpDifference {
  readonly pixels: number;
  /** Pixels valid in one band and NaN in the other. */
  readonly validityMismatch: number;
  /** Pixels valid in both. */
  readonly bothValid: number;
  /** Among `bothValid`: pixels differing by more than `tolerance`. */
  readonly overTolerance: number;
  readonly maxAbs: number;
  readonly meanAbs: number;
}

export function compareWarps(ours: Float32Array, theirs: Float32Array, tolerance: number): WarpDifference {
  let validityMismatch = 0;
  let bothValid = 0;
  let overTolerance = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const b = theirs[i];
    if ((a !== a) !== (b !== b)) validityMismatch++;
    if (a !== a || b !== b) continue;
    bothValid++;
    const d = Math.abs(a - b);
    if (d > tolerance) overTolerance++;
    if (d > maxAbs) maxAbs = d;
    sumAbs += d;
  }
  return { pixels: ours.length, validityMismatch, bothValid, overTolerance, maxAbs, meanAbs: bothValid ? sumAbs / bothValid : 0 };
}
