import * as ff from '@google-cloud/functions-framework';
import { deliverOutcome, deliverySettings } from '../../shared/outcomes/deliver.ts';
import { outcomeIdFromEvent } from '../../shared/outcomes/event.ts';
import { outcomeLogs } from '../../shared/outcomes/logs.ts';
import { createRuntime } from '../../shared/runtime.ts';

/**
 * Pushes a lifecycle outcome to the business (docs/outcomes.md). An Eventarc target: a
 * CloudEvent for each document created in the `outcomes` outbox. Parse the event, deliver,
 * and map the result: returning acknowledges the event; throwing makes Eventarc retry it
 * (retry_policy RETRY_POLICY_RETRY, terraform/functions.tf), which is what a push the
 * receiver did not accept needs.
 */
const runtime = createRuntime('outcomes', ['outcomes']);
const { config, log } = runtime;
const delivery = deliverySettings(config);

ff.cloudEvent('outcomes', async (event: ff.CloudEvent<unknown>) => {
  const parsed = outcomeIdFromEvent(event as { document?: unknown; subject?: string });
  if (!parsed.ok) {
    outcomeLogs.dropped(log, parsed.reason);
    return;
  }
  if (!delivery) {
    outcomeLogs.dropped(log, 'outcome push is off (OUTCOME_PUSH is false)');
    return;
  }
  const result = await deliverOutcome(parsed.outcomeId, { ...runtime, delivery });
  if (result.kind === 'retry')
    throw new Error(`outcome ${parsed.outcomeId} not accepted (${result.answer}); retry`);
});
