import { inputError } from '../errors.js';
import { createGrid, type GeoTransform, type Grid } from '../model/grid.js';

/**
 * A grid from STAC projection-extension fields (`proj:code` or legacy `proj:epsg`/`proj:wkt2`,
 * `proj:shape` = [rows, cols], `proj:transform` = [a, b, c, d, e, f(, 0, 0, 1)] with
 * x = a·col + b·row + c, y = d·col + e·row + f). Undefined when the fields are incomplete.
 */
export function gridFromProjection(fields: Record<string, unknown>, file: string, path: string): Grid | undefined {
  const crs = crsOf(fields, file, path);
  const shape = fields['proj:shape'];
  const transform = fields['proj:transform'];
  if (crs === undefined || shape === undefined || transform === undefined) return undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw inputError('bad proj:shape', { file, path: `${path}.proj:shape`, expected: '[rows, cols] positive integers', found: JSON.stringify(shape) });
  }
  if (!Array.isArray(transform) || (transform.length !== 6 && transform.length !== 9) || !transform.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw inputError('bad proj:transform', { file, path: `${path}.proj:transform`, expected: '6 (or 9) numbers [a, b, c, d, e, f]', found: JSON.stringify(transform) });
  }
  const [a, b, c, d, e, f] = transform as number[];
  if (a * e - b * d === 0) {
    throw inputError('singular proj:transform', { file, path: `${path}.proj:transform`, expected: 'an invertible affine transform', found: JSON.stringify(transform) });
  }
  const gdal: GeoTransform = [c, a, b, f, d, e];
  return createGrid(shape[1] as number, shape[0] as number, gdal, crs);
}

function crsOf(fields: Record<string, unknown>, file: string, path: string): string | undefined {
  const code = fields['proj:code'];
  if (typeof code === 'string' && code !== '') return /^\d+$/.test(code) ? `EPSG:${code}` : code;
  const epsg = fields['proj:epsg'];
  if (typeof epsg === 'number' && Number.isInteger(epsg)) return `EPSG:${epsg}`;
  const wkt = fields['proj:wkt2'];
  if (typeof wkt === 'string' && wkt !== '') return wkt;
  if (code !== undefined && code !== null) {
    throw inputError('bad proj:code', { file, path: `${path}.proj:code`, expected: 'a string such as "EPSG:32633"', found: JSON.stringify(code) });
  }
  if (epsg !== undefined && epsg !== null) {
    throw inputError('bad proj:epsg', { file, path: `${path}.proj:epsg`, expected: 'an integer EPSG code', found: JSON.stringify(epsg) });
  }
  return undefined;
}
