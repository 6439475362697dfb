import type { Metrics } from '@tsforge/metrics';

/** What the OAuth2 core reports: one call per token issued, one per token request refused. */
export interface TokenMetricsSink {
  tokenIssued(grant: string): void;
  tokenError(error: string): void;
}

/** What a storage disk reports: bytes moved, per disk. */
export interface StorageMetricsSink {
  bytesWritten(disk: string, bytes: number): void;
  bytesRead(disk: string, bytes: number): void;
}

export interface DomainMetrics {
  oauth2: TokenMetricsSink;
  storage: StorageMetricsSink;
  /**
   * Creates the series known up front at 0: a counter's first `increase()` needs a sample
   * before it (a series born at 1 hides that first event from `rate()`).
   */
  startAtZero(known: { grants: readonly string[]; disks: readonly string[] }): void;
}

// Label values must come from a small known set: grant_type is client input, and anything
// outside these becomes "other" rather than a new series.
const GRANTS = new Set([
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'password',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
]);
// RFC 6749 §5.2, RFC 6750 §3.1, RFC 8628 §3.5 and the two server statuses a token endpoint answers with.
const ERRORS = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope',
  'invalid_token', 'insufficient_scope', 'access_denied', 'authorization_pending', 'slow_down', 'expired_token',
  'server_error', 'temporarily_unavailable',
]);
/** RFC 6749 §5.2: the error codes a token endpoint answers with. */
export const TOKEN_ERROR_CODES = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const;
/** Disk names are the operator's configuration, but still only ever a short name. */
const DISK_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const OTHER_LABEL = 'other';

/**
 * The metrics of the OAuth2 and storage cores, as the two sink objects those packages accept:
 * `oauth2_tokens_issued_total{grant}`, `oauth2_token_errors_total{error}`,
 * `storage_bytes_written_total{disk}` and `storage_bytes_read_total{disk}`.
 */
export function createDomainMetrics(metrics: Metrics): DomainMetrics {
  const issued = metrics.counter({ name: 'oauth2_tokens_issued_total', help: 'Access tokens issued, by grant type.', labelNames: ['grant'] });
  const errors = metrics.counter({ name: 'oauth2_token_errors_total', help: 'Token requests refused, by OAuth 2.0 error code.', labelNames: ['error'] });
  const written = metrics.counter({ name: 'storage_bytes_written_total', help: 'Bytes written to storage, by disk.', labelNames: ['disk'] });
  const read = metrics.counter({ name: 'storage_bytes_read_total', help: 'Bytes read from storage, by disk.', labelNames: ['disk'] });
  const bytes = (amount: number) => (Number.isFinite(amount) && amount > 0 ? amount : 0);
  const grantLabel = (grant: string) => (GRANTS.has(grant) ? grant : OTHER_LABEL);
  const diskLabel = (disk: string) => (DISK_NAME.test(disk) ? disk : OTHER_LABEL);

  return {
    oauth2: {
      tokenIssued: (grant) => issued.inc({ grant: grantLabel(grant) }),
      tokenError: (error) => errors.inc({ error: ERRORS.has(error) ? error : OTHER_LABEL }),
    },
    storage: {
      // A sink must never throw into the I/O path that reports to it: bad amounts count as 0.
      bytesWritten: (disk, amount) => written.incBy(bytes(amount), { disk: diskLabel(disk) }),
      bytesRead: (disk, amount) => read.incBy(bytes(amount), { disk: diskLabel(disk) }),
    },
    startAtZero({ grants, disks }) {
      for (const grant of grants) issued.incBy(0, { grant: grantLabel(grant) });
      for (const error of TOKEN_ERROR_CODES) errors.incBy(0, { error });
      for (const disk of disks) {
        written.incBy(0, { disk: diskLabel(disk) });
        read.incBy(0, { disk: diskLabel(disk) });
      }
    },
  };
}
