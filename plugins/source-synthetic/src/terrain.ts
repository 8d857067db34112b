/**
 * Terrain derivatives on a north-up grid of square pixels: slope/aspect (Horn 1981), a multiple-flow-direction
 * drainage network (Quinn et al. 1991, exponent 1.1 after Freeman 1991) and the topographic wetness index
 * TWI = ln(a / tan β) (Beven & Kirkby 1979).
 */
export interface SlopeAspect {
  /** Degrees from horizontal. */
  readonly slope: Float64Array;
  /** Degrees clockwise from north of the downslope direction (0 on flats). */
  readonly aspect: Float64Array;
}

export function hornSlopeAspect(dem: ArrayLike<number>, width: number, height: number, cellSize: number): SlopeAspect {
  const slope = new Float64Array(width * height);
  const aspect = new Float64Array(width * height);
  const z = (c: number, r: number): number => dem[Math.min(Math.max(r, 0), height - 1) * width + Math.min(Math.max(c, 0), width - 1)];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const a = z(c - 1, r - 1), b = z(c, r - 1), cc = z(c + 1, r - 1);
      const d = z(c - 1, r), f = z(c + 1, r);
      const g = z(c - 1, r + 1), h = z(c, r + 1), i = z(c + 1, r + 1);
      const east = (cc + 2 * f + i - (a + 2 * d + g)) / (8 * cellSize);
      const north = (a + 2 * b + cc - (g + 2 * h + i)) / (8 * cellSize);
      const k = r * width + c;
      slope[k] = (Math.atan(Math.hypot(east, north)) * 180) / Math.PI;
      aspect[k] = east === 0 && north === 0 ? 0 : ((Math.atan2(-east, -north) * 180) / Math.PI + 360) % 360;
    }
  }
  return { slope, aspect };
}

/** Downslope links of every pixel (compressed rows) and the processing order from high to low. */
export interface FlowNetwork {
  /** Pixel indices sorted by decreasing elevation (ties by index). */
  readonly order: Int32Array;
  /** Links of pixel `i` are `targets[offsets[i] .. offsets[i+1])` with `fractions` summing to 1. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly fractions: Float64Array;
}

const DC = [-1, 0, 1, -1, 1, -1, 0, 1];
const DR = [-1, -1, -1, 0, 0, 1, 1, 1];

export function flowNetwork(dem: ArrayLike<number>, width: number, height: number, cellSize: number): FlowNetwork {
  const n = width * height;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((p, q) => dem[q] - dem[p] || p - q);
  const offsets = new Int32Array(n + 1);
  const targets: number[] = [];
  const fractions: number[] = [];
  const w = new Float64Array(8);
  for (let k = 0; k < n; k++) {
    const r = Math.floor(k / width);
    const c = k - r * width;
    let sum = 0;
    for (let m = 0; m < 8; m++) {
      w[m] = 0;
      const cc = c + DC[m];
      const rr = r + DR[m];
      if (cc < 0 || rr < 0 || cc >= width || rr >= height) continue;
      const diag = DC[m] !== 0 && DR[m] !== 0;
      const drop = dem[k] - dem[rr * width + cc];
      if (drop <= 0) continue;
      const tan = drop / (cellSize * (diag ? Math.SQRT2 : 1));
      w[m] = tan ** 1.1 * (diag ? 0.354 : 0.5);
      sum += w[m];
    }
    for (let m = 0; m < 8; m++) {
      if (w[m] > 0) {
        targets.push((r + DR[m]) * width + c + DC[m]);
        fractions.push(w[m] / sum);
      }
    }
    offsets[k + 1] = targets.length;
  }
  return { order, offsets, targets: Int32Array.from(targets), fractions: Float64Array.from(fractions) };
}

/** TWI = ln(a / tan β): `a` is the upslope area per unit contour width (m), β the local slope (≥ 0.1°). */
export function wetnessIndex(network: FlowNetwork, slopeDeg: ArrayLike<number>, cellSize: number): Float64Array {
  const n = network.order.length;
  const area = new Float64Array(n).fill(cellSize * cellSize);
  for (const k of network.order) {
    for (let l = network.offsets[k]; l < network.offsets[k + 1]; l++) area[network.targets[l]] += area[k] * network.fractions[l];
  }
  const twi = new Float64Array(n);
  const minTan = Math.tan((0.1 * Math.PI) / 180);
  for (let k = 0; k < n; k++) twi[k] = Math.log(area[k] / cellSize / Math.max(Math.tan((slopeDeg[k] * Math.PI) / 180), minTan));
  return twi;
}
