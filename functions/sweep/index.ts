import * as ff from '@google-cloud/functions-framework';
import { outcomeRedriver } from '../../shared/outcomes/redrive.ts';
import { createRuntime, lazyScheduler } from '../../shared/runtime.ts';
import { sweepOverdue } from '../../shared/sweep/run.ts';

/**
 * Cloud Scheduler target (OIDC, private): re-drives messages that are past
 * due with no outcome, the gap a lost task or a crash between two steps
 * leaves (lifecycle law 6). 200 with counts; 503 when Firestore failed, so
 * the next scheduled run (or Scheduler's retry) tries again.
 */
const runtime = createRuntime('sweep', ['tasks', 'sweep', 'outcomes']);
const { config } = runtime;
const deps = { ...runtime, scheduler: lazyScheduler(config) };
const settings = { boundMs: config.SWEEP_BOUND_SECONDS * 1000, limit: config.SWEEP_BATCH_SIZE };
const redriveOutcomes = outcomeRedriver(runtime, config);

ff.http(
  'sweep',
  runtime.traced(async (req, res) => {
    if (req.method !== 'POST') {
      res.status(405).set('allow', 'POST').json({ error: 'only POST' });
      return;
    }
    try {
      res.status(200).json({ ...(await sweepOverdue(deps, settings)), ...(await redriveOutcomes()) });
    } catch (error) {
      runtime.log.error({ event: 'sweep.failed', error }, 'sweep query failed');
      res.status(503).json({ error: 'sweep failed; the next run will try again' });
    }
  }),
);
