/**
 * Flushes buffered sinks when the process ends: on `exit` (which also runs after `process.exit()`
 * and after an uncaught exception) and on SIGTERM, SIGINT and SIGHUP.
 *
 * The process is one, so its hooks are one: every live sink is kept in a set and the listeners
 * are installed while the set is not empty. That is the only process-wide state in the package,
 * and it holds nothing but the sinks the application opened.
 *
 * A signal normally ends a Node process without running `exit` listeners. When nobody else
 * listens for the signal, this listener flushes, removes itself and raises the signal again, so
 * the process still ends exactly as it would have (killed by that signal), with its lines on
 * disk. When the application has its own listener (a graceful shutdown), the sinks are only
 * flushed and the application decides what happens next.
 */
export interface FlushOnExit {
  flushSync(): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
// Weak, so a logger the application dropped is not kept alive by its exit hook. Nothing is lost
// by that: a sink with a pending batch is still referenced by the setImmediate that will write it.
const live = new Set<WeakRef<FlushOnExit>>();
const collected = new FinalizationRegistry<WeakRef<FlushOnExit>>((ref) => forget(ref));

function forget(ref: WeakRef<FlushOnExit>): void {
  if (live.delete(ref) && live.size === 0) uninstall();
}

function flushAll(): void {
  for (const ref of live) {
    try {
      ref.deref()?.flushSync();
    } catch {
      // A failing disk must not stop the others from being flushed, nor the process from ending.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  flushAll();
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

const signalListeners = new Map(SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const));

function install(): void {
  process.on('exit', flushAll);
  for (const [signal, listener] of signalListeners) process.on(signal, listener);
}

function uninstall(): void {
  process.off('exit', flushAll);
  for (const [signal, listener] of signalListeners) process.off(signal, listener);
}

export function flushOnExit(sink: FlushOnExit): () => void {
  if (live.size === 0) install();
  const ref = new WeakRef(sink);
  live.add(ref);
  collected.register(sink, ref, ref);
  return () => {
    collected.unregister(ref);
    forget(ref);
  };
}
