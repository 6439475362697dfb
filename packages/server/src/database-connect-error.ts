import { networkReason } from './database-outage.js';

/**
 * The database could not be reached, or refused the connection, when a command opened it:
 * nothing the code can fix. The CLI prints the message alone (one line) and exits 1.
 */
export class DatabaseUnreachableError extends Error {
  readonly exitCode = 1;
}

/**
 * SQLSTATE classes of a refused connection (PostgreSQL Appendix A): 08 connection exception,
 * 28 invalid authorization, 3D invalid catalog name (no such database), 57P03 cannot connect now
 * (starting up or shutting down).
 */
const REFUSED = /^(08|28|3D|57P03)/;

/**
 * The one-line error for a failed connection to `where` (a URL without credentials), or
 * undefined when `err` is something else (a migration that failed, a bug) and must stay itself.
 */
export function connectFailure(err: unknown, where: string): DatabaseUnreachableError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message, severity } = err as { code?: unknown; message?: unknown; severity?: unknown };
  // A server's answer (pg's DatabaseError): its message names no secret (the user at most).
  if (typeof severity === 'string' && typeof code === 'string') {
    return REFUSED.test(code) ? new DatabaseUnreachableError(`the database at ${where} (DATABASE_URL) refused the connection: ${message} (SQLSTATE ${code})`, { cause: err }) : undefined;
  }
  const reason = networkReason(code, message);
  return reason ? new DatabaseUnreachableError(`cannot reach the database at ${where} (DATABASE_URL): ${reason}`, { cause: err }) : undefined;
}
