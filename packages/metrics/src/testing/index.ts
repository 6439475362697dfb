export { parseExposition, seriesCount, type Family, type Sample } from './parse.js';
export { checkExposition } from './invariants.js';
