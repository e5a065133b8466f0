import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { Firestore } from '@google-cloud/firestore';
import { GoogleAuth } from 'google-auth-library';
import { readReport } from '../../shared/report/read.ts';
import type { GroupSpec } from '../../shared/report/types.ts';
import { parseTimeBound, type TimeBound } from '../../shared/report/window.ts';
import { DeadlineExceeded, withDeadline } from '../../shared/time/deadline.ts';
import { parseDuration } from '../../shared/time/duration.ts';
import { formatText } from './format.ts';
import { formatHtml } from './html.ts';

/**
 * `npm run report`: what happened to the messages, read from Firestore: the
 * local stack's emulator or a real project with ordinary Google credentials
 * (the same code). docs/local-stack.md, "Report". Exit status: 0 done,
 * 2 bad flags or Firestore not reachable / not allowed, 1 anything else.
 */
const usage = `Usage: npm run report -- [options]
  --since T            only messages created at or after T: ISO time or a duration before now (24h, 30m, 7d)
  --until T            only messages created before T (same forms)
  --by G[,G]           group by: agent, trafficType, label:KEY (e.g. label:campaign), none  (default agent,label:kind,trafficType)
  --max-groups N       values per grouping (default 20)
  --json               print the report as JSON (stable shape, docs/local-stack.md)
  --html FILE          also write a self-contained HTML page with charts to FILE
  --timeline           add outcomes per createdAt bucket (implied by --html)
  --bucket D           timeline bucket size (e.g. 15m, 1h; default: chosen for at most 48 buckets)
  --project ID         Google Cloud project (default rbm-lifecycle-local on the emulator)
  --database ID        Firestore database (default "(default)")
  --emulator HOST      Firestore emulator host:port (default $FIRESTORE_EMULATOR_HOST, else 127.0.0.1:8181
                       unless --project is given, which then means a real project)
  --timeout D          give up after D (default 2m)
  --help`;

function fail(message: string, code = 2): never {
  console.error(`npm run report: ${message}`);
  process.exit(code);
}

function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .trim();
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      by: { type: 'string', multiple: true },
      'max-groups': { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      timeline: { type: 'boolean', default: false },
      bucket: { type: 'string' },
      project: { type: 'string' },
      database: { type: 'string', default: '(default)' },
      emulator: { type: 'string' },
      timeout: { type: 'string', default: '2m' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}
try {
  args = parse();
} catch (error) {
  fail(`${(error as Error).message} (npm run report -- --help)`);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}

function parseGroups(values: string[] | undefined): GroupSpec[] {
  const items = (values ?? ['agent,label:kind,trafficType'])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim());
  if (items.includes('none')) return [];
  return items.map((item) => {
    if (item === 'agent') return { by: 'agent' };
    if (item === 'trafficType') return { by: 'trafficType' };
    const label = /^label:(.+)$/.exec(item);
    if (label) return { by: 'label', key: label[1]! };
    return fail(`--by takes agent, trafficType, label:KEY or none, got "${item}"`);
  });
}

let since: TimeBound | undefined;
let until: TimeBound | undefined;
try {
  if (args.since !== undefined) since = parseTimeBound('since', args.since);
  if (args.until !== undefined) until = parseTimeBound('until', args.until);
} catch (error) {
  fail((error as Error).message);
}
if (since?.kind === 'absolute' && until?.kind === 'absolute' && since.at >= until.at) {
  fail(`--since (${since.at.toISOString()}) must be before --until (${until.at.toISOString()})`);
}
const groups = parseGroups(args.by);
const maxGroups = Number(args['max-groups']);
if (!Number.isInteger(maxGroups) || maxGroups < 1 || maxGroups > 1000) {
  fail(`--max-groups must be a whole number from 1 to 1000, got "${args['max-groups']}"`);
}
const bucketMs = args.bucket === undefined ? undefined : parseDuration(args.bucket);
if (args.bucket !== undefined && !(bucketMs && bucketMs >= 1_000)) {
  fail(`--bucket must be a duration of at least 1s (15m, 1h, 1d), got "${args.bucket}"`);
}
const timeoutMs = parseDuration(args.timeout);
if (!timeoutMs) fail(`--timeout must be a duration (30s, 2m), got "${args.timeout}"`);
if (args.html === '') fail('--html needs a file name');

const emulatorHost =
  args.emulator ?? process.env.FIRESTORE_EMULATOR_HOST ?? (args.project ? undefined : '127.0.0.1:8181');
const projectId = args.project ?? (emulatorHost ? 'rbm-lifecycle-local' : undefined);
if (!projectId) fail('no project: pass --project ID');

/** Whether something accepts TCP connections at host:port (the emulator's gRPC port), within 3 s. */
function probe(host: string): Promise<string | undefined> {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(host);
  if (!match) return Promise.resolve(`"${host}" is not host:port`);
  return new Promise((resolve) => {
    const socket = connect({ host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(3_000, () => done('no answer within 3 s'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

if (emulatorHost) {
  const problem = await probe(emulatorHost);
  if (problem) {
    fail(
      `no Firestore emulator reachable at ${emulatorHost} (${problem}): start the stack with \`npm start\`, or set FIRESTORE_EMULATOR_HOST (or --emulator) to the host in its ready line`,
    );
  }
  // The client finds the emulator through this variable, exactly as the functions do.
  process.env.FIRESTORE_EMULATOR_HOST = emulatorHost;
  process.env.METADATA_SERVER_DETECTION ??= 'none';
} else {
  try {
    const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/datastore'] });
    await withDeadline(
      (async () => (await auth.getClient()).getAccessToken())(),
      20_000,
      'getting Google credentials',
    );
  } catch (error) {
    fail(
      `no usable Google credentials for project ${projectId} (${oneLine(error)}): run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS`,
    );
  }
}

const db = new Firestore({ projectId, databaseId: args.database });
const wantTimeline = Boolean(args.timeline || args.html);
let code = 0;
try {
  const report = await withDeadline(
    readReport(db, {
      projectId,
      databaseId: args.database,
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      groups,
      maxGroups,
      timeline: wantTimeline ? (bucketMs ? { bucketMs } : true) : false,
    }),
    timeoutMs,
    'reading the report',
  );
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(formatText(report));
  if (args.html) {
    await writeFile(args.html, formatHtml(report));
    console.error(`wrote ${args.html}`);
  }
} catch (error) {
  code = describeFailure(error);
} finally {
  await db.terminate().catch(() => {});
}
process.exit(code);

function describeFailure(error: unknown): number {
  const grpc = (error as { code?: unknown }).code;
  const text = oneLine(error);
  const where = emulatorHost ? `the emulator at ${emulatorHost}` : `project ${projectId}`;
  const messages: Record<number, string> = {
    4: `Firestore (${where}) did not answer in time: ${text}`,
    5: `Firestore database ${args.database} not found in ${where}: ${text}`,
    7: `no permission to read Firestore in ${where} (needs roles/datastore.viewer): ${text}`,
    9: `Firestore refused a query (a missing composite index? docs/console.md lists them): ${text}`,
    14: `Firestore unreachable (${where}): ${text}`,
    16: `Google credentials were refused for ${where}: ${text}`,
  };
  if (typeof grpc === 'number' && messages[grpc]) {
    console.error(`npm run report: ${messages[grpc]}`);
    return 2;
  }
  if (error instanceof DeadlineExceeded) {
    console.error(`npm run report: no answer from Firestore (${where}) within ${args.timeout}`);
    return 2;
  }
  if (/--since|--until/.test(text)) {
    console.error(`npm run report: ${text}`);
    return 2;
  }
  console.error(`npm run report: failed: ${text}`);
  return 1;
}
