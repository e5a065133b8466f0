import { FieldPath, FieldValue } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * Field names Firestore refuses with INVALID_ARGUMENT: reserved names
 * (matching __.*__) and names or paths longer than 1,500 bytes. The Node client
 * sends them; the server must refuse them, in fields, nested maps, update masks
 * and transforms. Vector values, maps with a `__type__` key, stay legal, and so
 * do long aggregation aliases, which are not field names.
 */

const fs = useFirestoreEmulator();
const INVALID_ARGUMENT = { code: 3 };

describe('field names', () => {
  it('refuses reserved names in fields, nested maps, masks and transforms', async () => {
    const ref = fs.db.doc('names/reserved');
    await ref.set({ ok: 1 });
    await expect(ref.set({ __x__: 1 })).rejects.toMatchObject(INVALID_ARGUMENT);
    await expect(ref.set({ a: { __name__: 1 } })).rejects.toMatchObject(INVALID_ARGUMENT);
    await expect(ref.set({ a: [{ __x__: 1 }] })).rejects.toMatchObject(INVALID_ARGUMENT);
    await expect(ref.update(new FieldPath('__x__'), 1)).rejects.toMatchObject(INVALID_ARGUMENT);
    await expect(ref.update(new FieldPath('a', '__x__'), FieldValue.increment(1))).rejects.toMatchObject(
      INVALID_ARGUMENT,
    );
    expect((await ref.get()).data()).toEqual({ ok: 1 });
  });

  it('accepts names that only look reserved, and vector values', async () => {
    const ref = fs.db.doc('names/legal');
    await ref.set({ __x: 1, x__: 2, _x_: 3, __: 4, v: FieldValue.vector([1, 2]) });
    const data = (await ref.get()).data()!;
    expect(data).toMatchObject({ __x: 1, x__: 2, _x_: 3, __: 4 });
    expect(data.v.toArray()).toEqual([1, 2]);
  });

  it('refuses a field name or path over 1,500 bytes, accepts 1,500', async () => {
    const ref = fs.db.doc('names/long');
    await ref.set({ ['a'.repeat(1500)]: 1, ['é'.repeat(750)]: 2 });
    await expect(ref.set({ ['a'.repeat(1501)]: 1 })).rejects.toMatchObject(INVALID_ARGUMENT);
    await expect(ref.set({ ['é'.repeat(751)]: 1 })).rejects.toMatchObject(INVALID_ARGUMENT);
    // a.b: 750 + 1 + 750 bytes.
    await expect(ref.set({ ['a'.repeat(750)]: { ['b'.repeat(750)]: 1 } })).rejects.toMatchObject(
      INVALID_ARGUMENT,
    );
    await ref.set({ ['a'.repeat(750)]: { ['b'.repeat(749)]: 1 } });
    await expect(ref.update(new FieldPath('a'.repeat(1000), 'b'.repeat(1000)), 1)).rejects.toMatchObject(
      INVALID_ARGUMENT,
    );
  });
});
