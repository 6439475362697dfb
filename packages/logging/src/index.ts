export { createLogger, type Logger } from './create-logger.js';
export { logConfigFromEnv, validateLogConfig, type LogConfig } from './config.js';
export { LogConfigError, type LogConfigErrorCode, type LogConfigErrorOptions } from './errors.js';
export { LOG_FORMATS, LOG_LEVELS, isLogFormat, isLogLevel, type LogFormat, type LogLevel } from './levels.js';
export { RequestContext, type RequestFields } from './request-context.js';
export { RequestId } from './request-id.js';
export { flushLogger } from './flush.js';
export { DEFAULT_REDACT_KEYS, REDACTED } from './redact-keys.js';
export { createRedactor, type Redactor } from './redact.js';
