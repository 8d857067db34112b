export { readStationsCsv, parseStationsCsv, writeStationsCsv } from './stations-csv.js';
export { readIsmn, type IsmnOptions } from './ismn.js';
export { splitCsvLine, splitLines, csvField } from './csv-line.js';
export {
  sampleStationsAtPixels,
  stationPixels,
  type PixelSamplingOptions,
  type SampledStation,
  type StationPixel,
  type StationExclusion,
  type ObservationExclusion,
} from './sample-at-pixels.js';
export { stationFilterParams, type StationFilter } from './station-filter.js';
