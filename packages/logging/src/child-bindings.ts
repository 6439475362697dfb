import type { Logger } from 'pino';
import type { Redactor } from './redact.js';

type ChildFn = (bindings: unknown, options?: unknown) => Logger;
type SetBindingsFn = (bindings: unknown) => void;

/**
 * pino runs `formatters.bindings` for the root's `base` only: `child()` and `setBindings()` on a
 * child serialize their bindings without it. Wrapping both on the root (children inherit them
 * through the prototype chain) makes `logger.child({ token })` as safe as `logger.info({ token })`.
 */
export function redactChildBindings(logger: Logger, redact: Redactor): void {
  const child = logger.child as unknown as ChildFn;
  const setBindings = logger.setBindings as unknown as SetBindingsFn;
  Object.defineProperties(logger, {
    child: {
      value: function redactingChild(this: Logger, bindings: unknown, options?: unknown): Logger {
        return child.call(this, redact(bindings), options);
      },
      writable: true,
      configurable: true,
    },
    setBindings: {
      value: function redactingSetBindings(this: Logger, bindings: unknown): void {
        setBindings.call(this, redact(bindings));
      },
      writable: true,
      configurable: true,
    },
  });
}
