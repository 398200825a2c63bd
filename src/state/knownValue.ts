// The enumerated values of a row (a queue stage, a run outcome, an outbox state) are read only as
// what they are: an unknown one is an error, never silently taken for a known one.
import { UnknownRowValueError } from '../errors.js';

/** `value` when it is one of `known`; otherwise throws UnknownRowValueError naming `what` and `where`. */
export function knownValue<T extends string>(known: readonly T[], value: unknown, what: string, where: string): T {
  const found = known.find((k) => k === value);
  if (found !== undefined) return found;
  throw new UnknownRowValueError(
    `${where} has ${what} ${JSON.stringify(value)}, which this version does not know (${known.join(', ')}). The database was written by another keepa-deals version or edited by hand: run the version that wrote it, or restore a backup this version made.`,
  );
}
