export { epsgCode, isGeographicCrs, resolveCrs, sameCrs } from './resolve.js';
export { crsConverter, transformCoordinates } from './transform.js';
export { projectStations } from './project-stations.js';
