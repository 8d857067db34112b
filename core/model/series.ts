import { type Grid, pixelCount } from './grid.js';
import type { RasterAddress } from '../io/raster-source.js';
import type { Raster } from './raster.js';

/**
 * One variable over dates on one grid: a daily or 8-day stack, or a static layer.
 *
 * `dates` are ISO calendar dates (`YYYY-MM-DD`), strictly ascending. A static layer (DEM, soil
 * texture) has `dates = []` and exactly one entry in `values`. Each entry of `values` is one band of
 * `grid.width * grid.height` values, row-major, `NaN` = nodata.
 *
 * @example
 * ```ts
 * const sm = createSeries('sm', grid, ['2024-06-01', '2024-06-02'], 'm3/m3');
 * sm.values[1][0] = 0.31;
 * isStatic(sm); // false
 * ```
 */
export interface Series {
  readonly kind: 'series';
  readonly variable: string;
  readonly grid: Grid;
  readonly dates: readonly string[];
  readonly values: readonly Float32Array[];
  readonly unit?: string;
  /** true for class maps (land cover): aggregate by majority, resample by nearest. */
  readonly categorical?: boolean;
}

export function isStatic(series: Series): boolean {
  return series.dates.length === 0;
}

export function createSeries(
  variable: string,
  grid: Grid,
  dates: readonly string[],
  unit?: string,
  options: { categorical?: boolean } = {},
): Series {
  const n = pixelCount(grid);
  const count = dates.length === 0 ? 1 : dates.length;
  const values = Array.from({ length: count }, () => new Float32Array(n).fill(Number.NaN));
  return makeSeries({ variable, grid, dates, values, unit, categorical: options.categorical });
}

/** Build a series from existing arrays, checking sizes and date order. */
export function makeSeries(init: Omit<Series, 'kind'>): Series {
  const n = pixelCount(init.grid);
  const expected = init.dates.length === 0 ? 1 : init.dates.length;
  if (init.values.length !== expected) {
    throw new RangeError(`series '${init.variable}': ${init.values.length} arrays for ${init.dates.length} dates`);
  }
  init.values.forEach((v, i) => {
    if (v.length !== n) {
      throw new RangeError(`series '${init.variable}': array ${i} has ${v.length} values, grid has ${n} pixels`);
    }
  });
  for (let i = 1; i < init.dates.length; i++) {
    if (!(init.dates[i - 1] < init.dates[i])) {
      throw new RangeError(`series '${init.variable}': dates not strictly ascending at ${init.dates[i - 1]}, ${init.dates[i]}`);
    }
  }
  return { kind: 'series', ...init };
}

/** Values of a series on `date`; a static layer answers for any date. Undefined when the date is absent. */
export function valuesOn(series: Series, date: string): Float32Array | undefined {
  if (isStatic(series)) return series.values[0];
  const i = series.dates.indexOf(date);
  return i < 0 ? undefined : series.values[i];
}

/** The sub-series on the given dates (static layers are returned unchanged). Shares arrays. */
export function selectDates(series: Series, keep: (date: string, index: number) => boolean): Series {
  if (isStatic(series)) return series;
  const dates: string[] = [];
  const values: Float32Array[] = [];
  series.dates.forEach((d, i) => {
    if (keep(d, i)) {
      dates.push(d);
      values.push(series.values[i]);
    }
  });
  return { ...series, dates, values };
}

/** One date of a series as a single-band raster (shares the array). */
export function seriesRaster(series: Series, index: number): Raster {
  return { kind: 'raster', grid: series.grid, bands: [series.values[index]], bandNames: [series.variable], unit: series.unit };
}

/**
 * Where a lazy series' pixels are: one file layer per date (one if static), each on the series' grid
 * and decoded by `openRasterLayer(layer).read(window)` exactly as a whole read decodes it, so a tile
 * stage may read them by window instead of the series being loaded.
 */
export interface SeriesLayers {
  readonly layers: readonly RasterAddress[];
  /** Every layer read whole, synchronously (a reader of `values` cannot wait). */
  readWhole(): Float32Array[];
}

const unreadLayers = new WeakMap<Series, SeriesLayers>();

/**
 * A series backed by raster files (a source's large GeoTIFF layers, docs/scale-out.md "Memory"): a plain
 * `Series` whose `values` getter reads every layer whole on first access, so every reader works as
 * before, while a tile stage given it unread (`seriesLayersOf`) reads its layers by window and the
 * pixels never enter memory. Same idea as the store-backed outputs of `core/tiles/tile-series.ts`; the
 * backing is keyed by the object, so a copy (`{ ...s }`, `selectDates`) holds materialised arrays.
 */
export function layerBackedSeries(init: Omit<Series, 'kind' | 'values'>, source: SeriesLayers): Series {
  const expected = init.dates.length === 0 ? 1 : init.dates.length;
  if (source.layers.length !== expected) throw new RangeError(`series '${init.variable}': ${source.layers.length} layers for ${init.dates.length} dates`);
  let values: readonly Float32Array[] | undefined;
  const series: Series = {
    kind: 'series',
    ...init,
    // Enumerable, so a spread copy carries the materialised arrays.
    get values(): readonly Float32Array[] {
      if (!values) {
        values = makeSeries({ ...init, values: source.readWhole() }).values; // checks sizes as for any series
        unreadLayers.delete(series);
      }
      return values;
    },
  };
  unreadLayers.set(series, source);
  return series;
}

/**
 * The layers of a layer-backed series nobody has read yet; undefined for any other series, and once its
 * `values` were read (a reader may then hold, or have changed, the arrays: those are what a stage gets).
 */
export function seriesLayersOf(series: Series): readonly RasterAddress[] | undefined {
  return unreadLayers.get(series)?.layers;
}
