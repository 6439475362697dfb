import { loadConfig } from '../config.js';
import { describeDatabase, migrateDatabase } from '../database.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './usage.js';
import { quoteArg } from './quote-arg.js';

export const MIGRATE_USAGE = `Usage: tsforge migrate [options]

Brings the OAuth database's schema up to date: PostgreSQL when DATABASE_URL is set, else
SQLite in the data dir. \`tsforge serve\` migrates on start as well; run this in a deploy step to
migrate once before new instances start. Safe to run again, and from several hosts at once (on
PostgreSQL an advisory lock makes the others wait).

Options:
  --json             print {"database","from","to"}
${DATA_DIR_HELP}
  -h, --help         show this help`;

export async function migrateCommand(args: string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, { command: 'migrate' });
  if (values.help) return out(MIGRATE_USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument ${quoteArg(positionals[0]!)}`, MIGRATE_USAGE);
  const config = loadConfig(process.env, { dataDir: values['data-dir'] as string | undefined });
  const database = describeDatabase(config);
  const { from, to } = await migrateDatabase(config);
  if (values.json) return out(JSON.stringify({ database, from, to }));
  out(from === to ? `${database}: schema is up to date (version ${to})` : `${database}: migrated schema from version ${from} to ${to}`);
}
