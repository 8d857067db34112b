export { readStationsCsv, parseStationsCsv, writeStationsCsv } from './stations-csv.js';
export { readIsmn, type IsmnOptions } from './ismn.js';
export { splitCsvLine, splitLines, csvField } from './csv-line.js';
