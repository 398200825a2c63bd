// Every operator command and the daemon, as processes: strict arguments (--help and --version exit
// 0 and run nothing, a misspelt or incomplete flag exits 2 with the usage and runs nothing), and
// the command-specific refusals an operator meets, each with its exit code and its sentence.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/store.js';
import { projectColumns } from '../helpers.js';
import { assertBuilt, PROJECT_DIR } from '../ops/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-cli-'));
const VERSION = String((JSON.parse(readFileSync(resolve(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version);

beforeAll(assertBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command with DEALS_DB in a fresh folder, so that anything it creates shows. */
function run(command: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string; db: string } {
  const db = join(mkdtempSync(join(dir, 'run-')), 'deals.db');
  const bin = command === 'daemon' ? [resolve(PROJECT_DIR, 'bin/daemon.js')] : [resolve(PROJECT_DIR, 'bin', command)];
  const base = { ...process.env };
  delete base.KEEPA_API_KEY;
  const r = spawnSync(process.execPath, [...bin, ...args], { cwd: dir, env: { ...base, DEALS_DB: db, HTTP_PORT: '0', ...env }, encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, db };
}

const COMMANDS: Array<[string, RegExp]> = [
  ['daemon', /^usage: node bin\/daemon\.js \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['status', /^usage: bin\/status \[--json\] \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['rewind', /^usage: bin\/rewind --hours N \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['backup', /^usage: bin\/backup PATH \[--into DIR\] \[--keep N\] \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['alerts', /^usage: bin\/alerts \[test\|retry \[RULE\]\] \[--limit N\] \[--json\] \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['restore', /^usage: bin\/restore BACKUP \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['analyze', /^usage: bin\/analyze FILE\|ASIN \[--json\] \[--now ISO\] \[--config PATH\]( {3}\(--help for more\))?$/m],
  ['why', /^usage: bin\/why ASIN \[--config PATH\]( {3}\(--help for more\))?$/m],
];

describe.concurrent('strict arguments', () => {
  it.each(COMMANDS)('%s --help prints the usage and every option, exit 0, touching nothing', (command, usage) => {
    const r = run(command, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(usage);
    expect(r.stdout).toMatch(/^ {2}--version +print the version and exit$/m);
    expect(r.stderr).toBe('');
    expect(existsSync(r.db)).toBe(false);
  });

  it.each(COMMANDS)('%s --version prints the version from package.json, exit 0', (command) => {
    const r = run(command, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`keepa-deals ${VERSION}\n`);
    expect(existsSync(r.db)).toBe(false);
  });

  it.each(COMMANDS)('%s --bogus: exit 2, a sentence naming the flag, then the usage', (command, usage) => {
    const r = run(command, ['--bogus']);
    expect(r.code).toBe(2);
    const [sentence, usageLine, ...rest] = r.stderr.trimEnd().split('\n');
    expect(sentence).toMatch(/ has no option --bogus\.$/);
    expect(usageLine).toMatch(usage);
    expect(rest).toEqual([]);
    expect(r.stdout).toBe('');
    expect(existsSync(r.db)).toBe(false);
  });

  it.each(COMMANDS)('%s --config without a path: exit 2 saying it needs a value', (command) => {
    const r = run(command, ['--config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--config needs a value \(--config PATH\)\.\n/);
  });

  it('a misspelt --cofig does not start the daemon on its defaults: exit 2 suggesting --config', () => {
    const r = run('daemon', ['--cofig', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^node bin\/daemon\.js has no option --cofig; did you mean --config\?\n/);
    expect(existsSync(r.db)).toBe(false);
  });

  it('a stray argument is refused: the daemon and status take none, backup takes one path', () => {
    const daemon = run('daemon', ['start']);
    expect(daemon.code).toBe(2);
    expect(daemon.stderr).toMatch(/^node bin\/daemon\.js takes no argument "start" \(flags start with --\)\.\n/);
    const backup = run('backup', ['a.db', 'b.db']);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toMatch(/^bin\/backup takes one PATH, not 2\.\n/);
  });
});

describe.concurrent('refusals of the operator commands', () => {
  function database(): string {
    const path = join(mkdtempSync(join(dir, 'db-')), 'deals.db');
    openStore({ path, columns: projectColumns(), nowMs: Date.now() }).db.close();
    return path;
  }

  it('bin/backup into a folder that does not exist: exit 2 naming the folder, no stack trace', () => {
    const r = run('backup', ['/missing/dir/b.db'], { DEALS_DB: database() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('The folder /missing/dir for the backup does not exist; create it (mkdir -p /missing/dir) or name a file in an existing folder.\n');
  });

  it('bin/backup into a folder it may write: exit 0 and a checked copy', () => {
    const target = join(mkdtempSync(join(dir, 'bk-')), 'copy.db');
    const r = run('backup', [target], { DEALS_DB: database() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Backed up .* to .*copy\.db: 0 deals, \d+ bytes, integrity ok\./);
  });

  it('bin/backup --into DIR --keep 2 (the backup timer): dated files, the oldest deleted, other files left alone', () => {
    const db = database();
    const folder = mkdtempSync(join(dir, 'rot-'));
    writeFileSync(join(folder, 'keepa-deals-20200101T000000Z.db'), 'old');
    writeFileSync(join(folder, 'keepa-deals-20200102T000000Z.db'), 'old');
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    const r = run('backup', ['--into', folder, '--keep', '2'], { DEALS_DB: db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Backed up .* to .*keepa-deals-\d{8}T\d{6}Z\.db: 0 deals, \d+ bytes, integrity ok\./);
    expect(r.stdout).toMatch(/Deleted 1 older backup\(s\), keeping the newest 2: keepa-deals-20200101T000000Z\.db\./);
    expect(readdirSync(folder).sort()).toEqual([expect.stringMatching(/^keepa-deals-20200102T000000Z\.db$/), expect.stringMatching(/^keepa-deals-2\d{7}T\d{6}Z\.db$/), 'notes.txt']);
    const bad = run('backup', ['--keep', '2', 'x.db'], { DEALS_DB: db });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--keep needs --into DIR: it deletes older backups in that folder\.\n/);
  });

  it('bin/status on a file that is not a database: exit 3 with a sentence naming DEALS_DB', () => {
    const notDb = join(mkdtempSync(join(dir, 'nd-')), 'notes.db');
    writeFileSync(notDb, 'these are my notes, not a database\n'.repeat(200));
    const r = run('status', [], { DEALS_DB: notDb });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^Cannot read the status from ${notDb} \\(file is not a database\\); check that DEALS_DB names the daemon's database\\.\\n$`));
  });

  it('bin/status without a database: exit 3 saying to check DEALS_DB', () => {
    const r = run('status', []);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^No database at .*deals\.db\. Check DEALS_DB/);
  });
});
