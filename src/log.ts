// winston, one line per event: JSON in production, readable on a terminal. Every record passes
// through the redaction format, so the API key reaches no transport.
//
// Lines reach stdout through a sink that never holds the daemon: when the reader goes away (journald
// restarted, a `| tee` that died) the failure is noticed once and later lines are dropped, and a
// reader that stops reading costs at most a bounded backlog. Before, the EPIPE was logged as an
// uncaught exception, whose line failed again: a loop that spun a core and grew 5 MB a second.
// Under systemd (JOURNAL_STREAM names our stdout) each line starts with its syslog priority, so
// `journalctl -p warning` shows warnings and errors only.
import { fstatSync } from 'node:fs';
import { Writable } from 'node:stream';
import winston from 'winston';
import { redactSecrets, redactValue } from './redact.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Literal secrets to mask wherever they appear (the API key). */
  secrets?: readonly string[];
  /** Where lines go; stdout when absent (systemd sends it to the journal). */
  stream?: Writable;
  /** Prefix each line with its syslog priority (`<3>`...); by default when stdout is the journal. */
  journal?: boolean;
}

/** Lines waiting for a slow reader beyond this are dropped (and counted) instead of held in memory. */
export const MAX_BACKLOG_BYTES = 1024 * 1024;

/** Syslog priorities of winston's levels: err, warning, info, debug. */
const PRIORITY: Record<string, number> = { error: 3, warn: 4, info: 6, http: 6, verbose: 7, debug: 7, silly: 7 };

/**
 * Whether stdout is the journal's stream: systemd sets JOURNAL_STREAM to its `device:inode`, which
 * a pipe to another program (`| tee`) does not match.
 */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env, fd = 1): boolean {
  const want = env.JOURNAL_STREAM;
  if (!want) return false;
  try {
    const st = fstatSync(fd);
    return want === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}

/**
 * A writable that forwards lines to `target` and never waits for it or fails: a broken target is
 * reported once through `notice` and written to no more; a backlog over MAX_BACKLOG_BYTES drops lines.
 */
export class LineSink extends Writable {
  private broken = false;
  private dropped = 0;

  constructor(
    private readonly target: NodeJS.WritableStream & { writableLength?: number },
    private readonly notice: (text: string) => void,
  ) {
    super({ decodeStrings: false });
    target.on('error', (e: NodeJS.ErrnoException) => {
      if (this.broken) return;
      this.broken = true;
      this.notice(`keepa-deals: log output failed (${e.code ?? e.message}); later log lines are dropped, the daemon goes on\n`);
    });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    if (this.broken) {
      done();
      return;
    }
    if ((this.target.writableLength ?? 0) > MAX_BACKLOG_BYTES) {
      if (this.dropped++ === 0) this.notice('keepa-deals: the log reader is not keeping up; dropping lines until it does\n');
      done();
      return;
    }
    if (this.dropped > 0) {
      this.target.write(`{"level":"warn","message":"dropped ${this.dropped} log lines while the reader was not keeping up"}\n`);
      this.dropped = 0;
    }
    this.target.write(chunk);
    done();
  }
}

/** stderr for the one notice, itself guarded: under systemd it is the same broken journal stream. */
function noticeOnStderr(text: string): void {
  if (process.stderr.listenerCount('error') === 0) process.stderr.on('error', () => undefined);
  process.stderr.write(text);
}

/** Puts the syslog priority before the rendered line. */
const journalPriority = winston.format((info) => {
  const record: Record<symbol, unknown> = info;
  const level = String(record[Symbol.for('level')] ?? info.level);
  record[MESSAGE] = `<${PRIORITY[level] ?? 6}>${String(record[MESSAGE])}`;
  return info;
});

const MESSAGE = Symbol.for('message');

function redactFields(secrets: readonly string[]): winston.Logform.Format {
  return winston.format((info) => {
    for (const key of Object.keys(info)) {
      info[key] = redactValue(info[key], secrets);
    }
    return info;
  })();
}

/** A final pass over the rendered line catches anything formatted after redaction (stacks, splat). */
function redactLine(secrets: readonly string[]): winston.Logform.Format {
  return winston.format((info) => {
    const record: Record<symbol, unknown> = info;
    const rendered = record[MESSAGE];
    if (typeof rendered === 'string') record[MESSAGE] = redactSecrets(rendered, secrets);
    return info;
  })();
}

const pretty = winston.format.printf((info) => {
  const { level, message, timestamp, component, ...rest } = info;
  const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const where = typeof component === 'string' ? ` [${component}]` : '';
  return `${String(timestamp)} ${level}${where} ${String(message)}${meta}`;
});

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const render = options.format === 'json' ? winston.format.json() : winston.format.combine(winston.format.colorize({ level: options.stream === undefined }), pretty);
  const journal = options.journal ?? (options.stream === undefined && stdoutIsJournal());
  const stream = options.stream ?? new LineSink(process.stdout, noticeOnStderr);
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.errors({ stack: false }), redactFields(secrets), winston.format.timestamp(), render, redactLine(secrets), ...(journal ? [journalPriority()] : [])),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A logger that drops everything, for code paths whose caller passes none. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
