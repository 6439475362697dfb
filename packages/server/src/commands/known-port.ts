import { ConfigError } from '../config.js';

/**
 * A URL the CLI prints for clients names the server's public address, `TSFORGE_ISSUER` or else
 * `http://HOST:PORT`. With `PORT=0` the server picks its port when it starts, so the CLI cannot
 * know it: a URL naming port 0 reaches nothing, and printing one would look like success.
 */
export function requireKnownPort(issuer: string): void {
  if (new URL(issuer).port !== '0') return;
  throw new ConfigError(
    `a signed URL names the server's public address, and ${issuer} has port 0, which a server replaces with a free port only when it starts: set TSFORGE_ISSUER to the server's public URL (e.g. http://127.0.0.1:3000)`,
  );
}
