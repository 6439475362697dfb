/**
 * Every environment variable `tsforge serve` and the CLI read, with the line `--help` shows for
 * it. The config readers take their names from here (`EnvName`), so a variable read anywhere is
 * one listed here, and the help is made from this list. The logging variables are read by
 * @tsforge/logging (its `LOG_ENV_NAMES`); they are described here for the help.
 */
export const SERVER_ENV = {
  HOST: 'address to listen on (default 127.0.0.1; --host)',
  PORT: 'port to listen on, 0 for any free one (default 3000; --port)',
  TSFORGE_DATA_DIR: 'where tsforge keeps its data (default ./data; --data-dir)',
  TSFORGE_ISSUER: 'public base URL (default http://HOST:PORT)',
  TSFORGE_ACCESS_TOKEN_TTL: 'access token lifetime in seconds (default 3600)',
  TSFORGE_BODY_LIMIT: 'largest JSON or form body in bytes (default 1048576)',
  TSFORGE_MAX_UPLOAD_BYTES: 'largest file upload in bytes (default 1073741824)',
  TSFORGE_SHUTDOWN_TIMEOUT_MS: 'how long to wait for in-flight requests (default 10000)',
  TSFORGE_SHUTDOWN_DELAY_MS: 'on SIGTERM, answer /ready with 503 this long before closing the\nlistener, so a load balancer stops sending first (default 0)',
  TSFORGE_BODY_TIMEOUT_MS: 'how long a non-upload request may take to arrive (default 30000)',
  TSFORGE_MIN_UPLOAD_RATE: 'uploads slower than this many bytes/s are cut off (default 1024)',
  TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS: 'the window that rate is measured over (default 10000)',
  TSFORGE_IDLE_TIMEOUT_MS: 'close connections idle this long, keep-alive ones too (default 75000);\nkeep it above the idle timeout of a load balancer in front',
  DATABASE_URL: 'postgres://user:pass@host:5432/db for PostgreSQL (default: SQLite in\nDATA_DIR/tsforge.db)',
  TSFORGE_DB_POOL_SIZE: 'PostgreSQL connections per instance (default 10)',
  TSFORGE_DB_STATEMENT_TIMEOUT_MS: 'a query PostgreSQL has not answered by then fails the request with 503 (default 10000)',
  REDIS_URL: 'redis://host:6379: rate limits shared by every instance (default: per\nprocess)',
  TSFORGE_TOKEN_CACHE_TTL_MS: 'with REDIS_URL, cache token lookups in Redis this long; revocation\nclears them at once (default 0 = off)',
  TSFORGE_SECRET_FILE: 'the master secret (64 hex characters); every instance needs the\nsame one (default DATA_DIR/secret.key, created on first start)',
  TSFORGE_TRUST_PROXY: 'addresses/CIDRs of the load balancers whose X-Forwarded-For names\nthe client (rate limits key on it), or a hop count (default: none)',
  STORAGE_DRIVER: 'local|s3: where files live (default local, in DATA_DIR/storage)',
  S3_BUCKET: 'the bucket (required with STORAGE_DRIVER=s3)',
  S3_ENDPOINT: 'a custom S3 endpoint, e.g. http://127.0.0.1:9000 (default AWS)',
  S3_PUBLIC_ENDPOINT: 'the endpoint presigned URLs name, when clients reach the store by\nanother name',
  S3_FORCE_PATH_STYLE: 'true|false (default: true only for dotted buckets over https)',
  S3_CONNECT_TIMEOUT_MS: 'give up connecting to the store after this long (default 3000)',
  S3_SOCKET_TIMEOUT_MS: 'give up when the store sends nothing for this long (default 30000)',
  AWS_REGION: 'the store\'s region (default us-east-1; auto for R2)',
  AWS_DEFAULT_REGION: 'the region when AWS_REGION is unset',
  AWS_ACCESS_KEY_ID: 'access key; without it and the secret, the AWS default chain',
  AWS_SECRET_ACCESS_KEY: 'the secret of that key (set both or neither)',
  AWS_SESSION_TOKEN: 'session token of temporary credentials, with the two above',
  ACCESS_TOKEN_FORMAT: 'opaque|jwt (default opaque)',
  JWT_ALG: 'ES256|EdDSA for new signing keys (default ES256)',
  TSFORGE_PKCE_REQUIRED: 'true|false: PKCE for confidential clients too (default true)',
  TSFORGE_PASSWORD_GRANT: 'true|false: enable the legacy password grant (default false)',
  TSFORGE_REFRESH_TOKEN_TTL: 'refresh token lifetime in seconds (default 1209600)',
  TSFORGE_REFRESH_GRACE_PERIOD: 'seconds a rotated refresh token still works, 0-60 (default 0)',
  TSFORGE_TOKEN_RATE_LIMIT: 'token requests (and failed client authentications at revoke/introspect) per minute per client and IP, 0 = off (default 1200)',
  TSFORGE_LOGIN_RATE_LIMIT: 'sign-in attempts per 15 minutes per username and IP, 0 = off\n(default 10)',
  TSFORGE_PURGE_INTERVAL_S: 'delete expired codes and tokens this often, 0 = never (default 600)',
  METRICS_AUTH_TOKEN: 'bearer token /metrics requires (16+ chars; default: open)',
  METRICS_BASIC_AUTH: 'user:password /metrics requires instead (password 12+ chars)',
  ADMIN_TOKEN: 'enables GET and PUT /admin/log-level for this bearer token\n(32-512 printable characters, no spaces)',
  LOG_LEVEL: 'trace|debug|info|warn|error|fatal|silent (default info), with\nper-module levels: info,storage=debug',
  LOG_FORMAT: 'json|pretty|compact (default: pretty on a terminal, else json)',
  LOG_FILE: 'also write to this file',
  LOG_DIR: 'also write to DIR/app.log, rotated daily',
  LOG_STDOUT: 'with LOG_FILE or LOG_DIR, keep writing to stdout too (default false)',
  LOG_ROTATE: 'daily|none (default none for LOG_FILE, daily for LOG_DIR)',
  LOG_MAX_SIZE: 'rotate before a file passes this size, e.g. 50M',
  LOG_KEEP: 'rotated files kept (default 7)',
  LOG_REDACT: 'more key names to censor in logs, comma-separated',
  NO_COLOR: 'set and not empty: no colour in pretty logs',
  FORCE_COLOR: 'colour in pretty logs even when not a terminal (0 or false: never)',
} as const;

export type EnvName = keyof typeof SERVER_ENV;

/** One listed variable's value. */
export function readEnv(env: NodeJS.ProcessEnv, name: EnvName): string | undefined {
  return env[name];
}

const NAME_WIDTH = 30;

/** The `Environment:` lines of `tsforge serve --help`, two columns, continuations indented. */
export function environmentHelp(): string {
  const indent = ' '.repeat(NAME_WIDTH + 2);
  return Object.entries(SERVER_ENV)
    .map(([name, help]) => {
      const text = help.replaceAll('\n', `\n${indent}`);
      return name.length < NAME_WIDTH ? `  ${name.padEnd(NAME_WIDTH)}${text}` : `  ${name}\n${indent}${text}`;
    })
    .join('\n');
}
