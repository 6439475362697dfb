import type { Runtime } from './runtime.js';

/**
 * Deletes expired codes, tokens and unpublished signing keys every `TSFORGE_PURGE_INTERVAL_S`.
 * The timer is unref'd (it never keeps the process alive) and the returned function stops it;
 * a purge that fails is logged and tried again next time.
 */
export function startPurge(runtime: Runtime): () => void {
  const seconds = runtime.config.oauth.purgeIntervalS;
  if (seconds === 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runtime.oauth.purgeExpired().then(
      (purged) => runtime.logger.debug({ purged }, 'purged expired oauth records'),
      (err: unknown) => runtime.logger.error({ err }, 'purging expired oauth records failed'),
    ).finally(() => {
      running = false;
    });
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
