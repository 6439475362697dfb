import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { readEnv } from './env-vars.js';
import { loadOAuthConfig, type OAuthConfig } from './oauth-config.js';
import type { StaticCredentials } from './plugins/credential-guard.js';
import { loadBackingServices, type BackingServices } from './backing-services.js';

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
  /**
   * On SIGTERM, how long `/ready` answers 503 while everything is still served, before the
   * listener closes: the time a load balancer needs to notice and stop sending.
   */
  shutdownDelayMs: number;
  /** How long an ordinary request may take to arrive whole (slow-body protection). */
  bodyTimeoutMs: number;
  /** Uploads slower than this, measured over `minUploadRateWindowMs`, are cut off. */
  minUploadBytesPerSecond: number;
  minUploadRateWindowMs: number;
  /**
   * A connection with no traffic for this long is closed, between keep-alive requests too. Above
   * a load balancer's idle timeout, so the balancer, not this server, closes an idle connection:
   * otherwise it may send a request on a connection this server is closing (a 502).
   */
  idleTimeoutMs: number;
  /**
   * `TSFORGE_TRUST_PROXY`: the load balancers whose `X-Forwarded-For` names the client (addresses
   * or CIDRs), or how many proxy hops to trust; false trusts none. Rate limits key on the client
   * address: behind a proxy without this, every client has the proxy's.
   */
  trustProxy: false | number | string[];
  scopes: string[];
  /** `ADMIN_TOKEN`: enables `/admin/*` for a bearer of this token (32 to 512 printable characters). */
  adminToken?: string;
  storage: StorageSettings;
  /** Credentials a scraper must present on `/metrics`; undefined leaves it open (bind to a private interface then). */
  metricsAuth: MetricsAuth | undefined;
  /** Token formats, grants, rate limits, purge interval. */
  oauth: OAuthConfig;
  /** The database, Redis and the secret, shared by every instance (embedded when unset). */
  services: BackingServices;
}

/** Where files live: the data dir (default), or a bucket of any S3-compatible store. */
export type StorageSettings =
  | { driver: 'local' }
  | {
    driver: 's3';
    bucket: string;
    region: string;
    endpoint?: string;
    publicEndpoint?: string;
    forcePathStyle?: boolean;
    /** `S3_CONNECT_TIMEOUT_MS`, `S3_SOCKET_TIMEOUT_MS`: absent, the driver's defaults (3 s, 30 s). */
    connectTimeoutMs?: number;
    socketTimeoutMs?: number;
    /** Absent: the AWS default credential chain (profile, SSO, instance role, ...). */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };

/** `METRICS_AUTH_TOKEN` (RFC 6750 bearer token) or `METRICS_BASIC_AUTH` (`user:password`, RFC 7617). */
export type MetricsAuth = StaticCredentials;

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
  const host = overrides.host ?? readEnv(env, 'HOST') ?? '127.0.0.1';
  const port = wholeNumber('PORT', overrides.port ?? readEnv(env, 'PORT'), 3000, 0, 65535);
  const issuer = readEnv(env, 'TSFORGE_ISSUER') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    host,
    port,
    dataDir: resolve(overrides.dataDir ?? readEnv(env, 'TSFORGE_DATA_DIR') ?? './data'),
    issuer: checkIssuer(issuer),
    bodyLimit: wholeNumber('TSFORGE_BODY_LIMIT', readEnv(env, 'TSFORGE_BODY_LIMIT'), 1024 * 1024, 1024, 2 ** 31),
    maxUploadBytes: wholeNumber('TSFORGE_MAX_UPLOAD_BYTES', readEnv(env, 'TSFORGE_MAX_UPLOAD_BYTES'), 1024 ** 3, 1, 2 ** 53 - 1),
    accessTokenTtl: wholeNumber('TSFORGE_ACCESS_TOKEN_TTL', readEnv(env, 'TSFORGE_ACCESS_TOKEN_TTL'), 3600, 1, 86400 * 365),
    shutdownTimeoutMs: wholeNumber('TSFORGE_SHUTDOWN_TIMEOUT_MS', readEnv(env, 'TSFORGE_SHUTDOWN_TIMEOUT_MS'), 10_000, 0, 3_600_000),
    shutdownDelayMs: wholeNumber('TSFORGE_SHUTDOWN_DELAY_MS', readEnv(env, 'TSFORGE_SHUTDOWN_DELAY_MS'), 0, 0, 600_000),
    bodyTimeoutMs: wholeNumber('TSFORGE_BODY_TIMEOUT_MS', readEnv(env, 'TSFORGE_BODY_TIMEOUT_MS'), 30_000, 100, 3_600_000),
    minUploadBytesPerSecond: wholeNumber('TSFORGE_MIN_UPLOAD_RATE', readEnv(env, 'TSFORGE_MIN_UPLOAD_RATE'), 1024, 0, 2 ** 31),
    minUploadRateWindowMs: wholeNumber('TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS', readEnv(env, 'TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS'), 10_000, 100, 3_600_000),
    idleTimeoutMs: wholeNumber('TSFORGE_IDLE_TIMEOUT_MS', readEnv(env, 'TSFORGE_IDLE_TIMEOUT_MS'), 75_000, 1000, 3_600_000),
    trustProxy: trustProxy(readEnv(env, 'TSFORGE_TRUST_PROXY')),
    scopes: [...FILE_SCOPES],
    storage: storageSettings(env),
    ...adminToken(readEnv(env, 'ADMIN_TOKEN')),
    metricsAuth: metricsAuth(readEnv(env, 'METRICS_AUTH_TOKEN'), readEnv(env, 'METRICS_BASIC_AUTH')),
    oauth: loadOAuthConfig(env),
    services: loadBackingServices(env),
  };
}

function adminToken(raw: string | undefined): { adminToken?: string } {
  if (raw === undefined || raw === '') return {};
  // A token an operator could guess would open the admin endpoints to anyone: require length.
  if (!/^[\x21-\x7e]{32,512}$/.test(raw)) throw new ConfigError('ADMIN_TOKEN must be 32 to 512 printable characters without spaces (e.g. `openssl rand -hex 32`)');
  return { adminToken: raw };
}

function trustProxy(raw: string | undefined): false | number | string[] {
  if (raw === undefined || raw === '') return false;
  if (/^\d+$/.test(raw)) return wholeNumber('TSFORGE_TRUST_PROXY', raw, 0, 1, 10);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(`TSFORGE_TRUST_PROXY must be a number of hops or comma-separated addresses/CIDRs of the proxies (e.g. 10.0.0.0/8,127.0.0.1), got ${JSON.stringify(entry)}`);
    }
    if (bits !== undefined && (Number(bits) === 0 || (family === 6 && holdsAllIpv4(address!, Number(bits))))) {
      throw new ConfigError(`TSFORGE_TRUST_PROXY ${JSON.stringify(entry)} trusts every client address, so any client could name itself in X-Forwarded-For and escape its rate limits; name the load balancers, or give the number of proxy hops in front (e.g. 1)`);
    }
  }
  return entries;
}

/** An IPv6 range holding every IPv4-mapped address (::ffff:0:0/96 or wider): the proxies see IPv4 clients as these. */
function holdsAllIpv4(address: string, bits: number): boolean {
  if (bits > 96) return false;
  const range = new BlockList();
  range.addSubnet(address, bits, 'ipv6');
  return range.check('::ffff:0:0', 'ipv6') && range.check('::ffff:ffff:ffff', 'ipv6');
}

/** `STORAGE_DRIVER=local|s3` and, for s3, `S3_*` plus the standard `AWS_*` variables. */
export function storageSettings(env: NodeJS.ProcessEnv): StorageSettings {
  const driver = readEnv(env, 'STORAGE_DRIVER') || 'local';
  if (driver === 'local') return { driver: 'local' };
  if (driver !== 's3') throw new ConfigError(`STORAGE_DRIVER must be "local" or "s3", got ${JSON.stringify(driver)}`);
  const bucket = readEnv(env, 'S3_BUCKET');
  if (!bucket) throw new ConfigError('STORAGE_DRIVER=s3 needs S3_BUCKET');
  const settings: StorageSettings = { driver: 's3', bucket, region: readEnv(env, 'AWS_REGION') || readEnv(env, 'AWS_DEFAULT_REGION') || 'us-east-1' };
  if (readEnv(env, 'S3_ENDPOINT')) settings.endpoint = readEnv(env, 'S3_ENDPOINT');
  if (readEnv(env, 'S3_PUBLIC_ENDPOINT')) settings.publicEndpoint = readEnv(env, 'S3_PUBLIC_ENDPOINT');
  const pathStyle = readEnv(env, 'S3_FORCE_PATH_STYLE');
  if (pathStyle !== undefined && pathStyle !== '') {
    if (pathStyle !== 'true' && pathStyle !== 'false') throw new ConfigError(`S3_FORCE_PATH_STYLE must be "true" or "false", got ${JSON.stringify(pathStyle)}`);
    settings.forcePathStyle = pathStyle === 'true';
  }
  const connect = readEnv(env, 'S3_CONNECT_TIMEOUT_MS');
  if (connect) settings.connectTimeoutMs = wholeNumber('S3_CONNECT_TIMEOUT_MS', connect, 3000, 1, 3_600_000);
  const socket = readEnv(env, 'S3_SOCKET_TIMEOUT_MS');
  if (socket) settings.socketTimeoutMs = wholeNumber('S3_SOCKET_TIMEOUT_MS', socket, 30_000, 1, 3_600_000);
  const accessKeyId = readEnv(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = readEnv(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = readEnv(env, 'AWS_SESSION_TOKEN');
  if (accessKeyId && secretAccessKey) settings.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  else if (accessKeyId || secretAccessKey) throw new ConfigError('set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither');
  return settings;
}

const MIN_TOKEN_LENGTH = 16;
const MIN_PASSWORD_LENGTH = 12;

function metricsAuth(token: string | undefined, basic: string | undefined): MetricsAuth | undefined {
  if (token && basic) throw new ConfigError('set METRICS_AUTH_TOKEN or METRICS_BASIC_AUTH, not both');
  if (token) {
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new ConfigError('METRICS_AUTH_TOKEN must be a bearer token (letters, digits, -._~+/ and trailing =)');
    if (token.length < MIN_TOKEN_LENGTH) throw new ConfigError(`METRICS_AUTH_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`);
    return { scheme: 'bearer', token };
  }
  if (basic) {
    // RFC 7617 §2: "a user-id containing a colon character is invalid".
    const colon = basic.indexOf(':');
    const user = basic.slice(0, colon);
    const password = basic.slice(colon + 1);
    if (colon < 1) throw new ConfigError('METRICS_BASIC_AUTH must be user:password');
    if (password.length < MIN_PASSWORD_LENGTH) throw new ConfigError(`METRICS_BASIC_AUTH's password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    if (/[\x00-\x1f\x7f]/.test(basic)) throw new ConfigError('METRICS_BASIC_AUTH must not contain control characters');
    return { scheme: 'basic', user, password };
  }
  return undefined;
}

/** A whole-number setting in [min, max]; unset or empty → `fallback`. */
export function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
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
