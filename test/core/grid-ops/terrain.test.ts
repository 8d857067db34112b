import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hillshade, slopeAspect } from '../../../core/grid-ops/index.js';
import { createGrid, type Grid } from '../../../core/model/grid.js';
import { createRng } from '../../../core/util/random.js';

const hasGdaldem = spawnSync('gdaldem', ['--version']).error === undefined;
if (!hasGdaldem && process.env.CI) throw new Error('gdaldem (Debian gdal-bin) is required under CI');

/** A rough DEM: a tilted saddle plus noise, a flat patch, and NaN holes (inside and on the edge). */
function makeDem(width: number, height: number): Float32Array {
  const rng = createRng(11);
  const z = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      z[r * width + c] = 200 + 3 * c - 2 * r + 0.15 * (c - 8) * (r - 6) + 4 * rng.normal();
    }
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) z[r * width + c] = 150; // flat corner
  z[5 * width + 7] = Number.NaN;
  z[(height - 1) * width + 4] = Number.NaN;
  z[3 * width + (width - 1)] = Number.NaN;
  return z;
}

function toAsc(z: Float32Array, grid: Grid): string {
  const t = grid.transform;
  const lines = [
    `ncols ${grid.width}`,
    `nrows ${grid.height}`,
    `xllcorner ${t[0]}`,
    `yllcorner ${t[3] + grid.height * t[5]}`,
    `cellsize ${t[1]}`,
    'NODATA_value -9999',
  ];
  for (let r = 0; r < grid.height; r++) {
    lines.push(Array.from(z.subarray(r * grid.width, (r + 1) * grid.width), (v) => (Number.isNaN(v) ? '-9999' : String(v))).join(' '));
  }
  return lines.join('\n') + '\n';
}

/** Values of an AAIGrid written by GDAL, nodata → NaN. */
function fromAsc(text: string): Float64Array {
  const lines = text.trim().split('\n');
  let nodata = Number.NaN;
  const values: number[] = [];
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (/^[a-z]/i.test(parts[0])) {
      if (parts[0].toLowerCase() === 'nodata_value') nodata = Number(parts[1]);
      continue;
    }
    for (const p of parts) {
      const v = Number(p);
      values.push(v === nodata ? Number.NaN : v);
    }
  }
  return Float64Array.from(values);
}

function gdaldem(dir: string, mode: string, args: string[] = []): Float64Array {
  const out = join(dir, `${mode}.asc`);
  const r = spawnSync('gdaldem', [mode, '-compute_edges', '-q', '-of', 'AAIGrid', ...args, join(dir, 'dem.asc'), out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return fromAsc(readFileSync(out, 'utf8'));
}

function assertClose(actual: Float32Array, expected: Float64Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (Number.isNaN(expected[i])) {
      assert.ok(Number.isNaN(actual[i]), `${what}[${i}]: expected NaN, got ${actual[i]}`);
    } else {
      assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs gdaldem ${expected[i]}`);
    }
  }
}

test('slopeAspect and hillshade match gdaldem -compute_edges, edges and NaN holes included', { skip: !hasGdaldem && 'gdaldem not installed' }, () => {
  const grid = createGrid(17, 13, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
  const dem = makeDem(grid.width, grid.height);
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-dem-'));
  try {
    writeFileSync(join(dir, 'dem.asc'), toAsc(dem, grid));
    const { slope, aspect } = slopeAspect(dem, grid);
    assertClose(slope, gdaldem(dir, 'slope'), 1e-4, 'slope');
    assertClose(aspect, gdaldem(dir, 'aspect'), 1e-3, 'aspect');
    // gdaldem writes hillshade as bytes (rounded), so compare to within rounding.
    assertClose(hillshade(dem, grid), gdaldem(dir, 'hillshade'), 0.51, 'hillshade');
    const opts = { azimuth: 120, altitude: 30, zFactor: 2 };
    assertClose(hillshade(dem, grid, opts), gdaldem(dir, 'hillshade', ['-az', '120', '-alt', '30', '-z', '2']), 0.51, 'hillshade z2');
    assert.ok(Number.isNaN(aspect[grid.width + 1]), 'flat interior pixel has NaN aspect');
    assert.equal(slope[grid.width + 1], 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('slope and aspect of planes are exact', () => {
  // z rises 1 m per 10 m eastwards: slope atan(0.1), facing west (270°).
  const grid = createGrid(6, 5, [0, 10, 0, 100, 0, -10], 'EPSG:32633');
  const east = new Float32Array(30);
  const north = new Float32Array(30);
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 6; c++) {
      east[r * 6 + c] = c;
      north[r * 6 + c] = -2 * r; // rises northwards 2 m per 10 m: faces south (180°)
    }
  }
  const a = slopeAspect(east, grid);
  const b = slopeAspect(north, grid);
  // gdaldem replicates (not extrapolates) the missing column at the four corners, halving the
  // east-west gradient there; everywhere else the plane is recovered exactly.
  const corners = new Set([0, 5, 24, 29]);
  for (let i = 0; i < 30; i++) {
    if (!corners.has(i)) assert.ok(Math.abs(a.slope[i] - (Math.atan(0.1) * 180) / Math.PI) < 1e-4);
    assert.ok(Math.abs(a.aspect[i] - 270) < 1e-4);
    assert.ok(Math.abs(b.slope[i] - (Math.atan(0.2) * 180) / Math.PI) < 1e-4);
    assert.ok(Math.abs(b.aspect[i] - 180) < 1e-4);
  }
});

test('geographic grids use metres per degree at the pixel latitude', () => {
  // 0.001° pixels at 60°N: east-west spacing ≈ 55.8 m, north-south ≈ 111.4 m.
  const grid = createGrid(5, 5, [10, 0.001, 0, 60.0025, 0, -0.001], 'EPSG:4326');
  const z = new Float32Array(25);
  for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) z[r * 5 + c] = 5 * c;
  const { slope, aspect } = slopeAspect(z, grid);
  const phi = (60 * Math.PI) / 180;
  const e2 = 0.00669437999014;
  const mLon = ((Math.PI / 180) * 6378137 * Math.cos(phi)) / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
  const expected = (Math.atan(5 / (0.001 * mLon)) * 180) / Math.PI;
  assert.ok(Math.abs(slope[12] - expected) < 1e-3, `${slope[12]} vs ${expected}`);
  assert.ok(Math.abs(aspect[12] - 270) < 1e-4);
});
