export { writeRunReport, taylorStats, sceneInputKeys, type RunReportInput } from './write-report.js';
export { comparisonTable, rankValues, metricDirection, distinctiveLabels, type ComparisonSource, type MetricDirection } from './comparison.js';
export { encodePng, pngDataUri, crc32 } from './png.js';
export { colourise, colourAt, cssGradient, displayRange, VIRIDIS, DIVERGING, type ColourMap } from './colour-map.js';
export { renderVegaLite, scatterSpec, timeSeriesSpec, barsSpec, taylorSpec, type ScatterPoint, type TimePoint, type BarValue, type TaylorPoint } from './charts.js';
export { sampleStations, type StationSample } from './station-samples.js';
