// Checks made before the daemon takes its lock or opens the database, so that a folder it cannot
// write is one sentence naming DEALS_DB, the folder and the user (exit 2), not an EACCES from the
// lock file that systemd restarts forever. The missing folders are created one level at a time:
// node's recursive mkdir loops for ever on a path such as /proc/nope, where mkdir says ENOENT
// although the parent exists.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors.js';

function serviceUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

function cannotWrite(dbPath: string, folder: string, why: string): ConfigError {
  return new ConfigError(
    `DEALS_DB is ${dbPath}, but user ${serviceUser()} cannot write its folder ${folder} (${why}); make the folder writable by that user (chown ${serviceUser()} ${folder}), and under systemd list it in ReadWritePaths= (systemctl edit keepa-deals), or set DEALS_DB to a file in a writable folder.`,
  );
}

/** Makes sure the database's folder exists and this user may create files in it (the database, its -wal, its lock). */
export function checkDatabaseFolder(dbPath: string): void {
  if (dbPath === ':memory:') return;
  const folder = dirname(resolve(dbPath));
  const missing: string[] = [];
  let existing = folder;
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) throw new ConfigError(`DEALS_DB is ${dbPath}, but ${existing} is a file, not a folder; set DEALS_DB to a file in a folder.`);
      break;
    } catch (e: unknown) {
      if (e instanceof ConfigError) throw e;
      if (code(e) !== 'ENOENT') throw cannotWrite(dbPath, existing, code(e));
      missing.unshift(existing);
      existing = dirname(existing);
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (e: unknown) {
      if (code(e) === 'EEXIST') continue;
      throw new ConfigError(`DEALS_DB is ${dbPath}, but its folder ${folder} cannot be created (${code(e)} at ${level}); create it for user ${serviceUser()}, or set DEALS_DB to a file in an existing writable folder.`, { cause: e });
    }
  }
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (e: unknown) {
    throw cannotWrite(dbPath, folder, code(e));
  }
}
