export { checkNesting, type Nesting } from './nesting.js';
export { aggregateToGrid, aggregateSeries, type AggregateMethod, type AggregateOptions } from './aggregate.js';
export { resampleToGrid, resampleSeries, type ResampleMethod } from './resample.js';
export { slopeAspect, hillshade, type HillshadeOptions } from './terrain.js';
export { sunPosition, slopeIllumination, type SunPosition } from './sun.js';
export { parseDate, formatDate, daysBetween, dayOfYear, seasonOf, nearestDateIndex, type Season } from './dates.js';
export { compositeSeries, type CompositePeriod, type CompositeReducer } from './composite.js';
export { rasterizePolygons, type RasterizeOptions } from './rasterize.js';
