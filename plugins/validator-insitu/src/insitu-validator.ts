import {
  gdown,
  inputError,
  intervalCoverage,
  isStatic,
  metricsTableRow,
  pairedMetrics,
  quantile,
  recordTable,
  sampleStationsAtPixels,
  stationPixels,
  type PluginContext,
  type Series,
  type StationExclusion,
  type ValidateInput,
  type ValidationResult,
  type Validator,
} from '../../../core/index.js';
import type { InsituParams } from '../index.js';

const ID = 'validator:insitu';
type Row = Record<string, string | number | boolean | null>;

/** Metrics summarised over the network (metrics.md §4). */
const SUMMARY_METRICS = ['r', 'ubrmse', 'bias', 'rmse', 'mae', 'nse', 'd', 'kl', 'gdown'] as const;

export function createInsituValidator(params: InsituParams, context: PluginContext): Validator {
  return {
    async validate(input: ValidateInput): Promise<ValidationResult> {
      const product = input.product;
      if (!product || isStatic(product)) {
        throw inputError('the in-situ validator needs a dated product series', { path: `${ID}.inputs.product`, expected: 'a series with dates', found: product ? 'a static layer' : 'nothing' });
      }
      if (!input.stations || input.stations.stations.length === 0) {
        throw inputError('no stations to validate against', { path: `${ID}.inputs.stations`, expected: 'stations with observations', found: input.stations ? '0 stations' : 'nothing' });
      }
      const stations = input.stations;
      const sampled = sampleStationsAtPixels(stations, { grid: product.grid, dates: product.dates, depthMax: params.depthMax, flags: params.flags, maxDaysApart: params.maxDaysApart });
      const coarse = input.coarse && !isStatic(input.coarse) ? input.coarse : undefined;
      const coarsePixels = coarse ? stationPixels(stations, coarse.grid) : undefined;

      const rows: Row[] = [];
      const bounds = intervalBounds(input, product);
      const pooledInterval = intervalCoverage();
      const task = context.progress.start('in-situ validation', sampled.length);
      sampled.forEach(({ station, pixel, excluded, dates, values }, si) => {
        const base: Row = { station: station.id, lon: station.lon, lat: station.lat, depth: station.depth };
        task.tick();
        if (excluded || !pixel) {
          return void rows.push({ ...base, col: pixel?.col ?? null, row: pixel?.row ?? null, n: 0, included: false, reason: exclusionReason(excluded ?? 'outside-grid', station.depth, params.depthMax) });
        }
        // Each product date's matched in-situ value (NaN when none: metrics.md §1.3).
        const insitu = new Float64Array(product.dates.length).fill(Number.NaN);
        dates.forEach((d, i) => (insitu[d] = values[i]));
        const k = pixel.index;
        const prodAt = Float64Array.from(product.values, (band) => band[k]);
        const m = pairedMetrics(prodAt, insitu);
        const metrics: Row = metricsTableRow(m);
        if (coarse && coarsePixels) {
          const cp = coarsePixels[si];
          const lowRes = Float64Array.from(product.dates, (d) => {
            const j = coarse.dates.indexOf(d);
            return cp && j >= 0 ? coarse.values[j][cp.index] : Number.NaN;
          });
          const g = gdown(prodAt, lowRes, insitu);
          Object.assign(metrics, { gdown: fin(g.gdown), gR: fin(g.gR), gB: fin(g.gB), gS: fin(g.gS), gdownN: g.n });
        }
        const at = (s: Series) => Float64Array.from(product.dates, (d) => s.values[s.dates.indexOf(d)]?.[k] ?? Number.NaN);
        const stationBounds = bounds && ([at(bounds.lower), at(bounds.upper)] as const);
        if (stationBounds) {
          const one = intervalCoverage();
          one.add(stationBounds[0], stationBounds[1], insitu);
          const c = one.result();
          Object.assign(metrics, { coverage: fin(c.coverage), meanWidth: fin(c.meanWidth) });
        }
        let reason = '';
        if (m.n < params.minObservations) reason = `INSUFFICIENT_DATA: ${m.n} pairs < minObservations ${params.minObservations}`;
        else if (!(m.pValue < params.pThreshold)) reason = `R not significant: p = ${Number.isFinite(m.pValue) ? m.pValue.toPrecision(3) : 'NaN'} ≥ ${params.pThreshold}`;
        else if (params.requirePositiveR && !(m.r > 0)) reason = `R = ${m.r.toFixed(3)} ≤ 0`;
        rows.push({ ...base, col: pixel.col, row: pixel.row, included: reason === '', reason: reason || null, ...metrics });
        if (stationBounds && reason === '') pooledInterval.add(stationBounds[0], stationBounds[1], insitu);
      });
      task.done();

      const included = rows.filter((r) => r.included);
      const summaryRows: Row[] = SUMMARY_METRICS.filter((name) => name !== 'gdown' || coarse).map((name) => {
        const values = Float64Array.from(included, (r) => (typeof r[name] === 'number' ? (r[name] as number) : Number.NaN));
        const q1 = quantile(values, 0.25);
        const q3 = quantile(values, 0.75);
        return {
          metric: name,
          median: fin(quantile(values, 0.5)),
          q25: fin(q1),
          q75: fin(q3),
          iqr: fin(q3 - q1),
          stations: values.filter(Number.isFinite).length,
          stationsTotal: rows.length,
          stationsIncluded: included.length,
        };
      });
      const excluded = rows.filter((r) => !r.included);
      if (excluded.length) context.warn('stations-excluded', `${excluded.length} of ${rows.length} stations left out of the network summary (see the stations table)`);
      if (included.length === 0) context.warn('validator-no-pairs', `no station has enough valid pairs, so the network summary is empty`);
      const notes = [
        `${included.length} of ${rows.length} stations enter the network summary (≥ ${params.minObservations} pairs, p < ${params.pThreshold}${params.requirePositiveR ? ', R > 0' : ''}, depth ≤ ${params.depthMax} m)`,
        ...excluded.map((r) => `station ${r.station} excluded: ${r.reason}`),
        'p-values assume independent samples; soil-moisture series are autocorrelated, so they are optimistic (metrics.md §1.6)',
      ];
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      return {
        tables: {
          stations: recordTable(rows, columns, [
            `pairs: product pixel containing the station × nearest in-situ record within ${params.maxDaysApart} day(s) flagged ${params.flags.join('/') || '(any)'} or unflagged`,
            'bias = mean(product − in situ); ubrmse 1/n; kl: Yan & Bai (2020)',
          ]),
          summary: recordTable(summaryRows, undefined, ['median and quartiles (linear interpolation) over included stations']),
          ...(bounds ? { intervals: intervalsRow(pooledInterval.result(), included.length) } : {}),
        },
        notes,
      };
    },
  };
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The product's interval bounds when both are given, on its grid; an error names the one missing. */
function intervalBounds(input: ValidateInput, product: NonNullable<ValidateInput['product']>) {
  if (!input.lower && !input.upper) return undefined;
  for (const name of ['lower', 'upper'] as const) {
    const s = input[name];
    if (!s) throw inputError(`interval bound '${name}' missing`, { path: `${ID}.inputs.${name}`, expected: 'both lower and upper series', found: `only ${name === 'lower' ? 'upper' : 'lower'}` });
    if (s.grid.width !== product.grid.width || s.grid.height !== product.grid.height) {
      throw inputError(`interval bound '${name}' is not on the product grid`, { path: `${ID}.inputs.${name}`, expected: `${product.grid.width} × ${product.grid.height}`, found: `${s.grid.width} × ${s.grid.height}` });
    }
  }
  return { lower: input.lower!, upper: input.upper! };
}

function intervalsRow(c: { n: number; coverage: number; meanWidth: number }, stations: number) {
  return recordTable([{ scope: 'included stations', stations, n: c.n, coverage: fin(c.coverage), meanWidth: fin(c.meanWidth) }], undefined, [
    'share of matched in-situ observations inside the product’s interval [lower, upper] at the station pixel, and the mean width; a point observation also carries sub-pixel variability the interval does not target',
  ]);
}

/** The stations table's reason for a station left out whole. */
function exclusionReason(excluded: StationExclusion, depth: number, depthMax: number): string {
  if (excluded === 'too-deep') return `sensor depth ${depth} m > depthMax ${depthMax} m`;
  return excluded === 'outside-grid' ? 'outside the product grid' : 'no observations';
}
