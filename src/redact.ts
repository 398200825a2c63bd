// The Keepa access key travels in the URL query (`key=...`), so any URL, error message or log
// line may carry it; so may webhook URLs (alerts). Everything that leaves the process as text
// passes through here.

const KEY_PARAM = /([?&]key=)[^&\s"'#]*/gi;
/**
 * Discord's and Slack's webhook URLs carry their token in the path. Configured alert URLs are
 * masked as literal secrets; this catches one that is not configured (a typo, an old rule).
 */
const WEBHOOK_PATH = /(https?:\/\/(?:[a-z0-9-]+\.)*(?:discord(?:app)?\.com\/api\/webhooks|hooks\.slack\.com\/(?:services|workflows|triggers))\/)[^\s"'<>]+/gi;

export const REDACTED = '***';

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(KEY_PARAM, `$1${REDACTED}`).replace(WEBHOOK_PATH, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Deep copy of a log record's values with every string redacted. */
export function redactValue(value: unknown, secrets: readonly string[], seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (value instanceof Error) {
    return { name: value.name, message: redactSecrets(value.message, secrets), stack: value.stack ? redactSecrets(value.stack, secrets) : undefined };
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, seen);
  return out;
}
