import { describe, expect, it } from 'vitest';
import type { RpcError } from '../../../local/common/grpc-errors.ts';
import { LockManager, type LockOwner } from '../../../local/firestore-emulator/locks.ts';

class Owner implements LockOwner {
  readonly id: string;
  readonly seq: number;
  readonly pseudo: boolean;
  lastActiveMs = Date.now();
  abortError: RpcError | undefined;
  constructor(seq: number, pseudo = false) {
    this.id = `o${seq}`;
    this.seq = seq;
    this.pseudo = pseudo;
  }
  abort(error: RpcError): void {
    this.abortError ??= error;
  }
}

const manager = (lockTimeoutMs = 5_000, idleTimeoutMs = 60_000) =>
  new LockManager({ lockTimeoutMs, idleTimeoutMs });
const settled = async (p: Promise<unknown>) => {
  const state = await Promise.race([
    p.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((r) => setTimeout(() => r('pending'), 10)),
  ]);
  return state;
};

describe('document locks', () => {
  it('grants a free lock at once and makes a second owner wait until release, in FIFO order', async () => {
    const locks = manager();
    const [a, b, c] = [new Owner(1), new Owner(2), new Owner(3)];
    await locks.acquire(a, 'doc');
    const bWaits = locks.acquire(b, 'doc');
    const cWaits = locks.acquire(c, 'doc');
    expect(await settled(bWaits)).toBe('pending');
    locks.releaseAll(a);
    expect(await settled(bWaits)).toBe('resolved');
    expect(await settled(cWaits)).toBe('pending');
    expect(locks.holds(b, 'doc')).toBe(true);
    locks.releaseAll(b);
    expect(await settled(cWaits)).toBe('resolved');
  });

  it('re-acquiring a held lock does not wait', async () => {
    const locks = manager();
    const a = new Owner(1);
    await locks.acquire(a, 'doc');
    await expect(locks.acquire(a, 'doc')).resolves.toBeUndefined();
  });

  it('breaks a deadlock by aborting the youngest transaction, which frees its locks', async () => {
    const locks = manager();
    const [old, young] = [new Owner(1), new Owner(2)];
    await locks.acquire(old, 'x');
    await locks.acquire(young, 'y');
    const oldWaits = locks.acquire(old, 'y');
    const youngWaits = locks.acquire(young, 'x');
    await expect(youngWaits).rejects.toMatchObject({ code: 10 });
    await expect(oldWaits).resolves.toBeUndefined();
    expect(young.abortError?.code).toBe(10);
    expect(old.abortError).toBeUndefined();
  });

  it('prefers aborting a transaction over a non-transactional commit', async () => {
    const locks = manager();
    const [auto, tx] = [new Owner(5, true), new Owner(1)];
    await locks.acquire(tx, 'y');
    await locks.acquire(auto, 'x');
    const txWaits = locks.acquire(tx, 'x');
    const autoWaits = locks.acquire(auto, 'y');
    await expect(txWaits).rejects.toMatchObject({ code: 10 });
    await expect(autoWaits).resolves.toBeUndefined();
  });

  it('times out a wait with ABORTED', async () => {
    const locks = manager(30);
    const [a, b] = [new Owner(1), new Owner(2)];
    await locks.acquire(a, 'doc');
    await expect(locks.acquire(b, 'doc')).rejects.toMatchObject({
      code: 10,
      message: expect.stringMatching(/lock timeout/),
    });
    expect(locks.holds(a, 'doc')).toBe(true);
  });

  it('expires a holder that has been idle too long when someone waits for it', async () => {
    const locks = manager(5_000, 1_000);
    const [idle, b] = [new Owner(1), new Owner(2)];
    await locks.acquire(idle, 'doc');
    idle.lastActiveMs = Date.now() - 2_000;
    await expect(locks.acquire(b, 'doc')).resolves.toBeUndefined();
    expect(idle.abortError?.code).toBe(10);
  });

  it('an aborted owner cannot take new locks', async () => {
    const locks = manager();
    const a = new Owner(1);
    await locks.acquire(a, 'x');
    locks.abortAll({ code: 10, message: 'reset' } as RpcError);
    await expect(locks.acquire(a, 'y')).rejects.toMatchObject({ code: 10 });
  });
});
