// The demo as a newcomer meets it: no KEEPA_API_KEY, `node bin/daemon.js`, and within two minutes
// saved deals in `bin/status` and on the status page whose address the daemon printed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, freePort, killStragglers, PROJECT_DIR, startDaemon } from './daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-demo-'));
afterAll(() => {
  killStragglers();
  rmSync(dir, { recursive: true, force: true });
});

function binStatus(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(PROJECT_DIR, 'bin/status')], { env: { ...process.env, ...env }, cwd: PROJECT_DIR }, (error, stdout, stderr) => {
      res({ code: typeof error?.code === 'number' ? error.code : 0, out: stdout + stderr });
    });
  });
}

describe('demo', () => {
  it('runs against the simulator, prints where the status page is, and shows saved deals within two minutes', { timeout: 150_000 }, async () => {
    assertBuilt();
    const env = { DEALS_DB: join(dir, 'demo.db'), HTTP_PORT: String(await freePort()) };
    const t0 = Date.now();
    const daemon = startDaemon(env);
    try {
      expect((await daemon.waitFor(/simulator/)).level).toBe('warn');
      const printed = await daemon.waitFor(/^status\b.* at http:\/\/127\.0\.0\.1:\d+/);
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(printed.message)?.[1] ?? '';
      await daemon.waitFor(/^enriched \d+, saved [1-9]/, 120_000);
      const seconds = Math.round((Date.now() - t0) / 1000);

      const { code, out } = await binStatus(env);
      const saved = Number(/deals\s+(\d+) saved/.exec(out)?.[1] ?? 0);
      expect(saved, out).toBeGreaterThan(0);
      expect(out).toMatch(/^keepa-deals: (OK|DEGRADED)/);
      expect([0, 1]).toContain(code);

      const html = await (await fetch(`${url}/`)).text();
      expect(html).toMatch(/<span class="badge">(OK|DEGRADED)<\/span>/);
      expect(html.includes('Newest visible deals'), 'the daemon must pass its store to startStatusServer for the page to show runs, chart and deals').toBe(true);
      console.info(`demo: first deals saved ${seconds} s after start; bin/status: ${out.split('\n')[2] ?? ''}`);
      expect((await daemon.stop('SIGTERM')).code).toBe(0);
    } finally {
      await daemon.stop('SIGKILL');
    }
  });
});
