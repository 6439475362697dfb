import { createHash, timingSafeEqual } from 'node:crypto';

// RFC 7636 §4.1: code-verifier = 43*128unreserved; unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
// §4.2: the challenge has the same grammar (for S256 it is exactly 43 base64url characters).
const GRAMMAR = /^[A-Za-z0-9\-._~]{43,128}$/;

export type CodeChallengeMethod = 'S256' | 'plain';

export function isValidVerifier(v: string): boolean {
  return GRAMMAR.test(v);
}

export const isValidChallenge = isValidVerifier;

/** RFC 7636 §4.6, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string, method: CodeChallengeMethod): boolean {
  if (!isValidVerifier(verifier)) return false;
  const derived = method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  const a = Buffer.from(derived);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
