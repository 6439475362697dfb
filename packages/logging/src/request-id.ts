import { randomBytes } from 'node:crypto';

// Letters, digits and `.`, `_`, `:`, `-`: safe in a header, a log line, a URL and a shell, and long
// enough for a UUID, a W3C trace id or a load balancer's id (`Root=1-67891233-abcdef...`).
const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

export const RequestId = {
  /** 16 random bytes as base64url: 22 characters, 128 bits of entropy. */
  generate(): string {
    return randomBytes(16).toString('base64url');
  },

  isValid(value: unknown): value is string {
    return typeof value === 'string' && VALID.test(value);
  },

  /**
   * The id sent by the client or a proxy (an `x-request-id` header; for a repeated header, the
   * first value) when it is valid, so one request can be followed across services; otherwise a
   * fresh one, so a hostile or broken header never reaches the logs.
   */
  from(header: unknown): string {
    const candidate = Array.isArray(header) ? header[0] : header;
    return RequestId.isValid(candidate) ? candidate : RequestId.generate();
  },
} as const;
