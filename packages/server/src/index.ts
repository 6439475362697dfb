export { buildApp, type AppOptions } from './app.js';
export type { LoginHook } from './interaction/login-hook.js';
export type { OAuthConfig } from './oauth-config.js';
export { createRuntime, openOAuth, type Runtime, type RuntimeOptions } from './runtime.js';
export { loadConfig, ConfigError, type ServerConfig, type ConfigOverrides } from './config.js';
export { startServer, type RunningServer } from './commands/serve.js';
export { ServerSecret } from './server-secret.js';
export { createDomainMetrics, type DomainMetrics, type TokenMetricsSink, type StorageMetricsSink } from './domain-metrics.js';
export type { MetricsAuth } from './config.js';
