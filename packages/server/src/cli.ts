#!/usr/bin/env node
import { clientCommand, CLIENT_USAGE } from './commands/client.js';
import { serveCommand } from './commands/serve.js';
import { storageCommand, STORAGE_USAGE } from './commands/storage.js';
import { userCommand, USER_USAGE } from './commands/user.js';
import { tokenCommand, TOKEN_USAGE } from './commands/token.js';
import { keysCommand, KEYS_USAGE } from './commands/keys.js';
import { migrateCommand, MIGRATE_USAGE } from './commands/migrate.js';
import { environmentHelp } from './env-vars.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './commands/usage.js';
import { LogConfigError } from '@tsforge/logging';
import { OAuth2Error, OAuth2StoreError } from '@tsforge/oauth2-server';
import { ConfigError } from './config.js';
import { printWarningShort, routeWarnings } from './process-warnings.js';
import { quoteArg } from './commands/quote-arg.js';

const MAIN_USAGE = `Usage: tsforge <command> [options]

The tsforge production server: OAuth 2.0, file storage with signed URLs, logs and metrics.

Commands:
  serve                 run the server
  client create|list|delete
                        manage OAuth 2.0 clients
  storage put|get|ls|rm|sign
                        work with stored files (local disk or S3)
  user create|list|delete
                        manage the people who sign in on the login page
  token revoke TOKEN    revoke an access or refresh token
  keys rotate|list      manage JWT signing keys
  migrate               bring the database schema up to date
  help [COMMAND]        show help for a command

Run \`tsforge COMMAND --help\` for a command's options; \`tsforge help serve\` lists every
environment variable and the operator endpoints.`;

const SERVE_USAGE = `Usage: tsforge serve [options]

Runs the server until SIGTERM or SIGINT, then drains in-flight requests and exits.

Options:
  --host HOST        address to listen on (env HOST, default 127.0.0.1)
  --port PORT        port to listen on, 0 for any free one (env PORT, default 3000)
${DATA_DIR_HELP}
  -h, --help         show this help

Environment:
${environmentHelp()}

Endpoints for operators:
  GET /health                   liveness: 200 while the process answers
  GET /ready                    readiness: 200 when the database and file store answer,
                                503 when not or while draining; Redis reported, optional
  GET /metrics                  Prometheus text or OpenMetrics (credentials: METRICS_*)
  GET /admin/log-level          the current level: {"level":"info,storage=debug"} (ADMIN_TOKEN)
  PUT /admin/log-level          change it at once: body {"level":"debug"} (ADMIN_TOKEN)

Signals: SIGTERM/SIGINT drain and stop; SIGUSR2 steps the log level configured → debug → trace.`;

const USAGES: Record<string, string> = { serve: SERVE_USAGE, client: CLIENT_USAGE, storage: STORAGE_USAGE, user: USER_USAGE, token: TOKEN_USAGE, keys: KEYS_USAGE, migrate: MIGRATE_USAGE };

const out = (text: string): void => void process.stdout.write(text + "\n");

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      out(MAIN_USAGE);
      return;
    case 'help': {
      const topic = args[0];
      if (topic && !USAGES[topic]) throw new UsageError(`unknown command ${quoteArg(topic)}`, MAIN_USAGE);
      out(topic ? USAGES[topic]! : MAIN_USAGE);
      return;
    }
    case 'serve': {
      const { values, positionals } = parseCommandArgs(args, {
        host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' },
      }, { command: 'serve' });
      if (values.help) {
        out(SERVE_USAGE);
        return;
      }
      if (positionals.length) throw new UsageError(`unexpected argument ${quoteArg(positionals[0]!)}`, SERVE_USAGE);
      await serveCommand({
        host: values.host as string | undefined,
        port: values.port as string | undefined,
        dataDir: values['data-dir'] as string | undefined,
      }, warnings);
      return;
    }
    case 'client':
      await clientCommand(args, out);
      return;
    case 'storage':
      await storageCommand(args, out);
      return;
    case 'user':
      await userCommand(args, out);
      return;
    case 'token':
      await tokenCommand(args, out);
      return;
    case 'keys':
      await keysCommand(args, out);
      return;
    case 'migrate':
      await migrateCommand(args, out);
      return;
    default:
      throw new UsageError(`unknown command ${quoteArg(command)}`, MAIN_USAGE);
  }
}

// One short stderr line per process warning; `serve` logs them instead once its logger exists.
const warnings = routeWarnings(printWarningShort);
main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(err.usage === undefined ? `tsforge: ${err.message}\n` : `tsforge: ${err.message}\n\n${err.usage}\n`);
    process.exitCode = 2;
  } else if (err instanceof OAuth2Error && err.expose) {
    // registerClient refuses bad input (an unknown grant, a scope the server lacks) with a public reason.
    process.stderr.write(`tsforge: ${err.description}\n`);
    process.exitCode = 2;
  } else if (err instanceof ConfigError || err instanceof LogConfigError) {
    process.stderr.write(`tsforge: configuration error: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof OAuth2StoreError && err.code === 'schema_too_new') {
    // A rollback onto a database a newer release migrated: the message says what to do.
    process.stderr.write(`tsforge: ${err.message}\n`);
    process.exitCode = 1;
  } else if (err instanceof Error && 'exitCode' in err) {
    process.stderr.write(`tsforge: ${err.message}\n`);
    process.exitCode = Number(err.exitCode);
  } else {
    // Anything else is a bug or an environment failure: show it whole.
    process.stderr.write(`tsforge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
});
