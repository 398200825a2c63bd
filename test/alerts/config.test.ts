import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { alertSecrets, destinationName } from '../../src/alerts/config.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { redactSecrets } from '../../src/redact.js';

const DISCORD = 'https://discord.com/api/webhooks/1234567/AbCdEfToKeN';
const configFile = (content: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'kd-alerts-cfg-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('alert configuration', () => {
  it('no rules by default; ALERT_WEBHOOK_URL and ALERT_MIN_PROFIT make one rule, its format told from the host', () => {
    expect(loadConfig({ env: {} }).alerts.rules).toEqual([]);
    const c = loadConfig({ env: { ALERT_WEBHOOK_URL: DISCORD, ALERT_MIN_PROFIT: '7.5' } });
    expect(c.alerts.rules).toHaveLength(1);
    expect(c.alerts.rules[0]).toMatchObject({ name: 'webhook', destination: { format: 'discord' }, conditions: { minProfit: 7.5 } });
    expect(c.alerts.pageUrl).toBe('http://127.0.0.1:8750');
    expect(loadConfig({ env: { ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' } }).alerts.rules[0]?.destination.format).toBe('webhook');
  });

  it('rules from the config file, with conditions and a destination', () => {
    const path = configFile({
      alerts: {
        freshMinutes: 20,
        rules: [{ name: 'textbooks', minProfit: 8, minRoi: 40, maxSalesRank: 300000, minSalesPerYear: 6, condition: ['Like New', 'Very Good'], season: 'Textbook', destination: { url: 'https://hooks.slack.com/services/T0/B0/xyz', format: 'slack' } }],
      },
    });
    const c = loadConfig({ env: {}, configPath: path });
    expect(c.alerts.freshMinutes).toBe(20);
    expect(c.alerts.rules[0]?.conditions).toEqual({ minProfit: 8, minRoi: 40, maxSalesRank: 300000, minSalesPerYear: 6, condition: ['Like New', 'Very Good'], season: ['Textbook'] });
  });

  it('a bad rule is refused with a sentence naming it, and never echoes the URL', () => {
    const bad = (rule: unknown) => () => loadConfig({ env: {}, configPath: configFile({ alerts: { rules: [rule] } }) });
    expect(bad({ name: 'a', destination: { url: 'ftp://x/secret-path', format: 'webhook' } })).toThrow(/alerts\.rules\[0\]\.destination\.url must use http or https/);
    expect(bad({ name: 'a', minProfit: '5', destination: { url: DISCORD } })).toThrow(/alerts\.rules\[0\]\.minProfit .* JSON number/);
    expect(bad({ name: 'status', destination: { url: DISCORD } })).toThrow(/cannot be "status"/);
    expect(bad({ name: 'a', destination: { url: DISCORD, format: 'telegram' } })).toThrow(/format is "telegram"; it accepts webhook, discord, slack, ntfy/);
    expect(bad({ name: 'a', minProfitt: 5, destination: { url: DISCORD } })).toThrow(/minProfitt is not a setting; did you mean "minProfit"\?/);
    const error = (() => {
      try {
        bad({ name: 'a', destination: { url: 'https://discord.com/api/webhooks/1/sEcReTtOkEn', format: 'x' } })();
      } catch (e: unknown) {
        return String(e);
      }
      return 'no error';
    })();
    expect(error).toMatch(/format is "x"/);
    expect(error).not.toContain('sEcReTtOkEn');
    expect(() => loadConfig({ env: { ALERT_MIN_PROFIT: '5' } })).toThrow(/ALERT_MIN_PROFIT is set without ALERT_WEBHOOK_URL/);
    expect(() => loadConfig({ env: { ALERT_WEBHOOK_URL: DISCORD, ALERT_MIN_PROFIT: 'ten' } })).toThrow(/ALERT_MIN_PROFIT is "ten"/);
  });

  it('what may be shown is the rule and host; the logger masks the whole URL and its path', () => {
    const c = loadConfig({ env: { ALERT_WEBHOOK_URL: DISCORD } });
    const rule = c.alerts.rules[0]!;
    expect(destinationName(rule)).toBe('webhook (discord.com)');
    const secrets = alertSecrets(c.alerts);
    const line = `POST ${DISCORD} failed; path /api/webhooks/1234567/AbCdEfToKeN`;
    expect(redactSecrets(line, secrets)).not.toContain('AbCdEfToKeN');
    // Discord and Slack webhook URLs are masked even when no rule names them.
    expect(redactSecrets('see https://discord.com/api/webhooks/99/zzzTOKEN and https://hooks.slack.com/services/T/B/sEcReT')).toBe('see https://discord.com/api/webhooks/*** and https://hooks.slack.com/services/***');
  });

  it("the daemon's logger, given the rules' secrets, masks a webhook URL in the message, the metadata and an error", async () => {
    const c = loadConfig({ env: { ALERT_WEBHOOK_URL: 'https://example.com/hooks/abc123secret?sig=zzz' } });
    let text = '';
    const stream = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        text += chunk.toString('utf8');
        done();
      },
    });
    const log = createLogger({ level: 'info', format: 'json', stream, secrets: alertSecrets(c.alerts) });
    log.error('post to https://example.com/hooks/abc123secret?sig=zzz failed', { url: c.alerts.rules[0]!.destination.url, error: new Error('bad path /hooks/abc123secret?sig=zzz') });
    await new Promise<void>((res) => setImmediate(res));
    expect(text).toContain('post to ***');
    expect(text).not.toContain('abc123secret');
    expect(text).not.toContain('sig=zzz');
  });
});
