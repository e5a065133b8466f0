import { AggregateField } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * Query explain through the real client, with the checks of Google's Node.js
 * client system tests ("can plan a query", "can profile a query", "can
 * profile an aggregate query"), plus statistics that are true of this emulator.
 */

const fs = useFirestoreEmulator();

async function threeDocs() {
  const col = fs.db.collection('explain');
  await Promise.all([
    col.doc('doc1').set({ foo: 1, bar: 0 }),
    col.doc('doc2').set({ foo: 2, bar: 1 }),
    col.doc('doc3').set({ foo: 1, bar: 2 }),
  ]);
  return col;
}

describe('explain', () => {
  it('plans without running: an index for the query, no snapshot, no statistics', async () => {
    const col = await threeDocs();
    const results = await col.where('foo', '==', 1).orderBy('bar', 'desc').explain({ analyze: false });
    expect(results.snapshot).toBeNull();
    expect(results.metrics.executionStats).toBeNull();
    expect(results.metrics.planSummary.indexesUsed).toEqual([
      { query_scope: 'Collection', properties: '(bar DESC, __name__ DESC)' },
    ]);
  });

  it('profiles a query: its results, and how many were returned, read and scanned', async () => {
    const col = await threeDocs();
    const results = await col.where('foo', '==', 1).explain({ analyze: true });
    expect(results.snapshot!.docs.map((d) => d.id)).toEqual(['doc1', 'doc3']);
    const stats = results.metrics.executionStats!;
    expect(stats.resultsReturned).toBe(2);
    expect(stats.readOperations).toBe(2);
    expect(stats.executionDuration.seconds > 0 || stats.executionDuration.nanoseconds > 0).toBe(true);
    expect(stats.debugStats).toMatchObject({ documents_scanned: '3', index_entries_scanned: '0' });
  });

  it('a query that matches nothing still costs one read, as Firestore bills it', async () => {
    const col = await threeDocs();
    const results = await col.where('foo', '==', 12345).explain({ analyze: true });
    expect(results.snapshot!.empty).toBe(true);
    expect(results.metrics.executionStats).toMatchObject({ resultsReturned: 0, readOperations: 1 });
  });

  it('profiles an aggregation: one result, and its value', async () => {
    const col = await threeDocs();
    const results = await col
      .where('foo', '==', 1)
      .aggregate({ n: AggregateField.count() })
      .explain({ analyze: true });
    expect(results.snapshot!.data()).toEqual({ n: 2 });
    expect(results.metrics.executionStats).toMatchObject({ resultsReturned: 1, readOperations: 1 });
    const planned = await col.count().explain({ analyze: false });
    expect(planned.snapshot).toBeNull();
    expect(planned.metrics.planSummary.indexesUsed.length).toBe(1);
  });

  it('streams one response per document, the last carrying the metrics, as the client suite counts', async () => {
    const col = await threeDocs();
    type Response = { document?: unknown; metrics?: { executionStats: unknown } };
    const responses: Response[] = [];
    for await (const chunk of col.where('foo', '==', 1).explainStream({ analyze: true }))
      responses.push(chunk as Response);
    expect(responses.map((r) => [r.document !== undefined, r.metrics !== undefined])).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(responses[1]!.metrics!.executionStats).toMatchObject({ resultsReturned: 2 });
    const none: unknown[] = [];
    for await (const chunk of col.where('foo', '==', 12345).explainStream({ analyze: true }))
      none.push(chunk);
    expect(none).toMatchObject([
      { document: undefined, metrics: { executionStats: { resultsReturned: 0 } } },
    ]);
  });
});
