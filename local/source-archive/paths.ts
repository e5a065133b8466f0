import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** Where `npm run package` writes the archive, relative to the repository; terraform/source.tf reads it there. */
export const defaultArchivePath = 'dist/rbm-lifecycle-source.zip';

export function manifestPathFor(archivePath: string): string {
  return archivePath.replace(/\.zip$/, '.json');
}
