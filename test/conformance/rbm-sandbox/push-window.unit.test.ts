import { describe, expect, it } from 'vitest';
import { adaptiveWindow, PushWindow } from '../../../local/rbm-sandbox/webhook/push-window.ts';

describe('the push window', () => {
  it('allows one POST when serial, whatever the adaptive window is', () => {
    const w = new PushWindow();
    for (let i = 0; i < 10; i++) w.acknowledged();
    expect(w.limit('serial')).toBe(1);
    expect(w.limit('adaptive')).toBe(13);
  });

  it('opens at 3, grows by one per acknowledgement up to 3,000, halves per failure down to 1', () => {
    const w = new PushWindow();
    expect(w.size).toBe(adaptiveWindow.initial);
    expect(adaptiveWindow).toEqual({ initial: 3, max: 3_000 });
    for (let i = 0; i < 5_000; i++) w.acknowledged();
    expect(w.size).toBe(3_000);
    w.failed();
    expect(w.size).toBe(1_500);
    w.failed();
    w.failed();
    expect(w.size).toBe(375);
    for (let i = 0; i < 20; i++) w.failed();
    expect(w.size).toBe(1);
    w.acknowledged();
    expect(w.size).toBe(2);
  });
});
