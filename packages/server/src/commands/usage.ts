import { parseArgs, type ParseArgsConfig } from 'node:util';
import { quoteArg, showOption } from './quote-arg.js';

/**
 * A mistake in how the command was called: exit status 2, printed with the command's usage, or,
 * without one, with the message alone (which then says where the help is).
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Which command is being parsed: `storage` and its subcommands `put`, `get`, ... */
export interface CommandName {
  command: string;
  subcommands?: readonly string[];
}

/**
 * Strict parsing: an unknown option, a missing value or a value given to a flag is a UsageError
 * naming the option and the command, e.g. "unknown option --bogus for `storage ls` (see
 * `tsforge help storage`)". Node's own strict messages quote unevenly and advise `--`, which is
 * about positionals, not about a mistyped option; so parse leniently and judge each token here.
 */
export function parseCommandArgs(args: string[], options: Options, name: CommandName): ParsedArgs {
  const all: Options = { ...options, help: { type: 'boolean', short: 'h' } };
  const { values, positionals, tokens } = parseArgs({ args, options: all, allowPositionals: true, strict: false, tokens: true });
  const where = () => {
    const sub = positionals[0];
    const label = sub !== undefined && name.subcommands?.includes(sub) ? `${name.command} ${sub}` : name.command;
    return `for \`${label}\` (see \`tsforge help ${name.command}\`)`;
  };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(all, token.name) ? all[token.name] : undefined;
    const shown = showOption(token.rawName);
    if (!option) throw new UsageError(`unknown option ${shown} ${where()}`);
    if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`option ${shown} takes no value ${where()}`);
    if (option.type === 'string' && token.value === undefined) throw new UsageError(`option ${shown} needs a value ${where()}`);
    // `--data-dir --json`: the next option was taken as the value; most likely the value is missing.
    if (option.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      throw new UsageError(`option ${shown} needs a value ${where()}; if ${quoteArg(token.value)} is the value, write ${shown}=${quoteArg(token.value)}`);
    }
  }
  return { values: values as ParsedArgs['values'], positionals };
}

export const DATA_DIR_HELP = '  --data-dir DIR     where tsforge keeps its data (env TSFORGE_DATA_DIR, default ./data)';
