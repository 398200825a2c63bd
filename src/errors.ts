// The daemon's error classes. Each message says what happened, to what, and what to do.

/** Bad configuration or input from the operator; the process exits 2 without starting anything. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Keepa answered with an HTTP status the daemon cannot use (4xx other than 429, or 5xx after retries). */
export class KeepaHttpError extends Error {
  override name = 'KeepaHttpError';
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Keepa answered 400 with `error.type` invalidParameter: a request parameter it names (in
 * `details`, when it does) is wrong, so a setting or the code must change; retrying cannot help.
 */
export class KeepaParameterError extends KeepaHttpError {
  override name = 'KeepaParameterError';
  constructor(
    message: string,
    /** Keepa's `error.details`, such as `dateRange`; null when Keepa names none. */
    readonly parameter: string | null,
    /** Keepa's `error.message`, such as "The queryJSON is of invalid format.". */
    readonly keepaMessage: string,
  ) {
    super(message, 400);
  }
}

/** Keepa refused the call for lack of tokens (HTTP 429); try again after `retryAfterMs`. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The answer could not be read as the expected shape (truncated JSON, HTML page, missing fields). */
export class BadResponseError extends Error {
  override name = 'BadResponseError';
}

/** The answer was larger than any Keepa answer can be (a gzip bomb, a wrong server); refused unread. */
export class ResponseTooLargeError extends BadResponseError {
  override name = 'ResponseTooLargeError';
}

/** The network failed or the request timed out. Transient. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** A caller asked the token bucket for more than it can ever hold; the work must be split. */
export class TokenBudgetError extends Error {
  override name = 'TokenBudgetError';
}

/** The database cannot be written (read-only file or folder, full disk). Transient from the daemon's view: it retries. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/**
 * The daemon cannot go on safely and stops (exit 2, no restart): its database file or its lock file
 * was deleted or replaced under it, so what it writes would be lost or could meet a second daemon.
 */
export class MustStopError extends Error {
  override name = 'MustStopError';
}

/** The lock file that keeps a second daemon out is gone or another file. */
export class LockLostError extends MustStopError {
  override name = 'LockLostError';
}

/** The database file the daemon opened is no longer at its path (deleted, moved or replaced). */
export class DatabaseGoneError extends MustStopError {
  override name = 'DatabaseGoneError';
}

/**
 * A database row holds a value this version does not know (a queue stage, a run outcome, an outbox
 * state): written by another version or by hand. Reading it as some other value would invent a
 * verdict, so the read stops and says so.
 */
export class UnknownRowValueError extends Error {
  override name = 'UnknownRowValueError';
}

/** Another daemon holds the database. */
export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
}

/**
 * A value the analysis computed does not fit the type headers.json gives its column (text where
 * numbers belong). The deal is not saved; its item is retried, then parked as `save_error`: check
 * the column's type in headers.json.
 */
export class ColumnTypeError extends Error {
  override name = 'ColumnTypeError';
}

/**
 * A fault in the code rather than in what it was given: JavaScript's own error classes. It is
 * never read as a verdict on the data: the chunk fails, and its items are retried, then parked.
 */
export function isProgrammingError(e: unknown): boolean {
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError || e instanceof EvalError || e instanceof URIError;
}

/** A short, single-line description of any thrown value, for logs and run history. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
