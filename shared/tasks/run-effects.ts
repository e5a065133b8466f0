import type { Effect, Message } from '../lifecycle/types.ts';
import type { TaskScheduler } from './scheduler.ts';

export interface EffectFailure {
  effect: Effect['kind'];
  error: unknown;
}

/**
 * Carries out what a lifecycle rule asked for, after its state was stored.
 * The stored state is the durable intent (fallback.state 'pending', a
 * deadline passed with no outcome), so a failure here is reported, not
 * thrown: the sweep re-drives whatever a lost task left undone.
 */
export async function runEffects(
  message: Message,
  effects: readonly Effect[],
  scheduler: TaskScheduler,
  now: Date,
): Promise<EffectFailure[]> {
  const failures: EffectFailure[] = [];
  for (const effect of effects) {
    try {
      await runEffect(message, effect, scheduler, now);
    } catch (error) {
      failures.push({ effect: effect.kind, error });
    }
  }
  return failures;
}

async function runEffect(message: Message, effect: Effect, scheduler: TaskScheduler, now: Date): Promise<void> {
  const { messageId } = message;
  switch (effect.kind) {
    case 'cancel_revoke_task':
      // Best effort: the revoke function re-checks delivery before calling RBM.
      if (message.revocation.taskName) await scheduler.cancel(message.revocation.taskName);
      return;
    case 'schedule_fallback':
      await scheduler.schedule({ purpose: 'fallback', messageId, at: now }, now);
      return;
    case 'revoke_now':
      await scheduler.schedule({ purpose: 'expired', messageId, at: now }, now);
      return;
    case 'schedule_confirm':
      await scheduler.schedule(
        { purpose: 'confirm', messageId, sequence: message.revocation.attempts, at: effect.at },
        now,
      );
      return;
  }
}
