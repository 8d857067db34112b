import { inputError, isStatic, pixelCount, resampleToGrid, sameGrid, valuesOn, type Grid, type InverterInput, type Series } from '../../../core/index.js';
import { descriptorOnDates } from './descriptor-on-dates.js';

/** What the stack needs from the plugin params. */
export interface RadarStackOptions {
  readonly descriptor: string;
  readonly descriptorMaxGapDays: number;
  readonly minIncidence: number;
  readonly maxIncidence: number;
  readonly maskClasses: readonly number[];
  readonly orbitBinDeg: number;
}

/** One radar date: σ⁰ (linear, NaN where unusable), descriptor, incidence and an orbit key. */
export interface RadarDate {
  readonly date: string;
  readonly sigmaLinear: Float32Array;
  readonly descriptor: Float32Array;
  readonly incidence: Float32Array;
  /** Date-mean incidence binned to `orbitBinDeg`: identifies the relative orbit / angle bin. */
  readonly orbit: number;
  /** Pixels removed by a mask (classes, mask layer, incidence out of range) with σ⁰ present. */
  readonly masked: number;
}

export interface RadarStack {
  readonly grid: Grid;
  readonly dates: readonly RadarDate[];
  /** Land cover on the radar grid (nearest), when given. */
  readonly landcover?: Float32Array;
  /** Per-pixel upper SM bound (porosity), when given. */
  readonly porosity?: Float32Array;
}

const PLUGIN = 'inverter:wcm';

/**
 * Align every input on the σ⁰ grid and dates, and blank (NaN) σ⁰ wherever the model must not be
 * used: masked classes (water, urban…), a `mask` layer (layover/shadow/frozen, nonzero = masked),
 * incidence outside the configured range, missing descriptor or incidence.
 */
export function buildRadarStack(input: InverterInput, options: RadarStackOptions): RadarStack {
  const sigma = input.observations.sigma0_vv;
  const incidence = input.observations.incidence;
  if (!sigma) throw missing('observations.sigma0_vv', 'a σ⁰ VV series in dB', Object.keys(input.observations));
  if (!incidence) throw missing('observations.incidence', 'an incidence-angle series in degrees', Object.keys(input.observations));
  const descriptor = input.auxiliary[options.descriptor];
  if (!descriptor) throw missing(`auxiliary.${options.descriptor}`, `the vegetation descriptor '${options.descriptor}'`, Object.keys(input.auxiliary));
  if (isStatic(sigma)) throw inputError('σ⁰ must be a dated series', { path: `${PLUGIN}.observations.sigma0_vv`, expected: 'one raster per radar date', found: 'a static layer' });
  const grid = sigma.grid;
  const n = pixelCount(grid);
  const onGrid = (s: Series, v: Float32Array, method: 'nearest' | 'bilinear') => (sameGrid(s.grid, grid) ? v : resampleToGrid(v, s.grid, grid, method));

  const lcSeries = input.auxiliary.landcover;
  const landcover = lcSeries ? onGrid(lcSeries, lcSeries.values[0], 'nearest') : undefined;
  const porositySeries = input.auxiliary.porosity;
  const porosity = porositySeries ? onGrid(porositySeries, porositySeries.values[0], 'bilinear') : undefined;
  const maskSeries = input.auxiliary.mask;
  const classMask = new Uint8Array(n);
  if (landcover && options.maskClasses.length > 0) {
    const masked = new Set(options.maskClasses);
    for (let p = 0; p < n; p++) if (masked.has(landcover[p])) classMask[p] = 1;
  }
  const descriptors = descriptorOnDates(descriptor, sigma.dates, grid, options.descriptorMaxGapDays);

  const dates = sigma.dates.map((date, d): RadarDate => {
    const inc = valuesOn(incidence, date);
    if (!inc) throw inputError('no incidence angle for a radar date', { path: `${PLUGIN}.observations.incidence`, expected: `a raster on ${date}`, found: `dates ${incidence.dates.slice(0, 5).join(', ')}${incidence.dates.length > 5 ? '…' : ''}` });
    const theta = onGrid(incidence, inc, 'bilinear');
    const maskValues = maskSeries ? valuesOn(maskSeries, date) : undefined;
    const mask = maskValues && maskSeries ? onGrid(maskSeries, maskValues, 'nearest') : undefined;
    const v = descriptors[d];
    const db = sigma.values[d];
    const lin = new Float32Array(n);
    let masked = 0;
    let sum = 0;
    let count = 0;
    for (let p = 0; p < n; p++) {
      const s = db[p];
      const t = theta[p];
      if (t === t) {
        sum += t;
        count++;
      }
      if (!(s === s && t === t && v[p] === v[p])) {
        lin[p] = Number.NaN;
        continue;
      }
      if (classMask[p] === 1 || (mask !== undefined && mask[p] !== 0 && mask[p] === mask[p]) || t < options.minIncidence || t > options.maxIncidence) {
        lin[p] = Number.NaN;
        masked++;
        continue;
      }
      lin[p] = Math.pow(10, s / 10);
    }
    const orbit = count > 0 ? Math.round(sum / count / options.orbitBinDeg) * options.orbitBinDeg : Number.NaN;
    return { date, sigmaLinear: lin, descriptor: v, incidence: theta, orbit, masked };
  });
  return { grid, dates, landcover, porosity };
}

function missing(path: string, expected: string, found: readonly string[]) {
  return inputError('missing input', { path: `${PLUGIN}.${path}`, expected, found: found.length ? `keys ${found.join(', ')}` : 'no keys' });
}
