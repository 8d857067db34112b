import { transformCoordinates } from '../../crs/transform.js';
import { pixelCenter } from '../../model/grid.js';
import { produceFileAtomic } from '../atomic-file.js';
import { easeGrid2Global } from './smap.js';

/** One half-orbit of a SMAP L3 day on the global grid (row-major, `NaN` = no retrieval). */
export interface SmapL3Pass {
  readonly soilMoisture: Float32Array;
  readonly soilMoistureError?: Float32Array;
  /** Default: 0 (recommended quality) where there is a retrieval, fill 65534 elsewhere. */
  readonly retrievalQualFlag?: Uint16Array;
  /** Default: 0 where there is a retrieval, fill 65534 elsewhere. */
  readonly surfaceFlag?: Uint16Array;
  /** Observation time, seconds since J2000 (2000-01-01 11:58:55.816 UTC); NaN = none. */
  readonly tbTimeSeconds?: Float64Array;
}

export interface SmapL3File {
  /** `M36` (SPL3SMP, 964×406) or `M09` (SPL3SMP_E, 3856×1624). */
  readonly grid: 'M09' | 'M36';
  readonly am?: SmapL3Pass;
  readonly pm?: SmapL3Pass;
  /** HDF5 chunk shape [rows, cols] (gzip level 4, as NASA's files are chunked and deflated). Default [203, 241] (M36) or [406, 482] (M09). */
  readonly chunks?: readonly [number, number];
}

const FLOAT_FILL = -9999;
const FLAG_FILL = 65534;
const J2000 = 'seconds since 2000-01-01 11:58:55.816 UTC';

/**
 * Write a SMAP L3 radiometer soil-moisture file in the layout of NASA's SPL3SMP / SPL3SMP_E
 * (`/Soil_Moisture_Retrieval_Data_AM` and `_PM` groups, PM names ending in `_pm`, −9999 fill,
 * uint16 flags, 2-D latitude/longitude and EASE row/column indices, no projected x/y), for demos and
 * tests where no real file is at hand. Atomic: the file appears complete or not at all.
 *
 * @example
 * ```ts
 * const { width, height } = easeGrid2Global('M36');
 * const soilMoisture = new Float32Array(width * height).fill(0.25);
 * await writeSmapL3('SMAP_L3_SM_P_20190402_R19240_001.h5', { grid: 'M36', am: { soilMoisture } });
 * const layer = await openRasterLayer({ path: 'SMAP_L3_SM_P_20190402_R19240_001.h5' });
 * assert.equal(layer.info.date, '2019-04-02'); // read back as a SMAP L3 product
 * ```
 */
export async function writeSmapL3(path: string, content: SmapL3File): Promise<void> {
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  const grid = easeGrid2Global(content.grid);
  const { width, height } = grid;
  const chunks = content.chunks ?? (content.grid === 'M36' ? [203, 241] : [406, 482]);
  const { lat, lon } = cellCentres(grid);
  await produceFileAtomic(path, async (tmp) => {
    const file = new h5.File(tmp, 'w');
    try {
      for (const pass of ['am', 'pm'] as const) {
        const data = content[pass];
        if (!data) continue;
        const n = width * height;
        for (const [name, a] of Object.entries(data)) {
          if (a && a.length !== n) throw new RangeError(`SMAP ${pass} ${name}: ${a.length} values for a ${width}×${height} grid`);
        }
        const group = file.create_group(`Soil_Moisture_Retrieval_Data_${pass.toUpperCase()}`);
        const suffix = pass === 'pm' ? '_pm' : '';
        const put = (name: string, values: ArrayLike<number>, dtype: string, attrs: Record<string, string | number>) => {
          const ds = group.create_dataset({ name: name + suffix, data: values as never, shape: [height, width], dtype, chunks: [...chunks], compression: 'gzip', compression_opts: 4 });
          for (const [k, v] of Object.entries(attrs)) {
            if (typeof v === 'string') ds.create_attribute(k, v);
            else ds.create_attribute(k, dtype === '<H' ? new Uint16Array([v]) : dtype === '<d' ? new Float64Array([v]) : dtype === '<i' ? new Int32Array([v]) : new Float32Array([v]), [], dtype);
          }
        };
        // Where there is no retrieval every dataset holds its fill value (plain loops: 6 M cells at 9 km).
        const sm = data.soilMoisture;
        const where = <T extends Float32Array | Float64Array | Int32Array | Uint16Array>(out: T, value: (row: number, col: number, i: number) => number, fill: number): T => {
          for (let r = 0, i = 0; r < height; r++) for (let c = 0; c < width; c++, i++) out[i] = sm[i] === sm[i] ? value(r, c, i) : fill;
          return out;
        };
        const floats = (a: ArrayLike<number>) => where(new Float32Array(n), (_r, _c, i) => (a[i] === a[i] ? a[i] : FLOAT_FILL), FLOAT_FILL);
        put('soil_moisture', floats(sm), '<f', { _FillValue: FLOAT_FILL, units: 'cm**3/cm**3', long_name: 'Representative soil moisture measurement for the Earth based grid cell.' });
        if (data.soilMoistureError) put('soil_moisture_error', floats(data.soilMoistureError), '<f', { _FillValue: FLOAT_FILL, units: 'cm**3/cm**3' });
        const flags = (a: Uint16Array | undefined) => a ?? where(new Uint16Array(n), () => 0, FLAG_FILL);
        put('retrieval_qual_flag', flags(data.retrievalQualFlag), '<H', { _FillValue: FLAG_FILL, long_name: 'Bit flags that record the conditions and the quality of the retrieval algorithms.' });
        put('surface_flag', flags(data.surfaceFlag), '<H', { _FillValue: FLAG_FILL, long_name: 'Bit flags that record ambient surface conditions for the grid cell.' });
        put('latitude', where(new Float32Array(n), (r) => lat[r], FLOAT_FILL), '<f', { _FillValue: FLOAT_FILL, units: 'degrees_north' });
        put('longitude', where(new Float32Array(n), (_r, c) => lon[c], FLOAT_FILL), '<f', { _FillValue: FLOAT_FILL, units: 'degrees_east' });
        put('EASE_row_index', where(new Int32Array(n), (r) => r, -1), '<i', { _FillValue: -1 });
        put('EASE_column_index', where(new Int32Array(n), (_r, c) => c, -1), '<i', { _FillValue: -1 });
        if (data.tbTimeSeconds) put('tb_time_seconds', where(new Float64Array(n), (_r, _c, i) => (data.tbTimeSeconds![i] === data.tbTimeSeconds![i] ? data.tbTimeSeconds![i] : FLOAT_FILL), FLOAT_FILL), '<d', { _FillValue: FLOAT_FILL, units: J2000 });
      }
      file.create_group('Metadata');
    } finally {
      file.close();
    }
  });
}

/** Latitude of each row and longitude of each column of an EASE-Grid 2.0 grid (the projection is cylindrical). */
function cellCentres(grid: ReturnType<typeof easeGrid2Global>): { lat: Float32Array; lon: Float32Array } {
  const cols = Float64Array.from({ length: grid.width }, (_, c) => pixelCenter(grid, c, 0)[0]);
  const rows = Float64Array.from({ length: grid.height }, (_, r) => pixelCenter(grid, 0, r)[1]);
  const lonOf = transformCoordinates(grid.crs, 'EPSG:4326', cols, new Float64Array(grid.width));
  const latOf = transformCoordinates(grid.crs, 'EPSG:4326', new Float64Array(grid.height), rows);
  return { lat: Float32Array.from(latOf.y), lon: Float32Array.from(lonOf.x) };
}
