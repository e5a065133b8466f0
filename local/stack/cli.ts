import { readReport } from '../../shared/report/read.ts';
import { parseCommandLine, usageError } from '../common/cli.ts';
import { SystemClock } from '../common/clock.ts';
import { isPushConcurrency } from '../rbm-sandbox/index.ts';
import { formatText } from '../report/format.ts';
import { isAccepted, onlinePaths, runDemoWorkload } from './demo.ts';
import { outcomePushSummary } from './demo-outcomes.ts';
import { demoStatus } from './demo-status.ts';
import { SettleTracker } from './settle-tracker.ts';
import { type Stack, startStack } from './start.ts';
import { webhookDeliverySummary } from './webhook-delivery-summary.ts';

/**
 * `npm start`: the whole system on 127.0.0.1, a demo workload that shows
 * every lifecycle path, then it keeps serving until Ctrl-C. docs/local-stack.md.
 */
const usage = `Usage: npm start -- [options]
  --no-demo            start the stack only
  --messages N         demo messages (default 60)
  --seed S             seed for the phones and the demo mix (default 1)
  --time-scale X       clock speed vs real time (default 20: a 10-minute deadline takes 30 s)
  --exit               exit after the demo: 0 only if every message is terminal and matches the ground truth,
                       no online phone got RCS and SMS both, and every outcome push was right
  --log-level L        debug, info, warn (default) or error: the functions' and sandboxes' JSON log lines, on stdout after the ready line
  --capability-check C  off (default) or on: CAPABILITY_CHECK, a capability check on the number's regional host before each send
  --webhook-concurrency M  adaptive (default: the RBM sandbox posts as Pub/Sub push does, a window that adapts to the answers) or serial (one event at a time)
  --no-outcomes        outcome push off (OUTCOME_PUSH false): no outbox, no local business receiver
  --functions M        in-process (every function in this process, on --port-functions), processes
                       (each function its own process on a free port, as Cloud Run runs them) or auto
                       (default: in-process up to 1000 demo messages, processes above: one process
                       cannot carry a larger burst at x20)
  --port-functions P   default 8080    --port-rbm P     default 8085    --port-sms P   default 8086
  --port-tasks P       default 8123    --port-firestore P default 8181  --port-outcomes P default 8087
                       (0 = a free port)
  -h, --help           show this help`;

const defaults = { functions: 8080, rbm: 8085, sms: 8086, tasks: 8123, firestore: 8181, outcomes: 8087 };

const program = 'npm start';

const args = parseCommandLine(program, usage, {
  options: {
    demo: { type: 'boolean', default: true },
    'no-demo': { type: 'boolean', default: false },
    messages: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    'time-scale': { type: 'string', default: '20' },
    exit: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    'capability-check': { type: 'string', default: 'off' },
    'webhook-concurrency': { type: 'string', default: 'adaptive' },
    'no-outcomes': { type: 'boolean', default: false },
    functions: { type: 'string', default: 'auto' },
    'port-functions': { type: 'string' },
    'port-rbm': { type: 'string' },
    'port-sms': { type: 'string' },
    'port-tasks': { type: 'string' },
    'port-firestore': { type: 'string' },
    'port-outcomes': { type: 'string' },
  },
}).values;

const number = (name: string, value: string, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    usageError(program, `--${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
};
const messages = number('messages', args.messages, 0, 5_000);
const seed = number('seed', args.seed, 0, 2 ** 31);
const timeScale = number('time-scale', args['time-scale'], 0.001, 10_000);
const port = (name: keyof typeof defaults) => {
  const value = args[`port-${name}`];
  return value === undefined ? defaults[name] : number(`port-${name}`, value, 0, 65_535);
};
const logLevels = ['debug', 'info', 'warn', 'error'] as const;
const logLevel = logLevels.find((level) => level === args['log-level']);
if (!logLevel)
  usageError(program, `--log-level must be one of ${logLevels.join(', ')}, got "${args['log-level']}"`);
const capabilityCheck = (['off', 'on'] as const).find((c) => c === args['capability-check']);
if (!capabilityCheck)
  usageError(program, `--capability-check must be off or on, got "${args['capability-check']}"`);
const concurrency = args['webhook-concurrency'];
if (!isPushConcurrency(concurrency))
  usageError(program, `--webhook-concurrency must be serial or adaptive, got "${concurrency}"`);
const functionsChoice = (['in-process', 'processes', 'auto'] as const).find((m) => m === args.functions);
if (!functionsChoice)
  usageError(program, `--functions must be in-process, processes or auto, got "${args.functions}"`);
const runDemo = args.demo && !args['no-demo'] && messages > 0;
// At 3,000 messages the one process spent a fifth of its CPU in functions-framework's per-request
// domains and fell minutes behind (docs/BENCHMARKS.md, "A burst through npm start").
const functionsMode =
  functionsChoice === 'auto' ? (runDemo && messages > 1_000 ? 'processes' : 'in-process') : functionsChoice;

const clock = new SystemClock({ scale: timeScale });
let stack: Stack | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await stack?.stop();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  stack = await startStack({
    clock,
    seed,
    logLevel,
    capabilityCheck,
    webhook: { concurrency },
    ports: {
      functions: port('functions'),
      rbm: port('rbm'),
      sms: port('sms'),
      tasks: port('tasks'),
      firestore: port('firestore'),
      outcomes: port('outcomes'),
    },
    outcomes: !args['no-outcomes'],
    functions: functionsMode,
    // In process mode the functions' JSON log lines reach stdout as they do in-process.
    onFunctionOutput: (line) => {
      if (line.startsWith('{')) console.log(line);
    },
    ...(process.env.FIRESTORE_EMULATOR_HOST ? { firestoreHost: process.env.FIRESTORE_EMULATOR_HOST } : {}),
  });
} catch (error) {
  const message = (error as Error).message;
  const hint = /EADDRINUSE|already in use/.test(message)
    ? ' (a port is taken: pass --port-...=0 for free ports)'
    : '';
  console.error(`npm start: the stack did not start: ${message}${hint}`);
  process.exit(1);
}

const ready = {
  ready: true,
  functions: stack.functions.urls,
  rbmSandbox: stack.rbm.url,
  smsSandbox: stack.sms.url,
  cloudTasksEmulator: `${stack.tasks.host}:${stack.tasks.port}`,
  firestoreEmulatorHost: stack.firestoreHost,
  ...(stack.outcomes ? { outcomeReceiver: stack.outcomes.receiver.url } : {}),
  projectId: stack.projectId,
  agentId: stack.agentId,
  clientToken: stack.clientToken,
  timeScale,
  webhookConcurrency: concurrency,
  functionsMode,
};
console.log(JSON.stringify(ready));

if (runDemo) {
  const started = Date.now();
  console.error(
    `demo: sending ${messages} messages (OTP deadline 2 min, promotions 10 min, clock x${timeScale})`,
  );
  // Polls only the messages not yet ended (a full read every half second is most of the work
  // of a wait for thousands); the judgement below reads them all once.
  const tracker = new SettleTracker(stack.db, clock, 500, (error) =>
    console.error(`demo: a poll of the messages failed (the next one tries again): ${String(error)}`),
  );
  const sent = await runDemoWorkload(stack, messages, seed, {
    onAnswered: (message) => {
      if (isAccepted(message)) tracker.watch([message.messageId]);
    },
  });
  const clockStart = clock.now();
  const limitMs = 40 * 60_000; // clock time: the slowest path (promo, 404, re-revoke) ends well before
  const notAccepted = sent.filter((m) => !isAccepted(m));
  const refused = notAccepted.filter((m) => m.optedOut && m.accepted === 422).length;
  const unanswered = notAccepted.length - refused;
  const ended = () => notAccepted.length + tracker.settled.size;
  let shown = '';
  while (ended() < sent.length && clock.now() - clockStart < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const byStatus = {
      ...tracker.byStatus(),
      ...(refused ? { refused } : {}),
      ...(unanswered ? { 'send failed': unanswered } : {}),
    };
    const counts = Object.entries(byStatus)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(' · ');
    const line = `${ended()}/${sent.length} settled  ${counts}`;
    if (line === shown) continue; // progress lines only when something changed
    shown = line;
    console.error(`  t+${((clock.now() - clockStart) / 60_000).toFixed(1)} min  ${line}`);
  }
  await tracker.stop();
  await stack.settle();
  const status = await demoStatus(stack, sent);
  // The same report `npm run report` prints, read from the stack's Firestore.
  console.error(
    `\n${formatText(
      await readReport(stack.db, {
        groups: [
          { by: 'label', key: 'kind' },
          { by: 'label', key: 'path' },
        ],
      }),
    )}`,
  );
  printSummary(stack, status, sent.length, (Date.now() - started) / 1000);
  const pushes = await outcomePushSummary(
    stack,
    sent.filter(isAccepted).map((m) => m.messageId),
  );
  if (pushes) printPushes(pushes);
  const pushesAgree = !pushes || (pushes.problems.length === 0 && pushes.badSignatures === 0);
  if (args.exit)
    await shutdown(
      status.settled === status.total &&
        status.problems.length === 0 &&
        status.onlineDuplicates === 0 &&
        pushesAgree
        ? 0
        : 1,
    );
} else if (args.exit) {
  await shutdown(0);
}

console.error(`
The stack keeps serving until Ctrl-C. Send a message through the messages function:
  curl -s -X POST ${stack.functions.urls.messages} -H 'content-type: application/json' \\
    -d '{"phoneNumber":"+15550009999","content":{"contentMessage":{"text":"hi"}},"revokeAfter":"5m","policy":"otp","sms":{"text":"hi"}}'
  curl -s ${stack.functions.urls.messages}/<messageId>
Data: Firestore emulator at ${stack.firestoreHost} (project ${stack.projectId}); ground truth: ${stack.rbm.url}/sandbox/truth`);

function printPushes(pushes: NonNullable<Awaited<ReturnType<typeof outcomePushSummary>>>) {
  const kinds = Object.entries(pushes.byKind)
    .sort()
    .map(([kind, count]) => `${kind} ${count}`)
    .join(' · ');
  console.error(
    `\noutcomes pushed to the business: ${pushes.accepted} (${pushes.requests} requests, retries included): ${kinds || 'none'}`,
  );
  console.error(
    pushes.badSignatures === 0
      ? '  every signature verified (Standard Webhooks, checked with node:crypto)'
      : `  ${pushes.badSignatures} requests with a signature that did not verify`,
  );
  if (pushes.problems.length === 0)
    console.error("  each message's outcomes were pushed once, and nothing else");
  else {
    console.error(`  ${pushes.problems.length} messages whose pushes disagree with their record:`);
    for (const p of pushes.problems.slice(0, 20))
      console.error(
        `    ${p.messageId}: missing ${p.missing.join(', ') || '-'}; unexpected ${p.unexpected.join(', ') || '-'}`,
      );
  }
}

function printSummary(
  stack: Stack,
  status: Awaited<ReturnType<typeof demoStatus>>,
  total: number,
  seconds: number,
) {
  console.error(
    `\ndemo finished in ${seconds.toFixed(0)} s: ${status.settled}/${total} messages settled, ${status.smsSent} SMS sent`,
  );
  for (const [name, count] of Object.entries(status.byStatus).sort())
    console.error(`  ${name.padEnd(12)} ${count}`);
  console.error(`  ${webhookDeliverySummary(stack.rbm.truth.webhook, stack.rbm.webhookDelivery)}`);
  console.error(
    `  duplicate deliveries where the phone was online (${[...onlinePaths].join('; ')}): ${status.onlineDuplicates}`,
  );
  if (status.problems.length === 0) {
    console.error('  every settled message agrees with the sandbox ground truth');
  } else {
    console.error(`  ${status.problems.length} messages disagree with the ground truth:`);
    for (const p of status.problems.slice(0, 20))
      console.error(`    ${p.messageId} (${p.path}): ${p.problems.join('; ')}`);
  }
}
