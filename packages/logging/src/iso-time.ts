/**
 * pino's `timestamp` option writing `,"time":"<ISO-8601 UTC>"`. `new Date(ms).toISOString()` on
 * every line was a fifth of a log call's CPU (bench/logging.mjs, profiled): the date and time up
 * to the second are formatted once per second and only the milliseconds are added per line.
 */
export function isoTimestamp(now: () => number = Date.now): () => string {
  let second = NaN;
  let prefix = '';
  return () => {
    const ms = now();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      // "2030-01-01T12:00:00." from "2030-01-01T12:00:00.000Z"
      prefix = `,"time":"${new Date(s * 1000).toISOString().slice(0, 20)}`;
    }
    const frac = ms - s * 1000;
    const millis = Math.floor(frac);
    return `${prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z"`;
  };
}
