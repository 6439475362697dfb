import type pg from 'pg';

/**
 * Ends a pool the store owns even when its server hangs. `pool.end()` resolves once every
 * client was asked to end, but each socket stays open until the server answers the Terminate
 * message by closing its side: a stopped server (SIGSTOP, a paused VM) or a partitioned one
 * never does, and those sockets keep the process from exiting after its shutdown. The clients
 * still open `graceMs` after the end are destroyed.
 */
export class PoolGoodbye {
  readonly #pool: pg.Pool;
  readonly #graceMs: number;
  /** Clients whose socket has not closed yet. */
  readonly #open = new Set<pg.Client>();

  constructor(pool: pg.Pool, graceMs: number) {
    this.#pool = pool;
    this.#graceMs = graceMs;
    pool.on('connect', (client) => {
      this.#open.add(client);
      // node-postgres emits 'end' once the client's socket has closed.
      client.once('end', () => this.#open.delete(client));
    });
  }

  async end(): Promise<void> {
    await this.#pool.end();
    if (this.#open.size === 0) return;
    const closed = [...this.#open].map((client) => new Promise((resolve) => client.once('end', resolve)));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => { timer = setTimeout(resolve, this.#graceMs); });
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);
    for (const client of this.#open) client.connection.stream.destroy();
    await Promise.all(closed);
  }
}
