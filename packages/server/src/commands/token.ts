import { withOAuth } from './open-data.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './usage.js';
import { quoteArg } from './quote-arg.js';

export const TOKEN_USAGE = `Usage: tsforge token revoke TOKEN [options]

Revokes an access or refresh token (RFC 7009). A refresh token takes every token of its
grant with it. An unknown or expired token is reported, not an error.

  --json             print {"revoked": "access_token" | "refresh_token" | null}
${DATA_DIR_HELP}
  -h, --help         show this help`;

export async function tokenCommand(args: string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, { command: 'token', subcommands: ['revoke'] });
  const [action, token, extra] = positionals;
  if (values.help) return out(TOKEN_USAGE);
  if (action !== 'revoke') throw new UsageError(action === undefined ? 'missing subcommand: revoke' : `unknown subcommand ${quoteArg(action)}`, TOKEN_USAGE);
  if (!token) throw new UsageError('missing TOKEN', TOKEN_USAGE);
  if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, TOKEN_USAGE);
  const outcome = await withOAuth(values['data-dir'] as string | undefined, { create: false }, (oauth) => oauth.revoke(token));
  if (values.json) return out(JSON.stringify({ revoked: outcome === 'not_found' ? null : outcome }));
  out(outcome === 'not_found' ? 'no such live token (unknown, expired or already revoked)' : `revoked ${outcome.replace('_', ' ')}`);
}
