import type { Logger } from './create-logger.js';
import { LogConfigError, describeValue } from './errors.js';
import { formatLevelSpec, parseLevelSpec } from './level-spec.js';
import { isLogLevel, type LogLevel } from './levels.js';

export interface LevelSettings {
  level: LogLevel;
  modules: Record<string, LogLevel>;
}

/**
 * The root logger's level and the per-module overrides, changeable at run time.
 *
 * pino children created without their own level read the level methods from their parent
 * through the prototype chain, so they follow every change of the root. A module logger
 * (`module('storage')`) carries its own level; this class keeps each one it made and re-applies
 * override-or-root on every change, so existing module loggers and their children follow too.
 */
export class LogLevels {
  readonly #root: Logger;
  readonly #loggers = new Map<string, Logger>();
  #modules: Record<string, LogLevel>;

  constructor(root: Logger, modules: Record<string, LogLevel> = {}) {
    this.#root = root;
    this.#modules = { ...modules };
  }

  /** The logger for one module, `{"module":name}` on each line; the same instance for the same name. */
  module(name: string): Logger {
    let logger = this.#loggers.get(name);
    if (logger === undefined) {
      logger = this.#root.child({ module: name }, { level: this.#levelOf(name) });
      this.#loggers.set(name, logger);
    }
    return logger;
  }

  get(): LevelSettings {
    return { level: this.#root.level as LogLevel, modules: { ...this.#modules } };
  }

  /** `info,storage=debug` and the like (see `parseLevelSpec`). */
  toString(): string {
    const { level, modules } = this.get();
    return formatLevelSpec(level, modules);
  }

  /**
   * Sets the root level; when `modules` is given it replaces every override (`{}` clears them).
   * Throws `LogConfigError` for an unknown level and changes nothing then.
   */
  set(level: LogLevel, modules?: Record<string, LogLevel>): void {
    if (!isLogLevel(level)) throw new LogConfigError(`level must be a log level; got ${describeValue(level)}`, { setting: 'level' });
    for (const [name, lvl] of Object.entries(modules ?? {})) {
      if (!isLogLevel(lvl)) throw new LogConfigError(`modules.${name} must be a log level; got ${describeValue(lvl)}`, { setting: `modules.${name}` });
    }
    this.#root.level = level;
    if (modules !== undefined) this.#modules = { ...modules };
    for (const [name, logger] of this.#loggers) logger.level = this.#levelOf(name);
  }

  /**
   * A whole spec, as in `LOG_LEVEL`: `debug` sets the root level and clears the overrides;
   * `info,storage=debug` sets both; `storage=debug` keeps the root level and sets the overrides.
   */
  setSpec(spec: string, setting = 'level'): void {
    const parsed = parseLevelSpec(spec, setting);
    this.set(parsed.level ?? (this.#root.level as LogLevel), parsed.modules);
  }

  #levelOf(name: string): LogLevel {
    return this.#modules[name] ?? (this.#root.level as LogLevel);
  }
}
