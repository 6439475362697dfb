export { parseExposition, seriesCount, checkExposition, type Family, type Sample } from '../src/testing/index.js';
