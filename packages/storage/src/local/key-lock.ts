/**
 * An async mutex per key: `run(key, task)` starts `task` once every task queued before it under
 * the same key has settled. Tasks under different keys never wait for each other. A key's entry
 * is dropped when its last task settles, so the map only holds keys with work in flight.
 *
 * It serializes callers within one process (one owner of the map), nothing more.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Tails only ever resolve (never reject), so a failed task cannot poison the queue.
    const tail = previous ? previous.then(() => done) : done;
    this.#tails.set(key, tail);
    try {
      if (previous) await previous;
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** How many keys have a task running or queued. */
  get size(): number {
    return this.#tails.size;
  }
}
