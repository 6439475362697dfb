import { withOAuth } from './open-data.js';
import { NotFound } from './client.js';
import { readNewPassword } from './password-input.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './usage.js';
import { quoteArg } from './quote-arg.js';

export const USER_USAGE = `Usage: tsforge user <create|list|delete> [options]

Manage the people who sign in on the login page.

  tsforge user create --username NAME [--json]
      Creates a user. The password is read from stdin when it is not a terminal
      (e.g. \`printf '%s' "$PASSWORD" | tsforge user create --username ada\`), else
      asked twice without echo. 8 to 1024 characters; stored as a scrypt hash.

  tsforge user list [--json]
      Lists users (never their password hashes); with --json one JSON array of
      {"user_id","username","created_at"} (read whole; \`storage ls --json\` streams NDJSON
      instead).

  tsforge user delete USER_ID
      Deletes a user with every token, code and remembered consent of theirs.

Options for all:
${DATA_DIR_HELP}
  -h, --help         show this help`;

const OPTIONS = {
  username: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
} as const;

export async function userCommand(args: string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, { command: 'user', subcommands: ['create', 'list', 'delete'] });
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    out(USER_USAGE);
    if (action === undefined && !values.help) throw new UsageError('missing subcommand: create, list or delete', USER_USAGE);
    return;
  }
  const dataDir = values['data-dir'] as string | undefined;
  const json = values.json === true;
  switch (action) {
    case 'create': {
      if (rest.length) throw new UsageError(`unexpected argument ${quoteArg(rest[0]!)}`, USER_USAGE);
      const username = values.username as string | undefined;
      if (!username) throw new UsageError('--username is required', USER_USAGE);
      const password = await readNewPassword(USER_USAGE);
      const user = await withOAuth(dataDir, { create: true }, (oauth) => oauth.createUser({ username, password }));
      out(json ? JSON.stringify({ user_id: user.id, username: user.username }) : `user_id:  ${user.id}\nusername: ${user.username}`);
      return;
    }
    case 'list': {
      if (rest.length) throw new UsageError(`unexpected argument ${quoteArg(rest[0]!)}`, USER_USAGE);
      const users = await withOAuth(dataDir, { create: false }, (oauth) => oauth.listUsers());
      const rows = users.map((u) => ({ user_id: u.id, username: u.username, created_at: u.createdAt.toISOString() }));
      if (json) out(JSON.stringify(rows));
      else out(rows.length ? rows.map((r) => `${r.user_id}  ${r.username}  created=${r.created_at}`).join('\n') : 'no users');
      return;
    }
    case 'delete': {
      const [id, extra] = rest;
      if (!id) throw new UsageError('missing USER_ID', USER_USAGE);
      if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, USER_USAGE);
      const deleted = await withOAuth(dataDir, { create: false }, (oauth) => oauth.deleteUser(id));
      if (!deleted) throw new NotFound(`no user with id ${quoteArg(id)}`);
      out(`deleted ${id}`);
      return;
    }
    default:
      throw new UsageError(`unknown subcommand ${quoteArg(action)}`, USER_USAGE);
  }
}
