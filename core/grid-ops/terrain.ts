import { inputError } from '../errors.js';
import { describeGrid, isNorthUp, pixelCount, type Grid } from '../model/grid.js';
import { isGeographicCrs } from '../crs/resolve.js';

/**
 * Terrain derivatives with Horn's 3×3 gradient, matching `gdaldem slope|aspect|hillshade -compute_edges`:
 * neighbours beyond the edge are extrapolated as gdaldem does (`2·edge − inner`; on the first and
 * last rows the missing column is replicated instead, so corners see half the east-west gradient), NaN neighbours take the centre value, a NaN centre gives NaN.
 */

const DEG = 180 / Math.PI;
// WGS84 ellipsoid, for metres per degree on geographic grids.
const A = 6378137;
const E2 = 0.00669437999014;

/** Metres per degree of longitude and latitude at latitude `lat` (degrees), WGS84. */
function metresPerDegree(lat: number): [number, number] {
  const phi = lat / DEG;
  const s = Math.sin(phi);
  const w = Math.sqrt(1 - E2 * s * s);
  return [(Math.PI / 180) * A * Math.cos(phi) / w, (Math.PI / 180) * A * (1 - E2) / (w * w * w)];
}

/** Pixel sizes in metres (|east-west|, |north-south|) for each row. */
function rowResolutions(grid: Grid): { ew: Float64Array; ns: Float64Array } {
  const t = grid.transform;
  const ew = new Float64Array(grid.height).fill(Math.abs(t[1]));
  const ns = new Float64Array(grid.height).fill(Math.abs(t[5]));
  if (isGeographicCrs(grid.crs)) {
    for (let r = 0; r < grid.height; r++) {
      const [mx, my] = metresPerDegree(t[3] + (r + 0.5) * t[5]);
      ew[r] *= mx;
      ns[r] *= my;
    }
  }
  return { ew, ns };
}

function checkDem(dem: Float32Array, grid: Grid, what: string): void {
  if (dem.length !== pixelCount(grid)) throw new RangeError(`${what}: ${dem.length} values for a ${grid.width}×${grid.height} grid`);
  if (!isNorthUp(grid)) {
    throw inputError(`${what} needs a north-up grid`, { path: describeGrid(grid), expected: 'no rotation terms and pixelHeight < 0', found: `[${grid.transform.join(', ')}]` });
  }
}

/**
 * Fill `win` (9 values, row-major 3×3) around (r, c) following gdaldem's `-compute_edges` rules.
 * Returns false when the centre is NaN.
 */
function edgeWindow(z: Float32Array, w: number, h: number, r: number, c: number, win: Float64Array): boolean {
  const centre = z[r * w + c];
  if (centre !== centre) return false;
  const edgeRow = r === 0 || r === h - 1;
  for (let dr = -1; dr <= 1; dr++) {
    for (let dc = -1; dc <= 1; dc++) {
      let rr = r + dr;
      let cc = c + dc;
      let v: number;
      if (w < 2 || h < 2) {
        rr = rr < 0 ? 0 : rr >= h ? h - 1 : rr;
        cc = cc < 0 ? 0 : cc >= w ? w - 1 : cc;
        v = z[rr * w + cc];
      } else {
        // gdaldem replicates the column on the first and last rows, extrapolates it elsewhere.
        let ccIn = cc;
        let colOut = false;
        if (cc < 0 || cc >= w) {
          ccIn = cc < 0 ? 0 : w - 1;
          colOut = !edgeRow;
        }
        if (rr < 0 || rr >= h) {
          const inner = rr < 0 ? 1 : h - 2;
          const edge = rr < 0 ? 0 : h - 1;
          v = 2 * z[edge * w + ccIn] - z[inner * w + ccIn];
        } else if (colOut) {
          const inner = cc < 0 ? 1 : w - 2;
          v = 2 * z[rr * w + ccIn] - z[rr * w + inner];
        } else {
          v = z[rr * w + ccIn];
        }
      }
      win[(dr + 1) * 3 + dc + 1] = v === v ? v : centre;
    }
  }
  return true;
}

/**
 * Visit every pixel with its 3×3 window: interior pixels without NaN take a fast path, the rest go
 * through `edgeWindow`. `kernel` writes the result for pixel `i` on row `r` from `win`.
 */
function forEachWindow(z: Float32Array, w: number, h: number, kernel: WindowKernel): void {
  const win = new Float64Array(9);
  for (let r = 0; r < h; r++) {
    const interiorRow = r > 0 && r < h - 1;
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      if (interiorRow && c > 0 && c < w - 1) {
        const up = i - w;
        const dn = i + w;
        win[0] = z[up - 1]; win[1] = z[up]; win[2] = z[up + 1];
        win[3] = z[i - 1]; win[4] = z[i]; win[5] = z[i + 1];
        win[6] = z[dn - 1]; win[7] = z[dn]; win[8] = z[dn + 1];
        const s = win[0] + win[1] + win[2] + win[3] + win[4] + win[5] + win[6] + win[7] + win[8];
        if (s === s) {
          kernel.apply(i, r, win);
          continue;
        }
      }
      if (edgeWindow(z, w, h, r, c, win)) kernel.apply(i, r, win);
      else kernel.nodata(i);
    }
  }
}

/** A per-pixel computation over 3×3 windows (a class, so the hot call stays monomorphic per kind). */
interface WindowKernel {
  apply(i: number, r: number, win: Float64Array): void;
  nodata(i: number): void;
}

class SlopeAspectKernel implements WindowKernel {
  constructor(
    readonly slope: Float32Array,
    readonly aspect: Float32Array,
    readonly ew: Float64Array,
    readonly ns: Float64Array,
  ) {}

  apply(i: number, r: number, win: Float64Array): void {
    // Differences across the window: east minus west, south minus north.
    const ex = win[2] + 2 * win[5] + win[8] - (win[0] + 2 * win[3] + win[6]);
    const sy = win[6] + 2 * win[7] + win[8] - (win[0] + 2 * win[1] + win[2]);
    const gx = ex / (8 * this.ew[r]);
    const gy = sy / (8 * this.ns[r]);
    this.slope[i] = Math.atan(Math.sqrt(gx * gx + gy * gy)) * DEG;
    if (ex === 0 && sy === 0) {
      this.aspect[i] = Number.NaN;
    } else {
      let a = Math.atan2(gy, -gx) * DEG;
      a = a > 90 ? 450 - a : 90 - a;
      this.aspect[i] = a === 360 ? 0 : a;
    }
  }

  nodata(i: number): void {
    this.slope[i] = Number.NaN;
    this.aspect[i] = Number.NaN;
  }
}

class HillshadeKernel implements WindowKernel {
  constructor(
    readonly out: Float32Array,
    readonly ew: Float64Array,
    readonly ns: Float64Array,
    readonly sinAlt: number,
    readonly cosAz: number,
    readonly sinAz: number,
    readonly z: number,
  ) {}

  apply(i: number, r: number, win: Float64Array): void {
    // gdaldem: x = (west − east)/ewres, y = (south − north)/nsres with nsres < 0.
    const x = (win[0] + 2 * win[3] + win[6] - (win[2] + 2 * win[5] + win[8])) / this.ew[r];
    const y = (win[0] + 2 * win[1] + win[2] - (win[6] + 2 * win[7] + win[8])) / this.ns[r];
    const cang = (this.sinAlt - (y * this.cosAz - x * this.sinAz)) / Math.sqrt(1 + this.z * this.z * (x * x + y * y));
    this.out[i] = cang <= 0 ? 1 : 1 + 254 * cang;
  }

  nodata(i: number): void {
    this.out[i] = Number.NaN;
  }
}

/**
 * Slope (degrees, 0 = flat) and aspect (degrees clockwise from north, the direction the slope faces;
 * NaN where flat) of a DEM in metres, as `gdaldem slope/aspect -compute_edges` (Horn's method).
 * Geographic grids use metres per degree at each row's latitude (WGS84).
 *
 * @example
 * ```ts
 * const { slope, aspect } = slopeAspect(dem.bands[0], dem.grid);
 * ```
 */
export function slopeAspect(dem: Float32Array, grid: Grid): { slope: Float32Array; aspect: Float32Array } {
  checkDem(dem, grid, 'slopeAspect');
  const { ew, ns } = rowResolutions(grid);
  const n = dem.length;
  const slope = new Float32Array(n);
  const aspect = new Float32Array(n);
  forEachWindow(dem, grid.width, grid.height, new SlopeAspectKernel(slope, aspect, ew, ns));
  return { slope, aspect };
}

export interface HillshadeOptions {
  /** Light direction, degrees clockwise from north. Default 315. */
  readonly azimuth?: number;
  /** Light elevation above the horizon, degrees. Default 45. */
  readonly altitude?: number;
  /** Vertical exaggeration. Default 1. */
  readonly zFactor?: number;
}

/**
 * Shaded relief as `gdaldem hillshade -compute_edges`: values 1 (shadow) … 255 (lit), NaN where the DEM
 * is NaN. Unlike gdaldem the values are not rounded to bytes.
 *
 * @example
 * ```ts
 * const shade = hillshade(dem.bands[0], dem.grid, { azimuth: 315, altitude: 45 });
 * ```
 */
export function hillshade(dem: Float32Array, grid: Grid, options: HillshadeOptions = {}): Float32Array {
  checkDem(dem, grid, 'hillshade');
  const az = (options.azimuth ?? 315) / DEG;
  const alt = (options.altitude ?? 45) / DEG;
  const z = (options.zFactor ?? 1) / 8;
  const { ew, ns } = rowResolutions(grid);
  const sinAlt = Math.sin(alt);
  const cosAz = Math.cos(az) * Math.cos(alt) * z;
  const sinAz = Math.sin(az) * Math.cos(alt) * z;
  const out = new Float32Array(dem.length);
  forEachWindow(dem, grid.width, grid.height, new HillshadeKernel(out, ew, ns, sinAlt, cosAz, sinAz, z));
  return out;
}
