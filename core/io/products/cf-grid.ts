import { inputError } from '../../errors.js';
import { createGrid, type Grid } from '../../model/grid.js';
import { stringAttr, type ArrayFile, type ArrayVariable } from '../array-file.js';

const X_NAMES = ['lon', 'longitude', 'x'];
const Y_NAMES = ['lat', 'latitude', 'y'];

/**
 * The north-up grid of a CF variable from its 1-D coordinate variables (`lat`/`lon` → EPSG:4326, or
 * `x`/`y` with a `grid_mapping` carrying `crs_wkt`/`spatial_ref`, or `crs` given by a product reader),
 * looked up beside the variable and at the root. Rows run south-up when `lat`/`y` ascends.
 *
 * @throws SoilscaleError (input) when coordinates are missing, irregular or without a CRS.
 */
export function cfGrid(file: ArrayFile, v: ArrayVariable, dims: { yDim: number; xDim: number }, crs?: string): { grid: Grid; southUp: boolean } {
  const width = v.shape[dims.xDim];
  const height = v.shape[dims.yDim];
  const x = coordinate(file, v, X_NAMES, width);
  const y = coordinate(file, v, Y_NAMES, height);
  if (!x || !y) {
    throw inputError('cannot georeference the variable', {
      file: file.path,
      path: v.name,
      expected: `1-D coordinate variables ${Y_NAMES.join('/')} (${height} values) and ${X_NAMES.join('/')} (${width} values) beside it or at the root`,
      found: `${x ? x.name : 'no x coordinate'}, ${y ? y.name : 'no y coordinate'}`,
    });
  }
  const xs = regularAxis(file, x.variable);
  const ys = regularAxis(file, y.variable);
  if (xs.step <= 0) throw inputError('x coordinate decreases', { file: file.path, path: x.name, expected: 'west-to-east increasing values', found: `step ${xs.step}` });
  const geographic = /^(lon|longitude)$/.test(x.name.split('/').pop()!) && /^(lat|latitude)$/.test(y.name.split('/').pop()!);
  const resolvedCrs = crs ?? (geographic ? 'EPSG:4326' : gridMappingCrs(file, v));
  const southUp = ys.step > 0;
  const top = southUp ? ys.last + ys.step / 2 : ys.first - ys.step / 2;
  const grid = createGrid(width, height, [xs.first - xs.step / 2, xs.step, 0, top, 0, -Math.abs(ys.step)], resolvedCrs);
  return { grid, southUp };
}

function coordinate(file: ArrayFile, v: ArrayVariable, names: readonly string[], length: number): { name: string; variable: ArrayVariable } | undefined {
  const group = v.name.slice(0, v.name.lastIndexOf('/'));
  for (const prefix of group ? [group, ''] : ['']) {
    for (const n of names) {
      const c = file.variable(`${prefix}/${n}`);
      if (c && c.shape.length === 1 && c.shape[0] === length) return { name: c.name, variable: c };
    }
  }
  return undefined;
}

/** First value, step and last value of an evenly spaced axis (to 1e-3 of a step: float32 metres). */
function regularAxis(file: ArrayFile, c: ArrayVariable): { first: number; step: number; last: number } {
  const values = c.read([[0, c.shape[0]]]);
  const n = values.length;
  if (n < 2) throw inputError('cannot infer the cell size from one coordinate value', { file: file.path, path: c.name, expected: 'at least 2 values', found: `${n}` });
  const first = values[0];
  const last = values[n - 1];
  const step = (last - first) / (n - 1);
  for (let i = 0; i < n; i++) {
    if (!(Math.abs(values[i] - (first + i * step)) <= 1e-3 * Math.abs(step))) {
      throw inputError('coordinate values are not evenly spaced', { file: file.path, path: `${c.name}[${i}]`, expected: `${first + i * step} (regular step ${step})`, found: String(values[i]) });
    }
  }
  return { first, step, last };
}

function gridMappingCrs(file: ArrayFile, v: ArrayVariable): string {
  const mappingName = stringAttr(v.attr('grid_mapping'));
  const mapping = mappingName ? file.variable(mappingName) ?? file.variable(`${v.name.slice(0, v.name.lastIndexOf('/'))}/${mappingName}`) : undefined;
  const wkt = mapping ? stringAttr(mapping.attr('crs_wkt')) ?? stringAttr(mapping.attr('spatial_ref')) : undefined;
  if (wkt) return wkt;
  throw inputError('projected coordinates without a CRS', {
    file: file.path,
    path: `${v.name}.grid_mapping`,
    expected: 'a grid_mapping variable with a crs_wkt or spatial_ref attribute',
    found: mappingName ? (mapping ? `${mappingName} without crs_wkt/spatial_ref` : `${mappingName} (no such variable)`) : 'no grid_mapping attribute',
  });
}
