import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { StorageError } from './errors.js';
import { normalizeKey } from './key.js';

export type SignedMethod = 'GET' | 'PUT';

/**
 * What a signed URL may pin besides method, key and expiry: for a download, the type and
 * disposition the response carries; for an upload, the type and length the uploader must send.
 */
export interface SignedParams {
  'response-content-type'?: string;
  'response-content-disposition'?: string;
  'content-type'?: string;
  /** Upload only: the exact byte count the uploader must send (decimal). */
  'content-length'?: string;
}

// In this order in the signed message; each appears in the URL only when set.
const PARAMS = ['response-content-type', 'response-content-disposition', 'content-type', 'content-length'] as const;
const MAX_PARAM_LENGTH = 1024;

export interface UrlSignerOptions {
  /** At least 32 random bytes. Copied; the caller's buffer can be wiped afterwards. */
  secret: Uint8Array;
  /** Secrets still accepted by `verify` (never used to sign), for rotating `secret` without breaking live URLs. */
  previousSecrets?: readonly Uint8Array[];
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /** Longest lifetime `Disk.signedUrl` will grant, in seconds; defaults to 7 days. */
  maxExpiresIn?: number;
}

const MIN_SECRET_BYTES = 32;
const DEFAULT_MAX_EXPIRES_IN = 7 * 24 * 60 * 60;
// Domain separation: a MAC made here can never be mistaken for one over some other message format.
const CONTEXT = 'tsforge-storage-url-v1';
const EXPIRES = /^[1-9][0-9]{0,15}$/;
// 32 bytes of HMAC-SHA256 in unpadded base64url (RFC 4648 §5) are exactly 43 characters.
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * HMAC-SHA256 signatures that grant one method on one key until one instant. The signed message
 * is rebuilt from the parsed parameters and the canonical key, never taken from the raw URL, so
 * no encoding trick in the URL can change what was signed.
 */
export class UrlSigner {
  readonly #keys: readonly KeyObject[];
  readonly #clock: () => number;
  readonly maxExpiresIn: number;

  constructor(options: UrlSignerOptions) {
    const secrets = [options.secret, ...(options.previousSecrets ?? [])];
    for (const secret of secrets) {
      if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
        throw new TypeError(`UrlSigner secrets must be Uint8Arrays of at least ${MIN_SECRET_BYTES} bytes`);
      }
    }
    const maxExpiresIn = options.maxExpiresIn ?? DEFAULT_MAX_EXPIRES_IN;
    if (!Number.isSafeInteger(maxExpiresIn) || maxExpiresIn < 1) {
      throw new TypeError('maxExpiresIn must be a positive integer number of seconds');
    }
    this.#keys = secrets.map((secret) => createSecretKey(Buffer.from(secret)));
    this.#clock = options.clock ?? Date.now;
    this.maxExpiresIn = maxExpiresIn;
  }

  /** The signer's clock, in milliseconds. */
  now(): number {
    return this.#clock();
  }

  sign(o: { method: SignedMethod; key: string; expiresAt: number; params?: SignedParams }): string {
    checkMethod(o.method);
    if (!Number.isSafeInteger(o.expiresAt) || o.expiresAt < 1) {
      throw new TypeError('expiresAt must be a positive integer number of unix seconds');
    }
    const params = o.params ?? {};
    for (const name of PARAMS) {
      const value = params[name];
      if (value !== undefined && !validParam(value)) throw new TypeError(`${name} must be 1-${MAX_PARAM_LENGTH} printable characters`);
    }
    return mac(this.#keys[0]!, o.method, normalizeKey(o.key), String(o.expiresAt), params);
  }

  /** Returns the pinned parameters the URL carried, which the caller must honour. */
  verify(o: { method: SignedMethod; key: string; query: string | URLSearchParams }): SignedParams {
    checkMethod(o.method);
    const key = normalizeKey(o.key);
    const { expires, signature, params } = parseQuery(o.query);
    const given = Buffer.from(signature, 'ascii');
    let valid = false;
    for (const secret of this.#keys) {
      const expected = Buffer.from(mac(secret, o.method, key, expires, params), 'ascii');
      // Both are 43 ASCII bytes (checked by SIGNATURE), as timingSafeEqual requires.
      valid = timingSafeEqual(expected, given) || valid;
    }
    if (!valid) throw invalid('signature does not match');
    // Only a genuine URL learns that it expired; a forged one is just invalid.
    if (Math.floor(this.#clock() / 1000) >= Number(expires)) {
      throw new StorageError('E_SIGNATURE_EXPIRED', 'signed URL has expired');
    }
    return params;
  }
}

/** The query string of a signed URL: expiry, pinned parameters, signature. */
export function signedQuery(expiresAt: number, params: SignedParams, signature: string): string {
  const query = new URLSearchParams({ expires: String(expiresAt) });
  for (const name of PARAMS) {
    const value = params[name];
    if (value !== undefined) query.append(name, value);
  }
  query.append('signature', signature);
  // URLSearchParams writes a space as "+"; RFC 3986 query components use %20.
  return query.toString().replace(/\+/g, '%20');
}

function mac(secret: KeyObject, method: SignedMethod, key: string, expires: string, params: SignedParams): string {
  // Keys and parameter values never contain "\n" (control characters are rejected), and the
  // parameters come in a fixed order under their names, so no two messages run together.
  let message = `${CONTEXT}\n${method}\n${expires}\n${key}`;
  for (const name of PARAMS) {
    const value = params[name];
    if (value !== undefined) message += `\n${name}=${value}`;
  }
  return createHmac('sha256', secret).update(message, 'utf8').digest('base64url');
}

function validParam(value: string): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM_LENGTH && /^[\x20-\x7e]+$/.test(value);
}

function parseQuery(query: string | URLSearchParams): { expires: string; signature: string; params: SignedParams } {
  const params = typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query;
  if (!(params instanceof URLSearchParams)) throw new TypeError('query must be a string or URLSearchParams');
  let expires: string | undefined;
  let signature: string | undefined;
  const pinned: SignedParams = {};
  for (const [name, value] of params) {
    if (name === 'expires') {
      if (expires !== undefined) throw invalid('duplicate "expires" parameter');
      expires = value;
    } else if (name === 'signature') {
      if (signature !== undefined) throw invalid('duplicate "signature" parameter');
      signature = value;
    } else if ((PARAMS as readonly string[]).includes(name)) {
      const param = name as (typeof PARAMS)[number];
      if (pinned[param] !== undefined) throw invalid(`duplicate "${name}" parameter`);
      if (!validParam(value)) throw invalid(`malformed "${name}" parameter`);
      pinned[param] = value;
    } else {
      throw invalid('unexpected query parameter');
    }
  }
  if (expires === undefined || !EXPIRES.test(expires) || !Number.isSafeInteger(Number(expires))) {
    throw invalid('missing or malformed "expires" parameter');
  }
  if (signature === undefined || !SIGNATURE.test(signature)) throw invalid('missing or malformed "signature" parameter');
  return { expires, signature, params: pinned };
}

function checkMethod(method: string): void {
  if (method !== 'GET' && method !== 'PUT') throw new TypeError('method must be "GET" or "PUT"');
}

function invalid(message: string): StorageError {
  return new StorageError('E_SIGNATURE_INVALID', message);
}
