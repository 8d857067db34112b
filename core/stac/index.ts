export { readStacScene, type StacSceneOptions } from './stac-scene.js';
export { gridFromProjection } from './stac-grid.js';
