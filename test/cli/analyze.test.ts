import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ANALYZE_COMMAND, analyzeCommand } from '../../src/cli/analyze.js';
import { parseCommandArgs } from '../../src/cli/args.js';
import { PROJECT_DIR } from '../../src/config.js';

const FIXTURES = join(PROJECT_DIR, 'test', 'fixtures', 'real-keepa');
const BIN = join(PROJECT_DIR, 'bin', 'analyze');
const files = (dir: string) => readdirSync(join(FIXTURES, dir)).map((f) => join(FIXTURES, dir, f));

function run(args: string[], env: Record<string, string> = {}) {
  const { KEEPA_API_KEY: _key, ...rest } = process.env;
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...rest, ...env } });
}

describe('bin/analyze', () => {
  it('prints --help and exits 0; an unknown flag or no FILE exits 2 with the usage', () => {
    const help = run(['--help']);
    expect([help.status, help.stdout]).toEqual([0, expect.stringMatching(/^usage: bin\/analyze FILE\|ASIN \[--json\] \[--now ISO\] \[--config PATH\]/)]);
    const unknown = run(['--bogus', 'x']);
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/^bin\/analyze has no option --bogus\.\nusage: bin\/analyze/)]);
    expect(run([]).status).toBe(2);
  });

  it('analyses every real book: JSON with the row, the sales, salesLast365 and the rejection', () => {
    for (const file of files('books')) {
      const r = run(['--json', file]);
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(out)).toEqual(expect.arrayContaining(['row', 'sales', 'salesLast365', 'rejected']));
      expect((out.row as Record<string, unknown>).ASIN).toBe(out.asin);
    }
    // 0470820942: Keepa counts 25 rank drops in the year, and so does the engine.
    const book = JSON.parse(run(['--json', join(FIXTURES, 'books', '0470820942.json')]).stdout) as { salesLast365: number; now: string; sales: { time: string; price: number | null; condition: string | null }[] };
    expect(book.salesLast365).toBe(25);
    expect(book.now).toBe('2025-05-16T15:08:00.000Z');
    expect(book.sales[0]).toEqual({ time: expect.stringMatching(/^20\d\d-/), price: expect.toBeOneOf([null, expect.any(Number)]), condition: expect.toBeOneOf([null, 'Used', 'New']) });
  });

  it('answers every other real file with exit 0 or one sentence and exit 2, never a stack trace', () => {
    const verdicts: string[] = [];
    for (const file of files('other')) {
      const r = run([file]);
      expect([0, 2], `${file}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (r.status === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
      verdicts.push(`${file.split('/').pop()}: ${r.status}`);
    }
    expect(verdicts).toEqual([
      '1788976770.partial.json: 2',
      'aa_1886940606_product.json: 0',
      'av_1492056200_productType4_product_2025-10-26.json: 2',
      'av_B08N5WRWNW_productType4_full_response_2025-08-25.json: 2',
      'kc_B0D8W1YVBX_response.json: 0',
      'kc_B0F7XPYCSJ_response.json: 0',
      'kd_error_bodies.jsonl: 2',
      'kd_raw_stats_8_asins_2025-04-25.json: 2',
    ]);
    // The partial product has no time of its own; with --now it is analysed (no stats: rejected).
    const partial = run(['--json', '--now', '2025-05-01T00:00:00Z', join(FIXTURES, 'other', '1788976770.partial.json')]);
    expect([partial.status, (JSON.parse(partial.stdout) as { rejected: string }).rejected]).toEqual([0, 'no_stats']);
    expect(run([join(FIXTURES, 'other', 'kd_error_bodies.jsonl')]).stderr).toMatch(/is not a JSON document/);
  });

  it('says an ASIN needs KEEPA_API_KEY, and a name that is neither file nor ASIN is a usage error', () => {
    expect(run(['0470820942']).stderr).toBe('0470820942 is not a file; to fetch that ASIN from Keepa set KEEPA_API_KEY.\n');
    expect(run(['no-such-file.json']).status).toBe(2);
  });
});

describe('bin/analyze ASIN with KEEPA_API_KEY', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = null;
  });

  async function keepa(product: object): Promise<{ url: string; paths: string[] }> {
    const paths: string[] = [];
    const fields = { timestamp: Date.now(), tokensLeft: 200, refillIn: 30_000, refillRate: 5, tokenFlowReduction: 0, processingTimeInMs: 1 };
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      const body = req.url?.startsWith('/token') ? { ...fields, tokensConsumed: 0 } : { ...fields, tokensConsumed: 12, products: [product] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
  }

  it('fetches the product the way enrich does, saying the cost before and what Keepa charged after', async () => {
    const book = JSON.parse(readFileSync(join(FIXTURES, 'books', '1854001558.json'), 'utf8')) as object;
    const { url, paths } = await keepa(book);
    const out: string[] = [];
    const said: string[] = [];
    const code = await analyzeCommand(
      parseCommandArgs(ANALYZE_COMMAND, ['--json', '--now', '2025-05-13T02:00:00Z', '1854001558']),
      (t) => out.push(t),
      (l) => said.push(l),
      { KEEPA_API_KEY: 'testKey0123456789abcdef', KEEPA_BASE_URL: url },
    );
    expect(code).toBe(0);
    expect(said).toEqual([expect.stringMatching(/^Fetching 1854001558 from Keepa .*: up to 12 tokens/), 'Keepa charged 12 tokens.']);
    expect(paths.find((p) => p.startsWith('/product'))).toMatch(/asin=1854001558.*stats=365.*history=1.*offers=20.*only-live-offers=1/);
    expect((JSON.parse(out[0] ?? '{}') as { salesLast365: number }).salesLast365).toBe(1);
  });

  it('an ASIN Keepa does not know (productType 4) is one sentence', async () => {
    const unknown = JSON.parse(readFileSync(join(FIXTURES, 'other', 'av_1492056200_productType4_product_2025-10-26.json'), 'utf8')) as object;
    const { url } = await keepa(unknown);
    await expect(
      analyzeCommand(
        parseCommandArgs(ANALYZE_COMMAND, ['1492056200']),
        () => {},
        () => {},
        { KEEPA_API_KEY: 'testKey0123456789abcdef', KEEPA_BASE_URL: url },
      ),
    ).rejects.toThrow('Keepa has no product for ASIN 1492056200 (productType 4: the ASIN is invalid or unknown to Keepa).');
  });
});
