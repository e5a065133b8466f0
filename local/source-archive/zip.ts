import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Zippable, zipSync } from 'fflate';

/**
 * A deterministic zip of repository files: fixed order, fixed timestamps and
 * modes, so the same code always gives the same bytes, the same SHA-256 and so
 * the same Cloud Storage object name (a redeploy happens only when code changes).
 */

// The earliest time a zip entry can carry (MS-DOS epoch), the usual choice for reproducible archives.
const fixedTime = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--: in the external attributes' high 16 bits, with "made by" Unix (os 3).
const fileMode = 0o100644;

export interface SourceArchive {
  bytes: Uint8Array;
  sha256: string;
  /** SHA-256 of each archived file, by repository-relative path. */
  files: Record<string, string>;
}

export function zipFiles(repoRoot: string, paths: readonly string[]): SourceArchive {
  const entries: Zippable = {};
  const files: Record<string, string> = {};
  for (const path of [...paths].sort()) {
    const content = readFileSync(join(repoRoot, path));
    files[path] = sha256(content);
    entries[path] = [content, { mtime: fixedTime, os: 3, attrs: fileMode << 16, level: 9 }];
  }
  const bytes = zipSync(entries);
  return { bytes, sha256: sha256(bytes), files };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
