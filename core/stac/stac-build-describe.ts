import { epsgCode, transformCoordinates } from '../crs/index.js';
import { openArrayFile } from '../io/array-file.js';
import { sniffFormat, type RasterFileFormat } from '../io/format-sniff.js';
import { readGeoTiffInfo } from '../io/geotiff-read.js';
import { planLayer } from '../io/products/index.js';
import { openRasterLayer } from '../io/raster-source.js';
import type { Grid } from '../model/grid.js';

/** What `stac build` needs to know of one raster file. */
export interface DescribedFile {
  readonly path: string;
  readonly format: RasterFileFormat;
  readonly grid: Grid;
  /** The date the file itself states (SMAP, CCI), if any. */
  readonly date?: string;
  /** Recognised product (`SMAP L3 …`, `ESA CCI SM …`); undefined for GeoTIFFs. */
  readonly product?: string;
  /** STAC `raster:bands` entries (one per band; products: the variable read). */
  readonly bands: readonly Record<string, unknown>[];
}

const DATA_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32', 'float64']);

/**
 * Describe a raster file: format by magic bytes, grid, date and product as the scene reader will see
 * them (`openRasterLayer`), and the raw value coding (data type, nodata, scale/offset, unit).
 *
 * @throws SoilscaleError (input) from the readers: unknown format or product layout, naming the file.
 */
export async function describeRasterFile(path: string): Promise<DescribedFile> {
  const format = await sniffFormat(path);
  // Band 0 stands for the file's grid and date; every band is listed below (and gets its own asset).
  const layer = await openRasterLayer(format === 'geotiff' ? { path, band: 0 } : { path });
  const { grid, date } = layer.info;
  if (format === 'geotiff') {
    const info = await readGeoTiffInfo(path);
    const bands = Array.from({ length: info.bandCount }, (_, b) => ({
      data_type: info.dataType,
      ...(info.nodata !== undefined ? { nodata: stacNodata(info.nodata) } : {}),
      ...(info.scale && info.scale[b] !== 1 ? { scale: info.scale[b] } : {}),
      ...(info.offset && info.offset[b] !== 0 ? { offset: info.offset[b] } : {}),
      ...(info.bandNames?.[b] ? { name: info.bandNames[b] } : {}),
    }));
    return { path, format, grid, ...(date ? { date } : {}), bands };
  }
  const file = await openArrayFile(path);
  try {
    const plan = planLayer(file, undefined);
    const band = {
      ...(DATA_TYPES.has(plan.variable.dtype) ? { data_type: plan.variable.dtype } : {}),
      ...(plan.coding.fill.length ? { nodata: stacNodata(plan.coding.fill[0]) } : {}),
      ...(plan.coding.scale !== 1 ? { scale: plan.coding.scale } : {}),
      ...(plan.coding.offset !== 0 ? { offset: plan.coding.offset } : {}),
      ...(plan.unit ? { unit: plan.unit } : {}),
    };
    return { path, format, grid, ...(date ? { date } : {}), product: plan.product, bands: [band] };
  } finally {
    file.close();
  }
}

/** STAC raster nodata: a number, or "nan" / "inf" / "-inf". */
function stacNodata(v: number): number | string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v;
}

/**
 * STAC projection-extension fields of a grid: `proj:code` when the CRS has an EPSG code, else the CRS
 * text in `proj:wkt2` (WKT only: a PROJ string has no place in the extension and is left out).
 */
export function projectionFields(grid: Grid): Record<string, unknown> | undefined {
  const code = epsgCode(grid.crs);
  const [c, a, b, f, d, e] = grid.transform;
  const geometry = { 'proj:shape': [grid.height, grid.width], 'proj:transform': [a, b, c, d, e, f] };
  if (code !== undefined) return { 'proj:code': `EPSG:${code}`, ...geometry };
  if (/^\s*[A-Z_]+\[/.test(grid.crs)) return { 'proj:code': null, 'proj:wkt2': grid.crs, ...geometry };
  return undefined;
}

/** Longitude/latitude bounds of a grid ([west, south, east, north]), from points along its edges. */
export function lonLatBounds(grid: Grid): [number, number, number, number] | undefined {
  const [c, a, b, f, d, e] = grid.transform;
  const xs: number[] = [];
  const ys: number[] = [];
  const steps = 32;
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    for (const [col, row] of [[t * grid.width, 0], [t * grid.width, grid.height], [0, t * grid.height], [grid.width, t * grid.height]]) {
      xs.push(c + a * col + b * row);
      ys.push(f + d * col + e * row);
    }
  }
  const { x, y } = transformCoordinates(grid.crs, 'EPSG:4326', Float64Array.from(xs), Float64Array.from(ys));
  const lon = Array.from(x).filter(Number.isFinite);
  const lat = Array.from(y).filter(Number.isFinite);
  if (lon.length === 0) return undefined;
  const clamp = (v: number, lim: number) => Math.max(-lim, Math.min(lim, v));
  return [clamp(Math.min(...lon), 180), clamp(Math.min(...lat), 90), clamp(Math.max(...lon), 180), clamp(Math.max(...lat), 90)];
}
