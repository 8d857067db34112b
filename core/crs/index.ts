export { epsgCode, isGeographicCrs, resolveCrs, sameCrs } from './resolve.js';
export { transformCoordinates } from './transform.js';
export { projectStations } from './project-stations.js';
