// Strict command-line arguments for the daemon and every operator command, through node:util
// parseArgs: --help and --version everywhere, and an unknown flag, a missing value or a stray
// argument is a UsageError (exit 2 with the usage), never silently ignored: a misspelt --config
// must not start the daemon on its defaults.
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { nearest } from '../suggest.js';

export class UsageError extends ConfigError {
  override name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's name in the usage, as in `--hours N`. */
  value?: string;
  help: string;
  /** Shown without brackets in the usage; the command itself says when it is missing. */
  required?: boolean;
}

export interface CommandSpec {
  /** As the operator types it: `bin/status`, `node bin/daemon.js`. */
  name: string;
  /** One or two sentences: what the command does. */
  summary: string;
  options: Record<string, OptionSpec>;
  /** The positional arguments the command takes (none when absent). */
  positional?: { name: string; help: string; count: number };
}

export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
  version: boolean;
}

/** Every command reads the same configuration as the daemon, so every command takes --config. */
export const CONFIG_OPTION: OptionSpec = { type: 'string', value: 'PATH', help: 'a JSON configuration file (the environment wins over it)' };

const BUILT_IN: Record<string, OptionSpec> = {
  help: { type: 'boolean', help: 'print this help and exit' },
  version: { type: 'boolean', help: 'print the version and exit' },
};

const flag = (name: string, o: OptionSpec): string => (o.value ? `--${name} ${o.value}` : `--${name}`);

export function usageLine(spec: CommandSpec): string {
  const parts = Object.entries(spec.options).map(([name, o]) => (o.required ? flag(name, o) : `[${flag(name, o)}]`));
  if (spec.positional) parts.unshift(spec.positional.name);
  return `usage: ${spec.name} ${parts.join(' ')}`.trimEnd();
}

export function helpText(spec: CommandSpec): string {
  const rows: Array<[string, string]> = [];
  if (spec.positional) rows.push([spec.positional.name, spec.positional.help]);
  for (const [name, o] of Object.entries({ ...spec.options, ...BUILT_IN })) rows.push([flag(name, o), o.help]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [usageLine(spec), '', spec.summary, '', ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)].join('\n');
}

/** Parses `argv` against the spec; a UsageError says what is wrong in one sentence. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): CommandArgs {
  const options = Object.fromEntries(Object.entries({ ...spec.options, ...BUILT_IN }).map(([name, o]) => [name, { type: o.type }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e: unknown) {
    throw new UsageError(describeParseError(e, spec), { cause: e });
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  const version = values.version === true;
  const wanted = spec.positional?.count ?? 0;
  if (!help && !version && positionals.length > wanted) {
    throw new UsageError(
      wanted === 0
        ? `${spec.name} takes no argument "${positionals[0]}" (flags start with --).`
        : wanted === 1
          ? `${spec.name} takes one ${spec.positional?.name}, not ${positionals.length}.`
          : `${spec.name} takes at most ${wanted} arguments (${spec.positional?.name}), not ${positionals.length}.`,
    );
  }
  // No option is declared `multiple`, so no value is a list.
  return { values: values as CommandArgs['values'], positionals, help, version };
}

function describeParseError(e: unknown, spec: CommandSpec): string {
  const code = (e as NodeJS.ErrnoException).code;
  const message = e instanceof Error ? e.message : String(e);
  const name = /'(--?[^' =]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = nearest(name.replace(/^-+/, ''), Object.keys({ ...spec.options, ...BUILT_IN }));
    return guess === null ? `${spec.name} has no option ${name}.` : `${spec.name} has no option ${name}; did you mean --${guess}?`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const o = spec.options[name.replace(/^-+/, '')];
    return o?.type === 'string' ? `${name} needs a value (${name} ${o.value ?? 'VALUE'}).` : `${name} takes no value.`;
  }
  return `${message.split('\n')[0] ?? message}.`;
}

/** The --config path, when given. */
export function configPathOf(args: CommandArgs): string | null {
  const path = args.values.config;
  if (path === '') throw new UsageError('--config needs the path of a JSON file, as in --config /etc/keepa-deals/config.json.');
  return typeof path === 'string' ? path : null;
}
