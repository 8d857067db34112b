/** A file and a variable inside it, from GDAL's subdataset syntax. */
export interface SubdatasetName {
  readonly driver: 'HDF5' | 'NETCDF';
  /** The file as written (not yet resolved against anything). */
  readonly file: string;
  /** The variable path, with a leading `/`: `/Soil_Moisture_Retrieval_Data_AM/soil_moisture`, `/sm`. */
  readonly variable: string;
}

/**
 * Parse GDAL's subdataset names: `HDF5:"file.h5"://group/dataset` and `NETCDF:"file.nc":var` (quotes
 * optional when the path has no colon; NetCDF-4 group paths `NETCDF:"f.nc":/group/var` too).
 * Undefined when `name` does not start with `HDF5:` or `NETCDF:`.
 *
 * @example
 * ```ts
 * parseSubdatasetName('NETCDF:"cci.nc":sm'); // { driver: 'NETCDF', file: 'cci.nc', variable: '/sm' }
 * ```
 */
export function parseSubdatasetName(name: string): SubdatasetName | undefined {
  const m = /^(HDF5|NETCDF):(.*)$/i.exec(name);
  if (!m) return undefined;
  const driver = m[1].toUpperCase() as SubdatasetName['driver'];
  const rest = m[2];
  let file: string;
  let variable: string;
  const quoted = /^"([^"]+)":(.+)$/.exec(rest);
  if (quoted) {
    [, file, variable] = quoted;
  } else {
    // Unquoted: HDF5 separates with "://", NETCDF with the last colon.
    const at = driver === 'HDF5' && rest.includes('://') ? rest.lastIndexOf('://') : rest.lastIndexOf(':');
    if (at <= 0) return undefined;
    file = rest.slice(0, at);
    variable = rest.slice(at + 1);
  }
  variable = '/' + variable.replace(/^\/+/, '');
  return variable === '/' ? undefined : { driver, file, variable };
}
