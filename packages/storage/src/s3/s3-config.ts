import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { StorageError } from '../errors.js';
import { S3RetryStrategy } from './s3-retry.js';

export interface S3DriverOptions {
  bucket: string;
  /** Required by SigV4; default `us-east-1`. Cloudflare R2 wants `auto`. */
  region?: string;
  /** A custom endpoint (MinIO, R2, Swift, ...), e.g. `http://127.0.0.1:9000`. Default: AWS. */
  endpoint?: string;
  /**
   * The endpoint presigned URLs are made for, when clients reach the store by another name than
   * the app does (`http://minio:9000` inside, `https://files.example.com` outside). The host is
   * part of the signature, so this cannot be fixed by rewriting a URL afterwards.
   */
  publicEndpoint?: string;
  /**
   * `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`. Default: true for a
   * bucket name with dots over https (its virtual host would not match the certificate), else false.
   */
  forcePathStyle?: boolean;
  /** From config; without them the AWS default chain (environment, profile, SSO, IMDS, ...) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Whether the bucket takes object ACLs. Without (the default, as on new AWS buckets), visibility is ignored. */
  acl?: boolean;
  /** Base URL of public files for `url(key)`; default: the public endpoint's address of the object. */
  publicUrlBase?: string;
  /** Streams are uploaded in parts of this many bytes (at least 5 MiB); default 8 MiB. */
  partSize?: number;
  /** Parts uploaded at once; default 4. */
  queueSize?: number;
  /** Milliseconds since the epoch, the signing time of presigned URLs; defaults to `Date.now`. */
  clock?: () => number;
  /**
   * Give up on connecting to the store after this many milliseconds (`E_UNAVAILABLE`); default
   * 3000. Without it a store whose packets are dropped holds a call for the kernel's minutes.
   */
  connectTimeoutMs?: number;
  /**
   * Give up when the store sends nothing for this many milliseconds on an open connection, while
   * waiting for an answer or in the middle of a body (`E_UNAVAILABLE`); default 30000. An idle
   * timeout: a large transfer that keeps moving takes as long as it needs.
   */
  socketTimeoutMs?: number;
}

export const MAX_PRESIGN_EXPIRES_IN = 604_800; // SigV4 query auth: X-Amz-Expires at most 7 days
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_TIMEOUT_MS = 3_600_000;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface ResolvedS3Options {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  publicEndpoint: string | undefined;
  forcePathStyle: boolean;
  acl: boolean;
  publicUrlBase: string | undefined;
  partSize: number;
  queueSize: number;
  credentials: S3DriverOptions['credentials'];
  clock: () => number;
  connectTimeoutMs: number;
  socketTimeoutMs: number;
}

/** Checks the options once, up front: a bad one is `E_MISCONFIGURED` naming it, not a failed request later. */
export function resolveS3Options(options: S3DriverOptions): ResolvedS3Options {
  if (typeof options?.bucket !== 'string' || !BUCKET.test(options.bucket)) {
    throw misconfigured('S3 bucket must be a valid bucket name (3-63 of a-z, 0-9, ".", "-")');
  }
  const region = options.region ?? 'us-east-1';
  if (typeof region !== 'string' || !/^[a-z0-9-]+$/.test(region)) throw misconfigured('S3 region must look like "us-east-1" (or "auto")');
  const endpoint = options.endpoint === undefined ? undefined : checkEndpoint('endpoint', options.endpoint);
  const publicEndpoint = options.publicEndpoint === undefined ? undefined : checkEndpoint('publicEndpoint', options.publicEndpoint);
  const https = endpoint === undefined || endpoint.startsWith('https:');
  const forcePathStyle = options.forcePathStyle ?? (https && options.bucket.includes('.'));
  const credentials = options.credentials;
  if (credentials !== undefined && (!credentials.accessKeyId || !credentials.secretAccessKey)) {
    throw misconfigured('S3 credentials need both accessKeyId and secretAccessKey');
  }
  const partSize = options.partSize ?? 8 * 1024 * 1024;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) throw misconfigured('S3 partSize must be at least 5 MiB');
  const queueSize = options.queueSize ?? 4;
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) throw misconfigured('S3 queueSize must be a positive integer');
  const publicUrlBase = options.publicUrlBase === undefined ? undefined : checkEndpoint('publicUrlBase', options.publicUrlBase);
  const connectTimeoutMs = checkTimeout('connectTimeoutMs', options.connectTimeoutMs ?? 3000);
  const socketTimeoutMs = checkTimeout('socketTimeoutMs', options.socketTimeoutMs ?? 30_000);
  return {
    bucket: options.bucket, region, endpoint, publicEndpoint, forcePathStyle, credentials,
    acl: options.acl ?? false, publicUrlBase, partSize, queueSize, clock: options.clock ?? Date.now,
    connectTimeoutMs, socketTimeoutMs,
  };
}

/** The S3Client settings for `endpoint` (the app's, or the public one for presigning). */
export function clientConfig(options: ResolvedS3Options, endpoint: string | undefined): S3ClientConfig {
  return {
    region: options.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // Since SDK 3.729 the defaults send streamed bodies as aws-chunked with a CRC32 trailer and
    // put an empty-body checksum into presigned PUT URLs; S3-compatible stores store the framing
    // or refuse it. Only send a checksum where the operation requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK's handler waits forever by default. Its `requestTimeout` is now a total deadline
    // (that only warns unless told to throw) and would cut off large transfers; `socketTimeout`
    // is the inactivity timeout, armed until the response body ends.
    requestHandler: new NodeHttpHandler({ connectionTimeout: options.connectTimeoutMs, socketTimeout: options.socketTimeoutMs }),
    retryStrategy: new S3RetryStrategy(),
  };
}

function checkTimeout(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw misconfigured(`S3 ${name} must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return value;
}

function checkEndpoint(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw misconfigured(`S3 ${name} must be an absolute http(s) URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw misconfigured(`S3 ${name} must be an http(s) URL without credentials, query or fragment`);
  }
  return value.replace(/\/+$/, '');
}

export function misconfigured(message: string, cause?: unknown): StorageError {
  return new StorageError('E_MISCONFIGURED', message, cause === undefined ? undefined : { cause });
}
