// The systemd unit and the environment file an operator installs: systemd accepts the unit, its
// stop timeout outlasts the daemon's own grace, and the example sets only settings the daemon reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { STOP_GRACE_MS } from '../../src/daemon.js';

const ROOT = resolve(import.meta.dirname, '../..');
const UNIT = resolve(ROOT, 'deploy/keepa-deals.service');
const UNITS = ['keepa-deals.service', 'keepa-deals-backup.service', 'keepa-deals-backup.timer'];
const ENV_EXAMPLE = resolve(ROOT, 'deploy/env.example');

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const analyze = which('systemd-analyze');
if (analyze === null) console.warn('skipping `systemd-analyze verify` of deploy/keepa-deals.service: systemd-analyze is not installed (apt-get install systemd)');

/** `Key=value` settings of the unit, the last one winning as in systemd. */
function settings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1] ?? '', m[2] ?? '');
  }
  return out;
}

describe.each(UNITS)('deploy/%s', (name) => {
  it.skipIf(analyze === null)('passes systemd-analyze verify without a warning', () => {
    // Checked as installed, together (the timer needs its service), except that node may live
    // elsewhere on this machine than on the VPS.
    const dir = mkdtempSync(join(tmpdir(), 'kd-unit-'));
    try {
      for (const unit of UNITS) {
        const text = readFileSync(resolve(ROOT, 'deploy', unit), 'utf8');
        writeFileSync(join(dir, unit), existsSync('/usr/bin/node') ? text : text.replaceAll('/usr/bin/node', process.execPath));
      }
      const result = spawnSync(analyze ?? 'systemd-analyze', ['verify', '--man=no', join(dir, name)], { encoding: 'utf8', cwd: dir });
      const complaints = `${result.stdout}${result.stderr}`.split('\n').filter((l) => l.includes('keepa-deals'));
      expect(complaints).toEqual([]);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/keepa-deals.service', () => {
  const unit = readFileSync(UNIT, 'utf8');
  const s = settings(unit);

  it('stops with SIGTERM and waits longer than the daemon waits for its chunk', () => {
    expect(s.get('KillSignal')).toBe('SIGTERM');
    expect(Number(/^(\d+)s$/.exec(s.get('TimeoutStopSec') ?? '')?.[1]) * 1000).toBeGreaterThan(STOP_GRACE_MS + 5_000);
  });

  it('restarts on failure but not on exit code 2, and runs bin/daemon.js as its own user with the env file', () => {
    expect(s.get('Restart')).toBe('on-failure');
    expect(s.get('RestartPreventExitStatus')).toBe('2');
    expect(s.get('User')).toBe('keepa-deals');
    expect(s.get('EnvironmentFile')).toBe('/etc/keepa-deals/env');
    expect(s.get('ExecStart')).toBe('/usr/bin/node --max-semi-space-size=1 --heap-growing-percent=50 /opt/keepa-deals/bin/daemon.js');
    expect(s.get('ProtectSystem')).toBe('strict');
  });

  it('keeps its data in the StateDirectory, which is the default folder of DEALS_DB there, and has a memory limit', () => {
    expect(s.get('StateDirectory')).toBe('keepa-deals');
    expect(s.get('ReadWritePaths')).toBeUndefined();
    expect(loadConfig({ env: { STATE_DIRECTORY: '/var/lib/keepa-deals' } }).dealsDb).toBe('/var/lib/keepa-deals/demo.db');
    expect(loadConfig({ env: { STATE_DIRECTORY: '/var/lib/keepa-deals', KEEPA_API_KEY: 'a'.repeat(64) } }).dealsDb).toBe('/var/lib/keepa-deals/deals.db');
    expect(s.get('MemoryMax')).toMatch(/^\d+M$/);
    expect(Number.parseInt(s.get('MemoryMax') ?? '0', 10)).toBeGreaterThanOrEqual(256);
  });
});

describe('deploy/keepa-deals-backup.service and .timer', () => {
  const service = settings(readFileSync(resolve(ROOT, 'deploy/keepa-deals-backup.service'), 'utf8'));
  const timer = settings(readFileSync(resolve(ROOT, 'deploy/keepa-deals-backup.timer'), 'utf8'));

  it('runs bin/backup daily as the service user into the state folder, keeping a count of backups', () => {
    expect(service.get('Type')).toBe('oneshot');
    expect(service.get('User')).toBe('keepa-deals');
    expect(service.get('EnvironmentFile')).toBe('/etc/keepa-deals/env');
    expect(service.get('ExecStart')).toMatch(/^\/usr\/bin\/node \/opt\/keepa-deals\/bin\/backup --into \/var\/lib\/keepa-deals\/backups --keep \d+$/);
    expect(timer.get('OnCalendar')).toBeDefined();
    expect(timer.get('Persistent')).toBe('true');
  });
});

describe('deploy/env.example', () => {
  const text = readFileSync(ENV_EXAMPLE, 'utf8');
  const names = [...text.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] ?? '');
  const source = readFileSync(resolve(ROOT, 'src/config.ts'), 'utf8');
  const read = new Set([...source.matchAll(/pick\('([A-Z_]+)'/g)].map((m) => m[1]));

  it('names every setting the daemon reads from the environment, and no other', () => {
    expect(new Set(names)).toEqual(read);
  });

  it('as shipped is a valid configuration (the demo, with the defaults)', () => {
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)) env[m[1] ?? ''] = m[2] ?? '';
    const config = loadConfig({ env });
    expect(config.keepaApiKey).toBeNull();
    expect(config.dealsDb).toMatch(/data\/demo\.db$/);
    expect(config.httpHost).toBe('127.0.0.1');
  });
});
