import { inputError } from '../errors.js';
import { sniffFormat } from './format-sniff.js';

/** An attribute value, normalised: a number, a string, or an array of numbers. */
export type AttrValue = number | string | number[];

/** `[start, end)` along one dimension. */
export type IndexRange = readonly [number, number];

/** One n-dimensional variable (an HDF5 dataset or a NetCDF variable). */
export interface ArrayVariable {
  /** Absolute path inside the file: `/Soil_Moisture_Retrieval_Data_AM/soil_moisture`, `/sm`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** `float32`, `float64`, `int8` … `uint32`, `int64`, or the file's own type name when not numeric. */
  readonly dtype: string;
  attr(name: string): AttrValue | undefined;
  /** Values of the hyper-rectangle `ranges` (one per dimension), row-major. Reads only what it needs. */
  read(ranges: readonly IndexRange[]): ArrayLike<number>;
}

/**
 * An HDF5 (NetCDF-4) or NetCDF-3 file seen as named n-d arrays with attributes: what the product
 * readers (SMAP, ESA CCI, generic CF) work on. Close it when done.
 */
export interface ArrayFile {
  readonly path: string;
  /** For messages: `HDF5`, `NetCDF-3`. */
  readonly formatName: string;
  /** A global (root) attribute. */
  attr(name: string): AttrValue | undefined;
  /** The variable at `path` (with or without the leading `/`), or undefined; non-numeric ones (grid mappings) only carry attributes. */
  variable(path: string): ArrayVariable | undefined;
  /** Paths of every numeric variable, recursively. */
  variableNames(): string[];
  close(): void;
}

/**
 * Open an HDF5 / NetCDF-4 or NetCDF-3 file by its magic bytes (the heavy readers load lazily).
 *
 * @throws SoilscaleError (input) for a GeoTIFF or any other format, naming the file and what was found.
 */
export async function openArrayFile(path: string): Promise<ArrayFile> {
  const format = await sniffFormat(path);
  if (format === 'hdf5') return (await import('./hdf5-file.js')).openHdf5File(path);
  if (format === 'netcdf3') return (await import('./netcdf3-file.js')).openNetcdf3File(path);
  throw inputError('file is a GeoTIFF, not an HDF5/NetCDF file', { file: path, expected: 'an HDF5 or NetCDF file for a variable address', found: 'TIFF magic bytes' });
}

/** `/a/b` for `a/b`, `//a/b` or `/a/b`: one spelling of a variable path. */
export function normaliseVariablePath(path: string): string {
  return '/' + path.replace(/^\/+/, '');
}

/** The number in a numeric attribute (first element of an array), or undefined. */
export function numberAttr(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'number') return v[0];
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The text of a string attribute, or undefined. */
export function stringAttr(v: AttrValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
