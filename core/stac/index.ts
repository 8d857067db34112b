export { readStacScene } from './stac-scene.js';
export { gridFromProjection } from './stac-grid.js';
