// The checks every setting goes through: each failure is a ConfigError whose message names the
// setting and what it accepts.
import { isIP } from 'node:net';
import cron from 'node-cron';
import { ConfigError } from './errors.js';
import { nearest } from './suggest.js';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optionalString(v: unknown, name: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new ConfigError(`${name} must be a string.`);
  return v.trim();
}

export function stringSetting(v: unknown, name: string, accepts: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${name} must be ${accepts}; it is ${JSON.stringify(v)}.`);
  return v.trim();
}

export function urlSetting(v: unknown, name: string): string {
  const s = stringSetting(v, name, 'an http(s) URL');
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new ConfigError(`${name} is "${s}"; it must be an http(s) URL such as https://api.keepa.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must use http or https; it is "${s}".`);
  return s.replace(/\/+$/, '');
}

/** An IP address or a host name; a dotted quad that is not an IPv4 address (999.1.1.1) is refused here, not by getaddrinfo at listen. */
export function hostSetting(v: unknown, name: string): string {
  const s = stringSetting(v, name, 'an address to bind to, such as 127.0.0.1');
  const looksNumeric = /^[\d.]+$/.test(s);
  const hostName = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(s);
  if (isIP(s) === 0 && (looksNumeric || !hostName)) {
    throw new ConfigError(`${name} is "${s}", which is not an IP address or host name; set it to an address of this machine such as 127.0.0.1 (or ::1, or 0.0.0.0 for all).`);
  }
  return s;
}

export function cronSetting(v: unknown, name: string): string {
  const s = stringSetting(v, name, 'a cron expression');
  const check = cron.validateDetailed(s);
  if (!check.valid) {
    const why = check.errors.map((e) => e.message).join('; ');
    throw new ConfigError(`${name} is "${s}", which is not a valid cron expression (${why}); write 5 fields (minute hour day month weekday) or 6 with seconds first, as in "*/5 * * * *".`);
  }
  return s;
}

export function numberFrom(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

export function intSetting(v: unknown, name: string, min: number, max: number, accepts: string): number {
  const n = numberFrom(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} is ${JSON.stringify(v)}; it accepts ${accepts}.`);
  return n;
}

/** Object settings come from the config file only, where values must already be JSON numbers. */
export function numberField(obj: Record<string, unknown>, section: string, key: string, min: number, max: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(`${section}.${key} is ${JSON.stringify(v)}; it must be a JSON number from ${min} to ${max} (a quoted "4" is not a number).`);
  }
  return v;
}

export function mergeSection(defaults: object, given: unknown, section: string): Record<string, unknown> {
  if (given === undefined) return { ...defaults };
  if (!isRecord(given)) throw new ConfigError(`${section} in the config file must be a JSON object.`);
  const known = Object.keys(defaults);
  // Object.hasOwn, not `in`: "constructor" or "toString" must not pass as settings and be sent on to Keepa.
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(defaults, key)) throw notASetting(`${section}.${key}`, key, known);
  }
  return { ...defaults, ...given };
}

/** The error for a config file key nobody reads, suggesting the nearest known one. */
export function notASetting(label: string, key: string, known: readonly string[]): ConfigError {
  const guess = nearest(key, known);
  const list = known.join(', ');
  return new ConfigError(guess === null ? `${label} is not a setting; known: ${list}.` : `${label} is not a setting; did you mean "${guess}"? Known: ${list}.`);
}

export function booleanField(obj: Record<string, unknown>, section: string, key: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw new ConfigError(`${section}.${key} is ${JSON.stringify(v)}; it must be true or false.`);
  return v;
}
