import {
  inputError,
  makeSeries,
  median,
  recordTable,
  sameGrid,
  describeGrid,
  type PluginContext,
  type RecordTable,
  type Series,
  type ValidateInput,
  type ValidationResult,
  type Validator,
} from '../../../core/index.js';
import type { TchParams } from '../index.js';
import { threeCorneredHat } from './three-cornered-hat.js';
import { tripleCollocation } from './triple-collocation.js';

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Products on the dates all of them have, in input order. */
function commonDates(products: readonly [string, Series][]): string[] {
  const sets = products.map(([, s]) => new Set(s.dates));
  return products[0][1].dates.filter((d) => sets.every((set) => set.has(d)));
}

export function createTchValidator(params: TchParams, context: PluginContext): Validator {
  return {
    async validate(input: ValidateInput): Promise<ValidationResult> {
      const entries = Object.entries(input.products ?? {});
      if (entries.length < 3) {
        throw inputError('the three-cornered hat needs at least three products', {
          path: 'validator:tch.inputs.products',
          expected: '≥ 3 series keyed by name',
          found: entries.length ? entries.map(([k]) => k).join(', ') : 'none',
        });
      }
      const grid = entries[0][1].grid;
      for (const [name, s] of entries) {
        if (!sameGrid(grid, s.grid)) {
          throw inputError(`product '${name}' is on another grid; resample the products to one grid first`, {
            path: `validator:tch.inputs.products.${name}`,
            expected: describeGrid(grid),
            found: describeGrid(s.grid),
          });
        }
      }
      const names = entries.map(([k]) => k);
      const N = names.length;
      const dates = commonDates(entries);
      const notes: string[] = [];
      entries.forEach(([name, s]) => {
        const dropped = s.dates.length - dates.length;
        if (dropped > 0) notes.push(`${name}: ${dropped} date(s) not shared by every product were left out`);
      });
      if (dates.length === 0) {
        throw inputError('the products share no date', {
          path: 'validator:tch.inputs.products',
          expected: 'a common date',
          found: entries.map(([k, s]) => `${k}: ${s.dates[0] ?? '-'}…${s.dates[s.dates.length - 1] ?? '-'}`).join('; '),
        });
      }
      const stacks = entries.map(([, s]) => dates.map((d) => s.values[s.dates.indexOf(d)]));
      const D = dates.length;
      const P = grid.width * grid.height;

      // Per-pixel time series → per-pixel TCH (uncertainty maps).
      const mapValues = names.map(() => new Float32Array(P).fill(Number.NaN));
      let estimated = 0;
      if (params.maps) {
        const task = context.progress.start('three-cornered hat per pixel', P);
        const series = names.map(() => new Float64Array(D));
        for (let px = 0; px < P; px++) {
          let valid = 0;
          for (let t = 0; t < D; t++) {
            let all = true;
            for (let i = 0; i < N; i++) {
              const v = stacks[i][t][px];
              series[i][t] = v;
              if (!Number.isFinite(v)) all = false;
            }
            if (all) valid++;
          }
          if (valid >= Math.max(params.minSamples, N + 1)) {
            const res = threeCorneredHat(series, { minSamples: params.minSamples });
            if (res.status === 'ok') {
              estimated++;
              for (let i = 0; i < N; i++) mapValues[i][px] = res.errorStd[i];
            }
          }
          if ((px & 4095) === 4095) task.tick(4096);
        }
        task.done();
        notes.push(`per-pixel TCH: ${estimated} of ${P} pixels estimated (≥ ${params.minSamples} common dates and a non-singular difference covariance)`);
      }

      // Pooled samples: every pixel-date valid in all products (optionally as per-pixel anomalies).
      const { samples: pooled, meanAbs } = pooledSamples(stacks, P, D, params.pooledAnomalies);
      const tch = threeCorneredHat(pooled, { minSamples: params.minSamples });
      if (tch.status !== 'ok') context.warn('validator-no-estimate', `pooled TCH not estimated: ${tch.status} (${tch.samples} common samples)`);
      if (tch.constraintActive) notes.push('pooled TCH: the positive-definiteness constraint is active (classical 3CH variances would be negative)');
      const tchRows = names.map((product, i) => ({
        product,
        samples: tch.samples,
        errorVariance: finiteOrNull(tch.errorVariance[i]),
        errorStd: finiteOrNull(tch.errorStd[i]),
        // σ relative to the product's mean |x| (the anomalies' mean would be ~0).
        relativeUncertainty: finiteOrNull((100 * tch.errorStd[i]) / meanAbs[i]),
        btchWeight: finiteOrNull(tch.weights[i]),
        medianPixelStd: params.maps ? finiteOrNull(median(mapValues[i])) : null,
        pixelsEstimated: params.maps ? estimated : null,
        constraintActive: tch.constraintActive,
      }));
      const tables: Record<string, RecordTable> = {
        tch: recordTable(tchRows, undefined, [
          params.pooledAnomalies
            ? 'pooled over all pixel-dates valid in every product, on per-pixel temporal anomalies'
            : 'pooled over all pixel-dates valid in every product',
          'relativeUncertainty = 100·σ / mean|x| (xutr-bnu TCH_method); btchWeight = σ⁻²/Σσ⁻² (He et al. 2020)',
        ]),
      };

      if (params.tripleCollocation) {
        const rows: Record<string, string | number | null>[] = [];
        for (let a = 0; a < N; a++)
          for (let b = a + 1; b < N; b++)
            for (let c = b + 1; c < N; c++) {
              const tc = tripleCollocation(pooled[a], pooled[b], pooled[c]);
              const triplet = [names[a], names[b], names[c]].join('+');
              [a, b, c].forEach((idx, k) => {
                rows.push({
                  triplet,
                  product: names[idx],
                  samples: tc.samples,
                  errorVariance: finiteOrNull(tc.errorVariance[k]),
                  errorStd: finiteOrNull(tc.errorStd[k]),
                  beta: finiteOrNull(tc.beta[k]),
                  errorStdScaled: finiteOrNull(tc.errorStdScaled[k]),
                  snrDb: finiteOrNull(tc.snrDb[k]),
                  etcR: finiteOrNull(tc.etcR[k]),
                });
              });
              if (tc.errorVariance.some((v) => v < 0)) notes.push(`triple collocation ${triplet}: negative error variance (short or cross-correlated series); its std is empty`);
            }
        tables.tripleCollocation = recordTable(rows, undefined, [
          'classical TC in covariance notation (1/(M−1)); β and errorStdScaled relative to the first product of each triplet (pytesmo tcol_metrics, ref_ind=0)',
        ]);
      }

      const maps: Record<string, Series> = {};
      if (params.maps) {
        names.forEach((name, i) => {
          const unit = entries[i][1].unit;
          maps[name] = makeSeries({ variable: `${entries[i][1].variable}_tch_error_std`, grid, dates: [], values: [mapValues[i]], unit });
        });
      }
      return { tables, maps, notes };
    },
  };
}

/**
 * One sample vector per product over all (pixel, date) pairs where every product is valid; with
 * `anomalies`, each pixel's mean over its common dates is removed first. Also returns each product's
 * mean |x| over those samples (before removing means), for the relative uncertainty.
 */
function pooledSamples(stacks: Float32Array[][], P: number, D: number, anomalies: boolean): { samples: Float64Array[]; meanAbs: Float64Array } {
  const N = stacks.length;
  // Date-major passes (sequential memory access); sample order does not matter for covariances.
  const validAt = (t: number, px: number): boolean => {
    for (let i = 0; i < N; i++) if (!Number.isFinite(stacks[i][t][px])) return false;
    return true;
  };
  const count = new Int32Array(P);
  const sums = stacks.map(() => new Float64Array(P));
  const meanAbs = new Float64Array(N);
  let total = 0;
  for (let t = 0; t < D; t++) {
    for (let px = 0; px < P; px++) {
      if (!validAt(t, px)) continue;
      count[px]++;
      total++;
      for (let i = 0; i < N; i++) {
        const v = stacks[i][t][px];
        sums[i][px] += v;
        meanAbs[i] += Math.abs(v);
      }
    }
  }
  const samples = stacks.map(() => new Float64Array(total));
  let k = 0;
  for (let t = 0; t < D; t++) {
    for (let px = 0; px < P; px++) {
      if (!validAt(t, px)) continue;
      for (let i = 0; i < N; i++) samples[i][k] = stacks[i][t][px] - (anomalies ? sums[i][px] / count[px] : 0);
      k++;
    }
  }
  for (let i = 0; i < N; i++) meanAbs[i] /= total;
  return { samples, meanAbs };
}
