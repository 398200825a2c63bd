// The shared frame of the operator commands: a one-line error and a chosen exit code instead of
// a stack trace for mistakes an operator can fix.
import { ConfigError, describeError } from '../errors.js';

export class UsageError extends ConfigError {
  override name = 'UsageError';
}

/** Runs a command; ConfigError and UsageError exit with `badInputCode`, anything else with 1. */
export function runCommand(main: () => Promise<number> | number, badInputCode = 2): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        if (e instanceof ConfigError) {
          process.stderr.write(`${e.message}\n`);
          process.exitCode = badInputCode;
        } else {
          process.stderr.write(`${describeError(e)}\n`);
          process.exitCode = 1;
        }
      },
    );
}
