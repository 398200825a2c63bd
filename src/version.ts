// The release version, from package.json: what --version prints, the daemon records at start
// (shown by bin/status, /status and the page) and CHANGELOG.md describes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_DIR } from './config.js';

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(resolve(PROJECT_DIR, 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const VERSION: string = readVersion();
