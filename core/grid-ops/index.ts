export { checkNesting, type Nesting } from './nesting.js';
export { aggregateToGrid, aggregateSeries, type AggregateMethod, type AggregateOptions } from './aggregate.js';
export { resampleToGrid, resampleSeries, type ResampleMethod } from './resample.js';
export { slopeAspect, hillshade, type HillshadeOptions } from './terrain.js';
