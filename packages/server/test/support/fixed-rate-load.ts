import { percentile } from './process-usage.js';

/**
 * Open-loop load: operations start at a fixed rate whatever the latency (so a slow server is not
 * given a break, as a closed loop of clients would give it), with a cap on how many are in
 * flight (so a stalled server is not flooded either). An operation due while the cap is reached
 * is shed, not queued: the rate never exceeds `rps`, even after a stall.
 */
export async function runAtFixedRate(o: {
  rps: number;
  seconds: number;
  maxInFlight: number;
  /** The next operation to start, or undefined when none can start now (counted as skipped). */
  next: () => (() => Promise<void>) | undefined;
}): Promise<{ started: number; shed: number; skipped: number }> {
  const begin = performance.now();
  const end = begin + o.seconds * 1000;
  const running = new Set<Promise<void>>();
  let due = 0;
  let started = 0;
  let shed = 0;
  let skipped = 0;
  for (;;) {
    const now = Math.min(performance.now(), end);
    const target = Math.floor(((now - begin) / 1000) * o.rps);
    for (; due < target; due++) {
      if (running.size >= o.maxInFlight) { shed++; continue; }
      const op = o.next();
      if (!op) { skipped++; continue; }
      started++;
      // The operations record their own failures; a throw here is a bug in the test itself.
      const p: Promise<void> = op().finally(() => running.delete(p));
      running.add(p);
    }
    if (now >= end) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(running);
  return { started, shed, skipped };
}

interface OpRecord {
  statuses: Map<number, number>;
  errors: string[];
  latenciesMs: number[];
}

/** Every response status, request error and latency, by operation name. */
export class LoadRecorder {
  readonly #ops = new Map<string, OpRecord>();
  /** Failures that are not a status: a download whose bytes differ, a chain that broke. */
  readonly problems: string[] = [];

  /** Times `send`, records its status, or its throw as an error; returns the status or undefined. */
  async time<T extends { status: number }>(op: string, send: () => Promise<T>): Promise<T | undefined> {
    const record = this.#record(op);
    const start = performance.now();
    try {
      const response = await send();
      record.latenciesMs.push(performance.now() - start);
      record.statuses.set(response.status, (record.statuses.get(response.status) ?? 0) + 1);
      return response;
    } catch (err) {
      record.errors.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  count(op: string): number {
    const record = this.#ops.get(op);
    return record ? [...record.statuses.values()].reduce((a, b) => a + b, 0) + record.errors.length : 0;
  }

  /** `op status ×count` for every status outside `expected[op]`, and every 5xx. */
  unexpectedStatuses(expected: Record<string, number[]>): string[] {
    const out: string[] = [];
    for (const [op, record] of this.#ops) {
      for (const [status, n] of record.statuses) {
        if (status >= 500 || !(expected[op] ?? []).includes(status)) out.push(`${op} ${status} ×${n}`);
      }
    }
    return out;
  }

  errors(): string[] {
    return [...this.#ops].flatMap(([op, r]) => r.errors.map((e) => `${op}: ${e}`));
  }

  /** `op n=… p99=…ms` for each operation, for the log. */
  summary(): string {
    return [...this.#ops]
      .map(([op, r]) => `${op} n=${this.count(op)} p99=${percentile(r.latenciesMs, 99).toFixed(0)}ms`)
      .join(', ');
  }

  #record(op: string): OpRecord {
    let record = this.#ops.get(op);
    if (!record) this.#ops.set(op, (record = { statuses: new Map(), errors: [], latenciesMs: [] }));
    return record;
  }
}
