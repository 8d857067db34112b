import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { readGeoTiff } from '../../core/io/geotiff-read.js';
import { openRasterLayer } from '../../core/io/raster-source.js';
import { createGrid } from '../../core/model/grid.js';
import { sharedDataPath } from './shared-data.js';

/** The two real ESA CCI daily files in shared data, and their dates. */
export const CCI_DATES = ['2016-12-27', '2016-12-31'] as const;
export const CCI_FILES = CCI_DATES.map((d) => sharedDataPath('real', 'esa-cci-sm-tuwgeo', 'esa_cci', '2016', `ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-${d.replaceAll('-', '')}000000-fv04.2.nc`));

/** Target grid of the real-CCI runs: 0.05° over eastern Australia (austral summer: little frozen soil), 5 × 5 per CCI cell. */
export const CCI_FINE_GRID = createGrid(600, 300, [120, 0.05, 0, -20, 0, -0.05], 'EPSG:4326');

/**
 * Check a baseline run (`sm_bilinear/<date>.tif` in `out`) on `CCI_FINE_GRID`: the fine pixel at each
 * CCI cell centre keeps the CCI value (a half-cell georeferencing error would break this).
 */
export async function assertFineKeepsCci(out: string): Promise<void> {
  for (const [k, date] of CCI_DATES.entries()) {
    const product = await readGeoTiff(join(out, 'sm_bilinear', `${date}.tif`));
    assert.deepEqual(product.grid.transform, CCI_FINE_GRID.transform);
    // CCI cell (col, row) of the global grid has its centre at fine pixel (5·c + 2, 5·r + 2) here.
    const window = { x: 1200, y: 440, width: 120, height: 60 };
    const cci = (await (await openRasterLayer({ path: CCI_FILES[k] })).read(window)).values;
    let compared = 0;
    for (let r = 1; r < window.height - 1; r++) {
      for (let c = 1; c < window.width - 1; c++) {
        const v = cci[r * window.width + c];
        const fineValue = product.bands[0][(5 * r + 2) * 600 + 5 * c + 2];
        if (Number.isNaN(v)) continue;
        assert.ok(Math.abs(fineValue - v) < 1e-6, `${date} cell ${c},${r}: fine ${fineValue} vs CCI ${v}`);
        compared++;
      }
    }
    assert.ok(compared > 1000, `${compared} CCI cells compared`);
  }
}
