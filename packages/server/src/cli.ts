#!/usr/bin/env node
import { clientCommand, CLIENT_USAGE } from './commands/client.js';
import { serveCommand } from './commands/serve.js';
import { storageCommand, STORAGE_USAGE } from './commands/storage.js';
import { userCommand, USER_USAGE } from './commands/user.js';
import { tokenCommand, TOKEN_USAGE } from './commands/token.js';
import { keysCommand, KEYS_USAGE } from './commands/keys.js';
import { OAUTH_ENV_HELP } from './oauth-config.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './commands/usage.js';
import { LogConfigError } from '@tsforge/logging';
import { OAuth2Error } from '@tsforge/oauth2-server';
import { ConfigError } from './config.js';
import { printWarningShort, routeWarnings } from './process-warnings.js';

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
  help [COMMAND]        show help for a command

Run \`tsforge COMMAND --help\` for a command's options.`;

const SERVE_USAGE = `Usage: tsforge serve [options]

Runs the server until SIGTERM or SIGINT, then drains in-flight requests and exits.

Options:
  --host HOST        address to listen on (env HOST, default 127.0.0.1)
  --port PORT        port to listen on, 0 for any free one (env PORT, default 3000)
${DATA_DIR_HELP}
  -h, --help         show this help

Environment:
  TSFORGE_ISSUER               public base URL (default http://HOST:PORT)
  TSFORGE_ACCESS_TOKEN_TTL     access token lifetime in seconds (default 3600)
  TSFORGE_BODY_LIMIT           largest JSON or form body in bytes (default 1048576)
  TSFORGE_MAX_UPLOAD_BYTES     largest file upload in bytes (default 1073741824)
  TSFORGE_SHUTDOWN_TIMEOUT_MS  how long to wait for in-flight requests (default 10000)
  TSFORGE_BODY_TIMEOUT_MS      how long a non-upload request may take to arrive (default 30000)
  TSFORGE_MIN_UPLOAD_RATE      uploads slower than this many bytes/s are cut off (default 1024)
  TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS  the window that rate is measured over (default 10000)
  TSFORGE_IDLE_TIMEOUT_MS      close connections idle this long (default 60000)
  STORAGE_DRIVER               local|s3: where files live (default local, in DATA_DIR/storage)
  S3_BUCKET                    the bucket (required with STORAGE_DRIVER=s3)
  S3_ENDPOINT                  a custom S3 endpoint, e.g. http://127.0.0.1:9000 (default AWS)
  S3_PUBLIC_ENDPOINT           the endpoint presigned URLs name, when clients reach the store by another name
  S3_FORCE_PATH_STYLE          true|false (default: true only for dotted buckets over https)
  AWS_REGION                   the store's region (default us-east-1; auto for R2)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
                               credentials; without them the AWS default chain applies
${OAUTH_ENV_HELP}
  METRICS_AUTH_TOKEN           bearer token /metrics requires (16+ chars; default: open)
  METRICS_BASIC_AUTH           user:password /metrics requires instead (password 12+ chars)
  LOG_LEVEL                    trace|debug|info|warn|error|fatal|silent (default info), with
                               per-module levels: info,storage=debug
  LOG_FORMAT                   json|pretty|compact (default: pretty on a terminal, else json)
  LOG_FILE / LOG_DIR           also write to this file / to DIR/app.log, rotated daily
  LOG_STDOUT                   with LOG_FILE or LOG_DIR, keep writing to stdout too (default false)
  LOG_ROTATE, LOG_MAX_SIZE, LOG_KEEP  daily|none, e.g. 50M, rotated files kept (default 7)
  ADMIN_TOKEN                  enables PUT /admin/log-level for this bearer token (32+ chars)
Signals: SIGTERM/SIGINT drain and stop; SIGUSR2 steps the log level configured → debug → trace.`;

const USAGES: Record<string, string> = { serve: SERVE_USAGE, client: CLIENT_USAGE, storage: STORAGE_USAGE, user: USER_USAGE, token: TOKEN_USAGE, keys: KEYS_USAGE };

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
      if (topic && !USAGES[topic]) throw new UsageError(`unknown command "${topic}"`, MAIN_USAGE);
      out(topic ? USAGES[topic]! : MAIN_USAGE);
      return;
    }
    case 'serve': {
      const { values, positionals } = parseCommandArgs(args, {
        host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' },
      }, SERVE_USAGE);
      if (values.help) {
        out(SERVE_USAGE);
        return;
      }
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, SERVE_USAGE);
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
    default:
      throw new UsageError(`unknown command "${command}"`, MAIN_USAGE);
  }
}

// One short stderr line per process warning; `serve` logs them instead once its logger exists.
const warnings = routeWarnings(printWarningShort);
main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`tsforge: ${err.message}\n\n${err.usage}\n`);
    process.exitCode = 2;
  } else if (err instanceof OAuth2Error && err.expose) {
    // registerClient refuses bad input (an unknown grant, a scope the server lacks) with a public reason.
    process.stderr.write(`tsforge: ${err.description}\n`);
    process.exitCode = 2;
  } else if (err instanceof ConfigError || err instanceof LogConfigError) {
    process.stderr.write(`tsforge: configuration error: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof Error && 'exitCode' in err) {
    process.stderr.write(`tsforge: ${err.message}\n`);
    process.exitCode = Number(err.exitCode);
  } else {
    // Anything else is a bug or an environment failure: show it whole.
    process.stderr.write(`tsforge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
});
