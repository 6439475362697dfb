import type Database from 'better-sqlite3';

/**
 * Group commit: writes issued in the same turn of the event loop are committed together in one
 * transaction on the next turn, and each caller's promise settles after that commit (so a
 * resolved write is as durable as a lone one). Under load, one WAL commit then carries many rows
 * instead of one, which is most of the cost of an INSERT. A failing row (a constraint) fails only
 * its own caller: SQLite rolls back just that statement.
 */
interface Pending<A> {
  args: A;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<A extends unknown[]> {
  readonly #commit: (batch: Pending<A>[], failures: Map<number, unknown>) => void;
  #pending: Pending<A>[] = [];

  constructor(db: Database.Database, write: (...args: A) => void) {
    this.#commit = db.transaction((batch: Pending<A>[], failures: Map<number, unknown>) => {
      for (let i = 0; i < batch.length; i++) {
        try {
          write(...batch[i]!.args);
        } catch (err) {
          failures.set(i, err);
        }
      }
    });
  }

  run(...args: A): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ args, resolve, reject }) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    const failures = new Map<number, unknown>();
    try {
      this.#commit(batch, failures);
    } catch (err) {
      // The commit itself failed (disk full, database closed): nothing of the batch was written.
      for (const item of batch) item.reject(err);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const failure = failures.get(i);
      if (failures.has(i)) batch[i]!.reject(failure);
      else batch[i]!.resolve();
    }
  }
}
