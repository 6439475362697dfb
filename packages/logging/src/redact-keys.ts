/**
 * Key names censored at any depth of every log line. Matching ignores case, `-` and `_`, so
 * `accessToken`, `ACCESS_TOKEN` and `access-token` all match `access_token`.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'client_secret',
  'client_assertion',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code_verifier',
  'api_key',
  'apikey',
  'x-api-key',
  'x-auth-token',
  'private_key',
  'signature',
]);

export const REDACTED = '[REDACTED]';

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

// Values under these keys are URLs whose query string may carry credentials: a signed URL's
// `signature`, an `access_token` query parameter (RFC 6750 §2.3), an API key.
const URL_KEYS = new Set(['url', 'uri', 'href', 'originalurl', 'location', 'referer', 'referrer']);

export const KeyKind = { Plain: 0, Secret: 1, Url: 2 } as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

export type KeyClassifier = (key: string) => KeyKind;

// Log lines reuse a small set of key names, so each name is normalized once. The cache is bounded
// (cleared when full) so objects keyed by ids cannot grow it without limit.
const CACHE_LIMIT = 4096;

export function createKeyClassifier(extra: readonly string[] = []): KeyClassifier {
  const secrets = new Set([...DEFAULT_REDACT_KEYS, ...extra].map(normalizeKey));
  const cache = new Map<string, KeyKind>();
  return (key) => {
    let kind = cache.get(key);
    if (kind === undefined) {
      const normalized = normalizeKey(key);
      kind = secrets.has(normalized) ? KeyKind.Secret : URL_KEYS.has(normalized) ? KeyKind.Url : KeyKind.Plain;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, kind);
    }
    return kind;
  };
}
