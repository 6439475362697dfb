import { LogConfigError, describeValue } from './errors.js';
import { LOG_LEVELS, isLogLevel, type LogLevel } from './levels.js';

export interface LevelSpec {
  level?: LogLevel;
  modules: Record<string, LogLevel>;
}

const MODULE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Reads `info`, `info,storage=debug` or `storage=debug,oauth2=warn`: at most one bare level (the
 * default) and any number of `module=level` pairs. Case-insensitive levels; a module name is
 * letters, digits and `_.:-`. `setting` names the variable or option in the error.
 */
export function parseLevelSpec(spec: string, setting: string): LevelSpec {
  const result: LevelSpec = { modules: {} };
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) {
      if (result.level !== undefined) throw new LogConfigError(`${setting} names more than one default level: ${describeValue(spec)}`, { setting });
      result.level = levelOf(part, setting);
      continue;
    }
    const name = part.slice(0, eq).trim();
    if (!MODULE_NAME.test(name)) {
      throw new LogConfigError(`${setting} has an invalid module name ${describeValue(name)} (letters, digits, "_.:-")`, { setting });
    }
    result.modules[name] = levelOf(part.slice(eq + 1).trim(), setting);
  }
  return result;
}

function levelOf(text: string, setting: string): LogLevel {
  const normalized = text.toLowerCase();
  if (!isLogLevel(normalized)) {
    throw new LogConfigError(`${setting} must be one of ${LOG_LEVELS.join(', ')}; got ${describeValue(text)}`, { setting });
  }
  return normalized;
}

/** The spec back as text, e.g. for an admin endpoint's answer. */
export function formatLevelSpec(level: LogLevel, modules: Readonly<Record<string, LogLevel>>): string {
  return [level, ...Object.entries(modules).map(([name, lvl]) => `${name}=${lvl}`)].join(',');
}
