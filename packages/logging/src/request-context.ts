import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestFields {
  request_id: string;
  [key: string]: unknown;
}

/**
 * The fields of the request being served, carried through every `await`, timer and promise that
 * the request starts. A logger created with `{ context }` adds them to each line it writes.
 * Each instance has its own storage: two servers in one process never see each other's requests.
 */
export class RequestContext<T extends RequestFields = RequestFields> {
  readonly #storage = new AsyncLocalStorage<T>();

  /** Runs `fn` with `fields` as the current request; its result (or promise) is returned as is. */
  run<R>(fields: T, fn: () => R): R {
    return this.#storage.run(fields, fn);
  }

  current(): T | undefined {
    return this.#storage.getStore();
  }

  /**
   * Makes `fields` current for the rest of the running synchronous code and for every
   * asynchronous operation it schedules from now on, for hooks that cannot wrap a callback
   * (Fastify `onRequest`). Caveats: it does not end when the caller returns, so call it only
   * inside an asynchronous scope that belongs to one request (a server's per-request hook, never
   * at module top level or in a shared listener); work scheduled before the call keeps the
   * previous fields; and it replaces, not nests, whatever was current. Prefer `run` wherever
   * the framework lets you wrap the handler.
   */
  enterWith(fields: T): void {
    this.#storage.enterWith(fields);
  }
}
