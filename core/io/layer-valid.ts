import { pixelCount, type Grid } from '../model/grid.js';
import { openRasterLayer, type RasterAddress } from './raster-source.js';

/** Pixels read at once while looking for a valid value (16 MiB of float32). */
const SCAN_PIXELS = 1 << 22;

/**
 * Whether any layer holds a finite value, read in full-width strips until the first one is found (usually
 * in the first strip): the check that a source's asset is not all nodata, for a layer-backed series that
 * is never loaded whole. Counts, when none is found: the pixels looked at.
 */
export async function layersHaveValidValue(layers: readonly RasterAddress[], grid: Grid): Promise<{ valid: boolean; total: number }> {
  const rows = Math.max(1, Math.floor(SCAN_PIXELS / grid.width));
  for (const address of layers) {
    const layer = await openRasterLayer(address);
    for (let y = 0; y < grid.height; y += rows) {
      const { values } = await layer.read({ x: 0, y, width: grid.width, height: Math.min(rows, grid.height - y) });
      for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) return { valid: true, total: pixelCount(grid) * layers.length };
    }
  }
  return { valid: false, total: pixelCount(grid) * layers.length };
}
