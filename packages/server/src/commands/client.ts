import { loadConfig } from '../config.js';
import { withOAuth, type OAuthHandle } from './open-data.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './usage.js';
import { quoteArg } from './quote-arg.js';

export const CLIENT_USAGE = `Usage: tsforge client <create|list|delete> [options]

Manage OAuth 2.0 clients in the data dir (the same one \`tsforge serve\` uses).

  tsforge client create --name NAME --grant GRANT --scope "SCOPE ..." [options]
      Registers a client and prints its id and secret. The secret is shown this once
      and stored only as a keyed hash.
      --name NAME        a label for people, shown on the consent page (required)
      --grant GRANT      a grant type the client may use (required; repeatable):
                         client_credentials, authorization_code (implies refresh_token),
                         refresh_token, password (when TSFORGE_PASSWORD_GRANT=true)
      --scope "A B"      the scopes it may ask for, space-separated (required):
                         files:read files:write
      --redirect-uri URI where the authorization code goes (repeatable; required with
                         authorization_code); exact match, except any port on loopback
      --public           a browser or native app with no secret (PKCE is then required)
      --json             print exactly {"client_id": "...", "client_secret": "..."}
                         (client_secret is null for a public client)

  tsforge client list [--json]
      Lists clients (never their secrets); with --json one JSON array of
      {"client_id","name","grant_types","scopes","redirect_uris","public","created_at"}
      (read whole; \`storage ls --json\` streams NDJSON instead).

  tsforge client delete CLIENT_ID
      Deletes a client and every token issued to it.

Options for all:
${DATA_DIR_HELP}
  -h, --help         show this help`;

const OPTIONS = {
  name: { type: 'string' },
  grant: { type: 'string', multiple: true },
  'redirect-uri': { type: 'string', multiple: true },
  public: { type: 'boolean' },
  scope: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
} as const;

export async function clientCommand(args: string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, { command: 'client', subcommands: Object.keys(ACTIONS) });
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    out(CLIENT_USAGE);
    if (action === undefined && !values.help) throw new UsageError('missing subcommand: create, list or delete', CLIENT_USAGE);
    return;
  }
  const config = loadConfig(process.env, { dataDir: values['data-dir'] as string | undefined });
  const run = ACTIONS[action];
  if (!run) throw new UsageError(`unknown subcommand ${quoteArg(action)}`, CLIENT_USAGE);
  await withOAuth(config, { create: action === 'create' }, (oauth) => run({ values, rest, oauth, out }));
}

type Action = (a: { values: Record<string, unknown>; rest: string[]; oauth: OAuthHandle; out: (text: string) => void }) => Promise<void>;

const ACTIONS: Record<string, Action> = {
  async create({ values, rest, oauth, out }) {
    if (rest.length) throw new UsageError(`unexpected argument ${quoteArg(rest[0]!)}`, CLIENT_USAGE);
    const name = values.name as string | undefined;
    const grants = values.grant as string[] | undefined;
    const scope = values.scope as string | undefined;
    if (!name) throw new UsageError('--name is required', CLIENT_USAGE);
    if (!grants?.length) throw new UsageError('--grant is required', CLIENT_USAGE);
    if (scope === undefined) throw new UsageError('--scope is required', CLIENT_USAGE);
    // A code flow without refresh tokens would send the user back through the pages every hour.
    const grantTypes = grants.includes('authorization_code') && !grants.includes('refresh_token') ? [...grants, 'refresh_token'] : grants;
    const { client, clientSecret } = await oauth.registerClient({
      name,
      grantTypes,
      scopes: scope.split(' ').filter(Boolean),
      redirectUris: (values['redirect-uri'] as string[] | undefined) ?? [],
      public: values.public === true,
    });
    if (values.json) {
      out(JSON.stringify({ client_id: client.id, client_secret: clientSecret }));
      return;
    }
    if (clientSecret === null) {
      out(`client_id:     ${client.id}\n\nA public client: it has no secret and must use PKCE.`);
      return;
    }
    out(`client_id:     ${client.id}\nclient_secret: ${clientSecret}\n\nStore the secret now: it is not kept and cannot be shown again.`);
  },

  async list({ values, rest, oauth, out }) {
    if (rest.length) throw new UsageError(`unexpected argument ${quoteArg(rest[0]!)}`, CLIENT_USAGE);
    const clients = await oauth.listClients();
    const rows = clients.map((c) => ({
      client_id: c.id, name: c.name, grant_types: c.grantTypes, scopes: c.scopes, redirect_uris: c.redirectUris,
      public: c.secretHash === null, created_at: c.createdAt.toISOString(),
    }));
    if (values.json) {
      out(JSON.stringify(rows));
      return;
    }
    if (!rows.length) {
      out('no clients');
      return;
    }
    out(rows.map((r) => `${r.client_id}  ${r.name}  grants=${r.grant_types.join(',')}  scope="${r.scopes.join(' ')}"${r.public ? '  public' : ''}${r.redirect_uris.length ? `  redirect_uris=${r.redirect_uris.join(',')}` : ''}  created=${r.created_at}`).join('\n'));
  },

  async delete({ rest, oauth, out }) {
    const [id, extra] = rest;
    if (!id) throw new UsageError('missing CLIENT_ID', CLIENT_USAGE);
    if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, CLIENT_USAGE);
    if (!(await oauth.deleteClient(id))) throw new NotFound(`no client with id ${quoteArg(id)}`);
    out(`deleted ${id}`);
  },
};

export class NotFound extends Error {
  readonly exitCode = 1;
}
