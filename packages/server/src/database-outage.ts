import type { Logger } from '@tsforge/logging';

/**
 * SQLSTATEs of a server that is going away or cannot take a session (PostgreSQL Appendix A):
 * class 08 connection exception, 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 * cannot_connect_now, 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/** How deep to look through `cause`s: an OAuth2Error wraps the driver's error once or twice. */
const MAX_CAUSES = 4;

/**
 * Why `err` (or one of its causes) means the database cannot be reached right now, in a few
 * words fit for a log line; undefined for any other failure (a constraint, a bug, a closed store).
 */
export function unreachableReason(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; depth <= MAX_CAUSES && typeof current === 'object' && current !== null; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return `SQLSTATE ${code}: ${String(message)}`;
    const reason = networkReason(code, message);
    if (reason) return reason;
    current = cause;
  }
  return undefined;
}

/**
 * ECONNREFUSED, ENOTFOUND, ... (EAI_AGAIN: a name server that did not answer; Node's own ERR_*
 * codes are bugs) or node-postgres's own words for a connection that timed out or broke.
 */
export function networkReason(code: unknown, message: unknown): string | undefined {
  if (typeof code === 'string' && /^(E[A-Z]+|EAI_AGAIN)$/.test(code)) return code;
  if (typeof message !== 'string') return undefined;
  if (/timeout/i.test(message) && /connect/i.test(message)) return 'no answer within the connect timeout';
  if (message === 'Query read timeout') return 'no answer within the read timeout';
  if (/^Connection terminated/.test(message) || /connection error and is not queryable/.test(message)) return 'the server closed the connection';
  return undefined;
}

export interface DatabaseOutageOptions {
  logger: Logger;
  /** The database for the log: a URL without credentials. */
  where: string;
  /** Resolves once the database answers again (the store's ping). */
  probe: () => Promise<unknown>;
  /** How often to probe while it is away; 1000 ms by default. */
  probeIntervalMs?: number;
  clock?: () => number;
}

/**
 * While PostgreSQL cannot be reached, every request that needs it answers 503 at once. The log
 * gets one error line when that starts and one line when a probe finds the database back (how
 * long it was away, how many requests failed), instead of a stack trace per failed request.
 * Requests do not wait for the probe: the pool reconnects on the next one by itself.
 */
export class DatabaseOutage {
  readonly #logger: Logger;
  readonly #where: string;
  readonly #probe: () => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #clock: () => number;
  #since: number | undefined;
  #failed = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: DatabaseOutageOptions) {
    this.#logger = o.logger;
    this.#where = o.where;
    this.#probe = o.probe;
    this.#intervalMs = o.probeIntervalMs ?? 1000;
    this.#clock = o.clock ?? Date.now;
  }

  /** True while an outage is on (from the first failure until a probe answers). */
  get down(): boolean {
    return this.#since !== undefined;
  }

  /**
   * Takes a request's failure. True when it means the database is unreachable: counted here
   * (the first one logged), so the caller logs nothing. False for anything else.
   */
  report(err: unknown): boolean {
    const reason = unreachableReason(err);
    if (reason === undefined) return false;
    this.#failed++;
    if (this.#since !== undefined) return true;
    this.#since = this.#clock();
    this.#logger.error({ database: this.#where, reason }, 'database unreachable: requests that need it answer 503 until it is back');
    this.#schedule();
    return true;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#check(), this.#intervalMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    try {
      await this.#probe();
    } catch {
      this.#schedule();
      return;
    }
    const downMs = this.#clock() - (this.#since ?? this.#clock());
    this.#logger.info({ database: this.#where, down_ms: downMs, failed_requests: this.#failed }, 'database reachable again');
    this.#since = undefined;
    this.#failed = 0;
  }
}
