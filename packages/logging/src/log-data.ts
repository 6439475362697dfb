import type { Logger } from './create-logger.js';
import { isLogLevel, type LogLevel } from './levels.js';

/**
 * One structured line at a level chosen at run time: `logData(logger, 'warn', 'slow query',
 * { sql_ms: 812 })`. Fields are redacted like any others. An unknown level is a programming
 * error (`TypeError`), not a line silently dropped.
 */
export function logData(logger: Logger, level: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown> = {}): void {
  if (!isLogLevel(level) || (level as string) === 'silent') throw new TypeError(`logData: unknown level ${JSON.stringify(String(level))}`);
  logger[level](fields, msg);
}
