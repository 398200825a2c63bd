import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const configFile = (content: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'kd-cfg-')), 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('configuration', () => {
  it('defaults: the old business settings, and the deal query with the documented sortType and dateRange', () => {
    const c = loadConfig({ env: { KEEPA_API_KEY: 'a'.repeat(64) } });
    expect(c.keepaBaseUrl).toBe('https://api.keepa.com');
    expect(c.dealsDb).toMatch(/data\/deals\.db$/);
    expect(c.ingestCron).toBe('*/5 * * * *');
    expect(c.business).toMatchObject({ prepFee: 2.75, estimatedShipping: 3.99, taxPercent: 5, taxExempt: false, markupPercent: 10, minPrice: 3.1, maxSalesRank: 33_001_000 });
    expect(c.dealQuery).toMatchObject({ domainId: 1, sortType: 4, dateRange: 3, priceTypes: [2], includeCategories: [283155] });
    expect(typeof c.dealQuery.domainId).toBe('number');
  });

  it('without a key: the simulator demo, on a database of its own, every 20 s', () => {
    const c = loadConfig({ env: {} });
    expect(c.keepaApiKey).toBeNull();
    expect(c.dealsDb).toMatch(/data\/demo\.db$/);
    expect(c.ingestCron).toBe('*/20 * * * * *');
    expect(c.pipeline.discoverEveryMinutes).toBe(2);
    expect(loadConfig({ env: { KEEPA_API_KEY: 'a'.repeat(64) } }).pipeline.discoverEveryMinutes).toBe(20);
  });

  it('the environment wins over the config file', () => {
    const path = configFile({ dealsDb: '/tmp/from-file.db', ingestCron: '*/10 * * * *', logLevel: 'debug' });
    const c = loadConfig({ env: { DEALS_DB: '/tmp/from-env.db' }, configPath: path });
    expect(c.dealsDb).toBe('/tmp/from-env.db');
    expect(c.ingestCron).toBe('*/10 * * * *');
    expect(c.logLevel).toBe('debug');
  });

  it('pretty logs on a terminal, JSON otherwise, unless LOG_FORMAT says', () => {
    expect(loadConfig({ env: {}, isTty: true }).logFormat).toBe('pretty');
    expect(loadConfig({ env: {}, isTty: false }).logFormat).toBe('json');
    expect(loadConfig({ env: { LOG_FORMAT: 'pretty' }, isTty: false }).logFormat).toBe('pretty');
  });

  it.each([
    [{ INGEST_CRON: 'every five minutes' }, /INGEST_CRON is "every five minutes", which is not a valid cron expression/],
    [{ JANITOR_CRON: '61 * * * *' }, /JANITOR_CRON .*minute/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL is "loud"; it accepts error, warn, info/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT is "xml"; it accepts json or pretty/],
    [{ HTTP_PORT: '70000' }, /HTTP_PORT is "70000"/],
    [{ KEEPA_BASE_URL: 'ftp://x' }, /KEEPA_BASE_URL must use http or https/],
    [{ KEEPA_API_KEY: 'has spaces in it and quotes"' }, /KEEPA_API_KEY must be the access key/],
  ])('refuses %o with a sentence naming the setting', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('a quoted number in the deal query is refused (Keepa silently ignores "4")', () => {
    const path = configFile({ dealQuery: { sortType: '4' } });
    expect(() => loadConfig({ env: {}, configPath: path })).toThrow(/dealQuery.sortType is "4"; it must be a JSON number/);
  });

  it('an undocumented sortType or dateRange is refused', () => {
    expect(() => loadConfig({ env: {}, configPath: configFile({ dealQuery: { dateRange: 4 } }) })).toThrow(/dateRange is 4; Keepa accepts 0/);
    expect(() => loadConfig({ env: {}, configPath: configFile({ dealQuery: { sortType: 7 } }) })).toThrow(/sortType is 7/);
  });

  it('an unknown or mistyped business setting is refused', () => {
    expect(() => loadConfig({ env: {}, configPath: configFile({ business: { prepfee: 3 } }) })).toThrow(/business.prepfee is not a setting/);
    expect(() => loadConfig({ env: {}, configPath: configFile({ business: { taxPercent: 'five' } }) })).toThrow(/business.taxPercent/);
  });

  it('a missing or malformed config file is refused', () => {
    expect(() => loadConfig({ env: {}, configPath: '/nonexistent/config.json' })).toThrow(/cannot be read \(ENOENT\)/);
    expect(() => loadConfig({ env: {}, configPath: configFile('{ not json') })).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ env: {}, configPath: configFile([1, 2]) })).toThrow(/must hold a JSON object/);
  });
});

describe('the config file is checked at every level', () => {
  it('a misspelt top-level key is refused, naming it and the nearest setting', () => {
    const path = configFile({ buisness: { taxExempt: true } });
    expect(() => loadConfig({ env: {}, configPath: path })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, configPath: path })).toThrow(/^"buisness" in the config file is not a setting; did you mean "business"\? Known: keepaApiKey, .*pipeline, alerts\.$/);
  });

  it('a top-level key is checked even when the environment sets that setting', () => {
    expect(loadConfig({ env: { DEALS_DB: '/tmp/env.db' }, configPath: configFile({ dealsDb: '/tmp/file.db' }) }).dealsDb).toBe('/tmp/env.db');
    expect(() => loadConfig({ env: { DEALS_DB: '/tmp/env.db' }, configPath: configFile({ dealsdb: '/tmp/file.db' }) })).toThrow(/"dealsdb" in the config file is not a setting; did you mean "dealsDb"\?/);
  });

  it('a misspelt key inside a section suggests the nearest one; a name far from all lists them', () => {
    expect(() => loadConfig({ env: {}, configPath: configFile({ pipeline: { maxAttempt: 3 } }) })).toThrow(/^pipeline\.maxAttempt is not a setting; did you mean "maxAttempts"\? Known: maxPagesPerRun, /);
    expect(() => loadConfig({ env: {}, configPath: configFile({ peek: { zzzzzzzzzz: 1 } }) })).toThrow(/^peek\.zzzzzzzzzz is not a setting; known: minSalesPerYear, /);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('the prototype key %s is refused at the top and in every section, and never reaches the deal query', (key) => {
    const text = (inner: string): string => `{ ${inner} }`;
    expect(() => loadConfig({ env: {}, configPath: configFile(text(`"${key}": {"x": 1}`)) })).toThrow(`"${key}" in the config file is not a setting`);
    for (const section of ['dealQuery', 'business', 'peek', 'pipeline']) {
      expect(() => loadConfig({ env: {}, configPath: configFile(text(`"${section}": { "${key}": {"x": 1} }`)) })).toThrow(`${section}.${key} is not a setting`);
    }
    const fine = loadConfig({ env: {}, configPath: configFile({ dealQuery: { minRating: 20 } }) });
    expect(Object.keys(fine.dealQuery)).not.toContain(key);
    expect(JSON.stringify(fine.dealQuery)).not.toContain(key);
  });

  it.each(['999.1.1.1', '1.2.3', 'not a host', 'exa_mple.com'])('HTTP_HOST=%s is refused with a sentence before anything listens', (host) => {
    expect(() => loadConfig({ env: { HTTP_HOST: host } })).toThrow(`HTTP_HOST is "${host}", which is not an IP address or host name; set it to an address of this machine such as 127.0.0.1`);
  });

  it.each(['127.0.0.1', '0.0.0.0', '::1', 'localhost', 'vps.example.com'])('HTTP_HOST=%s is accepted', (host) => {
    expect(loadConfig({ env: { HTTP_HOST: host } }).httpHost).toBe(host);
  });
});
