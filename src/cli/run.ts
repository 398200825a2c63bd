// The shared frame of the operator commands: strict arguments (--help, --version, exit 2 with the
// usage on a mistake), then the command, with a one-line error and a chosen exit code instead of
// a stack trace for the mistakes an operator can fix.
import { ConfigError, describeError } from '../errors.js';
import { VERSION } from '../version.js';
import { type CommandArgs, type CommandSpec, helpText, parseCommandArgs, UsageError, usageLine } from './args.js';

export { UsageError };

export interface ExitCodes {
  /** For a ConfigError (bad setting, missing database): 2 unless the command documents another. */
  config?: number;
  /** For anything else that stops the command. */
  failure?: number;
}

export const USAGE_EXIT_CODE = 2;

/** What `--help`/`--version` print, or null when the command should run. */
export function earlyAnswer(spec: CommandSpec, args: CommandArgs): string | null {
  if (args.help) return helpText(spec);
  if (args.version) return `keepa-deals ${VERSION}`;
  return null;
}

/** Parses the arguments and runs the command; sets process.exitCode from its result or its failure. */
export function runCommand(spec: CommandSpec, argv: readonly string[], main: (args: CommandArgs) => Promise<number> | number, codes: ExitCodes = {}): void {
  Promise.resolve()
    .then(() => {
      const args = parseCommandArgs(spec, argv);
      const answer = earlyAnswer(spec, args);
      if (answer === null) return main(args);
      process.stdout.write(`${answer}\n`);
      return 0;
    })
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        if (e instanceof UsageError) {
          process.stderr.write(`${e.message}\n${usageLine(spec)}   (--help for more)\n`);
          process.exitCode = USAGE_EXIT_CODE;
        } else if (e instanceof ConfigError) {
          process.stderr.write(`${e.message}\n`);
          process.exitCode = codes.config ?? 2;
        } else {
          process.stderr.write(`${describeError(e)}\n`);
          process.exitCode = codes.failure ?? 1;
        }
      },
    );
}
