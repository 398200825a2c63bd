// The settings page says where each setting came from and never shows a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { describeSettings, renderSettingsPage } from '../../src/web/settingsPage.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('settings page', () => {
  it('names the environment, the config file or the default as each source, secrets hidden', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ httpPort: 9000, business: { taxExempt: true, prepFee: 1.5 } }));
    const env = { HTTP_AUTH_TOKEN: 'very-secret-token-123', LOG_LEVEL: 'debug' };
    const lines = describeSettings(loadConfig({ env, configPath: path }), env, path);
    const by = new Map(lines.map((l) => [l.name, l]));
    expect(by.get('HTTP_AUTH_TOKEN')).toEqual({ name: 'HTTP_AUTH_TOKEN', value: 'set (not shown)', source: 'environment HTTP_AUTH_TOKEN' });
    expect(by.get('KEEPA_API_KEY')).toEqual({ name: 'KEEPA_API_KEY', value: 'not set', source: 'default' });
    expect(by.get('LOG_LEVEL')).toMatchObject({ value: 'debug', source: 'environment LOG_LEVEL' });
    expect(by.get('HTTP_PORT')).toMatchObject({ value: '9000', source: `config file ${path}` });
    expect(by.get('business.prepFee')).toMatchObject({ value: '1.5', source: `config file ${path}` });
    expect(by.get('business.taxPercent')).toMatchObject({ value: '5', source: 'default' });
    const html = renderSettingsPage(lines, 'n0nce');
    expect(html).not.toContain('very-secret-token-123');
    expect(html).toContain('<td><code>business.taxExempt</code></td><td>true</td>');
  });
});
