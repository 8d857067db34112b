import { createGrid, type Grid, type PixelWindow } from '../../core/model/grid.js';
import { splitAssetKey, type AssetInfo, type Scene } from '../../core/model/scene.js';
import { makeSeries, type Series } from '../../core/model/series.js';

/**
 * A scene of static layers held in memory, honouring windowed loads as the STAC reader does; `windows`
 * records the window of every load (undefined = whole layer).
 */
export function memoryScene(layers: Record<string, { grid: Grid; values: Float32Array; categorical?: boolean }>): Scene & { windows: Array<PixelWindow | undefined> } {
  const windows: Array<PixelWindow | undefined> = [];
  const info = (key: string): AssetInfo => ({ key, ...splitAssetKey(key), grid: layers[key].grid, dates: [], ...(layers[key].categorical ? { categorical: true } : {}) });
  return {
    kind: 'scene',
    id: 'memory',
    windows,
    assets: () => Object.keys(layers).sort().map(info),
    has: (key) => key in layers,
    info,
    async load(key, options = {}): Promise<Series> {
      windows.push(options.window);
      const { grid, values } = layers[key];
      const w = options.window ?? { x: 0, y: 0, width: grid.width, height: grid.height };
      const out = new Float32Array(w.width * w.height);
      for (let r = 0; r < w.height; r++) out.set(values.subarray((w.y + r) * grid.width + w.x, (w.y + r) * grid.width + w.x + w.width), r * w.width);
      const t = grid.transform;
      const g = createGrid(w.width, w.height, [t[0] + w.x * t[1], t[1], 0, t[3] + w.y * t[5], 0, t[5]], grid.crs);
      return makeSeries({ variable: splitAssetKey(key).variable, grid: g, dates: [], values: [out], categorical: layers[key].categorical });
    },
    stations: async () => undefined,
  };
}
