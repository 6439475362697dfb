import type { Logger } from '@tsforge/logging';

/**
 * Process warnings (`process.emitWarning`: deprecations, experimental features, and libraries'
 * own, such as the AWS SDK's multi-line NodeVersionSupportWarning). Node prints them to stderr as
 * plain text over several lines, which breaks a JSON log stream and clutters CLI output. These
 * replace Node's printer: `serve` writes each as one log line, the other commands as one short
 * line on stderr.
 *
 * Node installs its printer only when warnings are on, so `--no-warnings` / `NODE_NO_WARNINGS=1`
 * keep them silent here too, and `--no-deprecation` silences deprecations as before.
 */
export type WarningPrinter = (warning: Error) => void;

/** Where warnings go from now on; `to()` switches, e.g. from stderr to the logger once it exists. */
export interface WarningRoute {
  to(print: WarningPrinter): void;
}

export function routeWarnings(print: WarningPrinter): WarningRoute {
  const enabled = process.listenerCount('warning') > 0;
  let current = print;
  process.removeAllListeners('warning');
  if (enabled) {
    process.on('warning', (warning: Error) => {
      if (warning.name === 'DeprecationWarning' && process.noDeprecation) return;
      current(warning);
    });
  }
  return { to: (next) => { current = next; } };
}

/** `serve`: one JSON (or pretty) line per warning, at warn, with its name, code and message. */
export function logWarning(logger: Logger): WarningPrinter {
  return (warning) => {
    const code = (warning as { code?: unknown }).code;
    logger.warn({ warning: { name: warning.name, ...(typeof code === 'string' ? { code } : {}), message: warning.message } }, `process warning: ${summary(warning)}`);
  };
}

/** The CLI commands: `tsforge: warning: <first paragraph on one line>` on stderr. */
export const printWarningShort: WarningPrinter = (warning) => void process.stderr.write(`tsforge: warning: ${summary(warning)}\n`);

/** The warning's first paragraph on one line, prefixed by its name unless the message starts with one. */
function summary(warning: Error): string {
  const first = (warning.message.split(/\n\s*\n/, 1)[0] ?? '').replace(/\s+/g, ' ').trim();
  const code = (warning as { code?: unknown }).code;
  const named = /^\w*Warning:/.test(first) ? first : `${warning.name}: ${first}`;
  return typeof code === 'string' ? `${named} (${code})` : named;
}
