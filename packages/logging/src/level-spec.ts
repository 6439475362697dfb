import { LogConfigError, describeValue } from './errors.js';
import { LOG_LEVELS, isLogLevel, type LogLevel } from './levels.js';

export interface LevelSpec {
  level?: LogLevel;
  modules: Record<string, LogLevel>;
}

/** A letter first, then letters, digits and `_.:-`: `storage`, `oauth2`, `db.pool`; never `__proto__`. */
const MODULE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Reads `info`, `info,storage=debug` or `storage=debug,oauth2=warn`: at most one bare level (the
 * default) and any number of `module=level` pairs. Case-insensitive levels; a module name is a
 * letter then letters, digits and `_.:-`. A spec that names nothing (`""`, `",,"`) is an error,
 * not a silent reset. `setting` names the variable or option in the error.
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
      throw new LogConfigError(`${setting} has an invalid module name ${describeValue(name)} (a letter, then letters, digits, "_.:-")`, { setting });
    }
    result.modules[name] = levelOf(part.slice(eq + 1).trim(), setting, name);
  }
  if (result.level === undefined && Object.keys(result.modules).length === 0) {
    throw new LogConfigError(`${setting} names no level: expected e.g. "info" or "info,storage=debug"; got ${describeValue(spec)}`, { setting });
  }
  return result;
}

function levelOf(text: string, setting: string, module?: string): LogLevel {
  const normalized = text.toLowerCase();
  if (!isLogLevel(normalized)) {
    const which = module === undefined ? '' : ` for module ${describeValue(module)}`;
    throw new LogConfigError(`${setting} must be one of ${LOG_LEVELS.join(', ')}${which}; got ${describeValue(text)}`, { setting });
  }
  return normalized;
}

/** The spec back as text, e.g. for an admin endpoint's answer. */
export function formatLevelSpec(level: LogLevel, modules: Readonly<Record<string, LogLevel>>): string {
  return [level, ...Object.entries(modules).map(([name, lvl]) => `${name}=${lvl}`)].join(',');
}
