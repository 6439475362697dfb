import { resolve } from 'node:path';
import { loadOAuthConfig, type OAuthConfig } from './oauth-config.js';

export type LogFormat = 'json' | 'pretty' | 'compact';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** The public base URL; `TSFORGE_ISSUER`, or `http://HOST:PORT`. */
  issuer: string;
  /** Largest accepted JSON or form body, in bytes. */
  bodyLimit: number;
  /** Largest accepted file upload, in bytes. */
  maxUploadBytes: number;
  accessTokenTtl: number;
  shutdownTimeoutMs: number;
  /** How long an ordinary request may take to arrive whole (slow-body protection). */
  bodyTimeoutMs: number;
  /** Uploads slower than this, measured over `minUploadRateWindowMs`, are cut off. */
  minUploadBytesPerSecond: number;
  minUploadRateWindowMs: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
  scopes: string[];
  /** Token formats, grants, rate limits, purge interval. */
  oauth: OAuthConfig;
}

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const FILE_SCOPES = ['files:read', 'files:write'] as const;

export interface ConfigOverrides {
  host?: string;
  port?: string;
  dataDir?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): ServerConfig {
  const host = overrides.host ?? env.HOST ?? '127.0.0.1';
  const port = integer('PORT', overrides.port ?? env.PORT, 3000, 0, 65535);
  const issuer = env.TSFORGE_ISSUER ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    host,
    port,
    dataDir: resolve(overrides.dataDir ?? env.TSFORGE_DATA_DIR ?? './data'),
    issuer: checkIssuer(issuer),
    bodyLimit: integer('TSFORGE_BODY_LIMIT', env.TSFORGE_BODY_LIMIT, 1024 * 1024, 1024, 2 ** 31),
    maxUploadBytes: integer('TSFORGE_MAX_UPLOAD_BYTES', env.TSFORGE_MAX_UPLOAD_BYTES, 1024 ** 3, 1, 2 ** 53 - 1),
    accessTokenTtl: integer('TSFORGE_ACCESS_TOKEN_TTL', env.TSFORGE_ACCESS_TOKEN_TTL, 3600, 1, 86400 * 365),
    shutdownTimeoutMs: integer('TSFORGE_SHUTDOWN_TIMEOUT_MS', env.TSFORGE_SHUTDOWN_TIMEOUT_MS, 10_000, 0, 3_600_000),
    bodyTimeoutMs: integer('TSFORGE_BODY_TIMEOUT_MS', env.TSFORGE_BODY_TIMEOUT_MS, 30_000, 100, 3_600_000),
    minUploadBytesPerSecond: integer('TSFORGE_MIN_UPLOAD_RATE', env.TSFORGE_MIN_UPLOAD_RATE, 1024, 0, 2 ** 31),
    minUploadRateWindowMs: integer('TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS', env.TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS, 10_000, 100, 3_600_000),
    idleTimeoutMs: integer('TSFORGE_IDLE_TIMEOUT_MS', env.TSFORGE_IDLE_TIMEOUT_MS, 60_000, 1000, 3_600_000),
    scopes: [...FILE_SCOPES],
    oauth: loadOAuthConfig(env),
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${raw}`);
  return value;
}

function checkIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`TSFORGE_ISSUER must be an absolute URL, got ${JSON.stringify(issuer)}`);
  }
  // RFC 8414 §2: the issuer is an https URL (http allowed here for loopback and development)
  // with no query or fragment.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new ConfigError(`TSFORGE_ISSUER must be an http(s) URL without query or fragment, got ${JSON.stringify(issuer)}`);
  }
  return issuer.replace(/\/+$/, '');
}
