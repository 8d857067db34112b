// The built entry points the experiment scripts drive (`npm run build` first): core, host, the built-in plugins.
const dist = new URL('../dist/', import.meta.url).href;
export const core = await import(`${dist}core/index.js`);
export const host = await import(`${dist}host/index.js`);
export const plugins = await import(`${dist}plugins/index.js`);
