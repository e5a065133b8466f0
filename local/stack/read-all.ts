import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';

/** The documents at `paths`, in order, read in batches of 500 (a few round trips, not one per document). */
export async function readAll(db: Firestore, paths: readonly string[]): Promise<DocumentSnapshot[]> {
  const snapshots: DocumentSnapshot[] = [];
  for (let i = 0; i < paths.length; i += 500) {
    const refs = paths.slice(i, i + 500).map((path) => db.doc(path));
    snapshots.push(...(await db.getAll(...refs)));
  }
  return snapshots;
}
