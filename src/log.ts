// winston, one line per event: JSON in production, readable on a terminal. Every record passes
// through the redaction format, so the API key reaches no transport.
import type { Writable } from 'node:stream';
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
}

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
  const render =
    options.format === 'json'
      ? winston.format.json()
      : winston.format.combine(winston.format.colorize({ level: options.stream === undefined }), pretty);
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(
      winston.format.errors({ stack: false }),
      redactFields(secrets),
      winston.format.timestamp(),
      render,
      redactLine(secrets),
    ),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console(),
    ],
  });
}

/** A logger that drops everything, for code paths whose caller passes none. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}

