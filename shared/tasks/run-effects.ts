import type { Effect } from '../lifecycle/types.ts';
import type { TaskScheduler } from './scheduler.ts';

export interface EffectFailure {
  effect: Effect['kind'];
  error: unknown;
}

/**
 * Carries out what a lifecycle rule asked for, after its state was stored.
 * The stored state is the durable intent (a dueAt, fallback.state 'pending'),
 * so a failure here is reported, not thrown: the sweep re-drives whatever a
 * lost task left undone.
 */
export async function runEffects(
  messageId: string,
  effects: readonly Effect[],
  scheduler: TaskScheduler,
  now: Date,
): Promise<EffectFailure[]> {
  const failures: EffectFailure[] = [];
  for (const effect of effects) {
    try {
      if (effect.kind === 'cancel_revoke_task') {
        // Best effort: the revoke function re-checks delivery before calling RBM.
        await scheduler.cancel({ step: 'revoke', messageId, sequence: effect.sequence });
      } else if (effect.kind === 'cancel_escalation_task') {
        // Best effort: the escalation's handler re-checks READ before it sends.
        await scheduler.cancel({ step: 'escalate', messageId, sequence: 0 });
      } else {
        const { kind: _kind, ...task } = effect;
        await scheduler.schedule({ ...task, messageId }, now);
      }
    } catch (error) {
      failures.push({ effect: effect.kind, error });
    }
  }
  return failures;
}
