import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

const fs = useFirestoreEmulator();

describe('per-test reset', () => {
  // These two run in order: the second proves the beforeEach reset cleared the first's write.
  it('writes a document', async () => {
    await fs.db.doc('reset/doc').set({ v: 1 });
    expect((await fs.db.doc('reset/doc').get()).exists).toBe(true);
  });

  it('starts from an empty database', async () => {
    expect((await fs.db.doc('reset/doc').get()).exists).toBe(false);
    expect(await fs.db.listCollections()).toEqual([]);
  });
});

describe('projects are isolated', () => {
  it('documents of one project are invisible to another, and a reset clears only its own project', async () => {
    const otherProject = `${fs.projectId}-other`;
    const other = fs.newClient(otherProject);
    try {
      await fs.db.doc('shared/doc').set({ owner: 'mine' });
      await other.doc('shared/doc').set({ owner: 'theirs' });
      expect((await fs.db.doc('shared/doc').get()).get('owner')).toBe('mine');
      expect((await other.doc('shared/doc').get()).get('owner')).toBe('theirs');

      await fs.reset();
      expect((await fs.db.doc('shared/doc').get()).exists).toBe(false);
      expect((await other.doc('shared/doc').get()).get('owner')).toBe('theirs');
    } finally {
      await fs.reset(otherProject);
    }
  });

  it('databases of one project are isolated', async () => {
    const named = fs.newClient();
    named.settings({ databaseId: 'second' });
    await fs.db.doc('db/doc').set({ where: 'default' });
    await named.doc('db/doc').set({ where: 'second' });
    expect((await fs.db.doc('db/doc').get()).get('where')).toBe('default');
    expect((await named.doc('db/doc').get()).get('where')).toBe('second');
    const res = await fetch(
      `http://${fs.host}/emulator/v1/projects/${fs.projectId}/databases/second/documents`,
      {
        method: 'DELETE',
      },
    );
    expect(res.ok).toBe(true);
    expect((await named.doc('db/doc').get()).exists).toBe(false);
    expect((await fs.db.doc('db/doc').get()).exists).toBe(true);
  });
});
