import type Database from 'better-sqlite3';

/**
 * Whether another connection to the database file (another process, or another store in this
 * one) has committed since the last look, from SQLite's `PRAGMA data_version`, which changes
 * only for commits by other connections. Read at most once per turn of the event loop: under
 * load the requests of one turn share one read, and a change committed elsewhere is seen by
 * the first request of the next turn.
 */
export class ExternalChanges {
  readonly #read: () => unknown;
  #version: unknown;
  #lookedThisTurn = false;

  constructor(db: Database.Database) {
    const stmt = db.prepare('PRAGMA data_version').pluck();
    this.#read = () => stmt.get();
    this.#version = this.#read();
  }

  /** True when another connection committed since the previous call that looked. */
  seen(): boolean {
    if (this.#lookedThisTurn) return false;
    this.#lookedThisTurn = true;
    setImmediate(() => {
      this.#lookedThisTurn = false;
    });
    const version = this.#read();
    if (version === this.#version) return false;
    this.#version = version;
    return true;
  }
}
