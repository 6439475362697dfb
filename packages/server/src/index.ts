export { buildApp } from './app.js';
export { createRuntime, openOAuth, type Runtime, type RuntimeOptions } from './runtime.js';
export { loadConfig, ConfigError, type ServerConfig, type ConfigOverrides } from './config.js';
export { startServer, type RunningServer } from './commands/serve.js';
export { ServerSecret } from './server-secret.js';
export { createDomainMetrics, countTokenResponse, type DomainMetrics, type TokenMetricsSink, type StorageMetricsSink } from './domain-metrics.js';
export type { MetricsAuth } from './config.js';
