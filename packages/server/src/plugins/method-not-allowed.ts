import type { FastifyInstance } from 'fastify';

/** The methods a path answers, by route pattern; what a 405's `Allow` header lists. */
export interface AllowedMethods {
  /** Undefined when no route matches the path under any method: a 404, not a 405. */
  of(path: string): string[] | undefined;
}

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

/**
 * Fastify answers a known path asked with another method with its 404 (its router matches
 * method and path together, and it has no option for a 405). This records every route as it is
 * added, so the not-found handler can tell "no such path" (404) from "no such method here" (405
 * with `Allow`, RFC 9110 §15.5.6). Call it before any route is registered.
 * A route may list fewer methods than it is registered for in `config.allow` (the OAuth
 * endpoints take every method only to answer all but POST with their own 405).
 */
export function recordAllowedMethods(app: FastifyInstance): AllowedMethods {
  const routes = new Map<string, KnownRoute>();
  app.addHook('onRoute', (route) => {
    const declared = route.config?.allow ?? (Array.isArray(route.method) ? route.method : [route.method]);
    let known = routes.get(route.url);
    if (!known) routes.set(route.url, known = { pattern: patternOf(route.url), methods: new Set() });
    for (const method of declared) known.methods.add(method);
    // Fastify answers HEAD for every GET route unless told otherwise.
    if (known.methods.has('GET') && route.exposeHeadRoute !== false) known.methods.add('HEAD');
  });
  return {
    of(path) {
      const methods = new Set<string>();
      for (const route of routes.values()) if (route.pattern.test(path)) route.methods.forEach((m) => methods.add(m));
      return methods.size === 0 ? undefined : [...methods].sort();
    },
  };
}

/** A route URL as find-my-way reads it: `:name` is one segment, a trailing `*` anything. */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(\*$|:[A-Za-z0-9_]+)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The methods a 405 elsewhere on this path lists, when not all the route's methods are real. */
    allow?: string[];
  }
}
