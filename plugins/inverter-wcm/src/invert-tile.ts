import { workerTask, type TileFunction } from '../../../core/index.js';
import { invertDate, type InversionLimits } from './invert-raster.js';
import { readModel, selectSets } from './parameter-sets.js';

/**
 * inverter:wcm's per-pixel stage: the closed-form inversion of every radar date on a tile. Inputs:
 * `sigma` (multilooked linear σ⁰, NaN where masked), `descriptor`, `incidence`, and the static
 * `landcover` and `porosity` when given; the model is the calibration. Outputs: `sm` and `outcome`
 * (each pixel's `Outcome` code, for the inversion table).
 */
export interface InvertTileParams {
  readonly limits: InversionLimits;
  /** The orbit key of each date (null: no incidence on that date). */
  readonly orbits: readonly (number | null)[];
}

export const invertTile: TileFunction<InvertTileParams> = ({ params, model, window, dates, inputs }) => {
  const data = readModel(model!);
  const n = window.width * window.height;
  const sm: Float32Array[] = [];
  const outcome: Float32Array[] = [];
  dates.forEach((date, d) => {
    const { sets, setOfPixel } = selectSets(data, params.orbits[d] ?? Number.NaN, inputs.landcover?.values[0], n);
    const item = { date, sigmaLinear: inputs.sigma.values[d], descriptor: inputs.descriptor.values[d], incidence: inputs.incidence.values[d], orbit: params.orbits[d] ?? Number.NaN, masked: 0 };
    const out = new Float32Array(n);
    const codes = new Float32Array(n);
    invertDate(item, item.sigmaLinear, sets, setOfPixel, data.form, params.limits, inputs.porosity?.values[0], out, codes);
    sm.push(out);
    outcome.push(codes);
  });
  return { sm, outcome };
};

export const invertTileTask = workerTask(import.meta.url, { invertTile });
