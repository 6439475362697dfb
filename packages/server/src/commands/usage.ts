import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: printed with a hint, exit status 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Strict parsing: an unknown flag or a missing value is a UsageError naming it. */
export function parseCommandArgs(args: string[], options: Options, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

export const DATA_DIR_HELP = '  --data-dir DIR     where tsforge keeps its data (env TSFORGE_DATA_DIR, default ./data)';
