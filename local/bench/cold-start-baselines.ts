import * as ff from '@google-cloud/functions-framework';

/*
 * The two reference functions of local/bench/cold-start.ts, loaded by
 * functions-framework's own CLI (FUNCTION_SOURCE = this file) exactly as the
 * product's functions are: `bare` answers 200 and does nothing else;
 * `firestoreOnly` loads @google-cloud/firestore and reads one document per
 * request (its client made on the first, as the product makes its own), so
 * the product's cold start can be set against both. Local only.
 */

ff.http('bare', (_req, res) => {
  res.status(200).json({ ok: true });
});

let db: Promise<import('@google-cloud/firestore').Firestore> | undefined;
ff.http('firestoreOnly', async (_req, res) => {
  db ??= import('@google-cloud/firestore').then(
    ({ Firestore }) => new Firestore({ projectId: process.env.GOOGLE_CLOUD_PROJECT, preferRest: false }),
  );
  const snapshot = await (await db).collection('coldStart').doc('probe').get();
  res.status(200).json({ exists: snapshot.exists });
});
