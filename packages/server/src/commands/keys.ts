import { withOAuth } from './open-data.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './usage.js';
import { quoteArg } from './quote-arg.js';

export const KEYS_USAGE = `Usage: tsforge keys <rotate|list> [options]

Signing keys of JWT access tokens (ACCESS_TOKEN_FORMAT=jwt), published at /oauth/jwks.

  tsforge keys rotate [--json]
      Adds a new signing key (algorithm JWT_ALG). The previous key stops signing but stays
      published until the tokens it signed have expired. Running servers pick it up.

  tsforge keys list [--json]
      Lists keys: kid, algorithm, created, retired, published until; with --json one
      JSON array of {"kid","alg","created_at","retired_at","publish_until"}
      (read whole; \`storage ls --json\` streams NDJSON instead).

Options for all:
${DATA_DIR_HELP}
  -h, --help         show this help`;

export async function keysCommand(args: string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, { command: 'keys', subcommands: ['rotate', 'list'] });
  const [action, extra] = positionals;
  if (values.help) return out(KEYS_USAGE);
  if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, KEYS_USAGE);
  const dataDir = values['data-dir'] as string | undefined;
  const row = (k: { kid: string; alg: string; createdAt: Date; retiredAt: Date | null; publishUntil: Date | null }) => ({
    kid: k.kid, alg: k.alg, created_at: k.createdAt.toISOString(), retired_at: k.retiredAt?.toISOString() ?? null,
    publish_until: k.publishUntil?.toISOString() ?? null,
  });
  if (action === 'rotate') {
    const key = row(await withOAuth(dataDir, { create: true }, (oauth) => oauth.rotateSigningKey()));
    return out(values.json ? JSON.stringify(key) : `new signing key ${key.kid} (${key.alg})`);
  }
  if (action === 'list') {
    const keys = (await withOAuth(dataDir, { create: false }, (oauth) => oauth.listSigningKeys())).map(row);
    if (values.json) return out(JSON.stringify(keys));
    return out(keys.length ? keys.map((k) => `${k.kid}  ${k.alg}  created=${k.created_at}${k.retired_at ? `  retired=${k.retired_at}  published_until=${k.publish_until}` : '  signing'}`).join('\n') : 'no signing keys');
  }
  throw new UsageError(action === undefined ? 'missing subcommand: rotate or list' : `unknown subcommand ${quoteArg(action)}`, KEYS_USAGE);
}
