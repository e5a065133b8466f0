import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../local/common/clock.ts';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../../local/firestore-emulator/index.ts';
import { type OutcomeReceiver, startOutcomeReceiver } from '../../../local/outcome-receiver/index.ts';
import { newSigningSecret } from '../../../local/outcome-receiver/verify.ts';
import { type PubsubEmulator, startPubsubEmulator } from '../../../local/pubsub-emulator/index.ts';
import { type RbmSandbox, startRbmSandbox } from '../../../local/rbm-sandbox/index.ts';
import { type SmsSandbox, startSmsSandbox } from '../../../local/sms-sandbox/index.ts';
import { startTasksEmulator, type TasksEmulator } from '../../../local/tasks-emulator/index.ts';
import {
  type DeployedFunction,
  freePort,
  installProductionDependencies,
  nodeCheck,
  nodeModulesAbove,
  packageArchive,
  startDeployedFunction,
  terraformEnvironmentNames,
  unpack,
} from '../../helpers/deployed-archive.ts';
import { postSigned } from '../../helpers/rbm-events.ts';

/*
 * The exact artifact Terraform uploads, started as Cloud Run functions starts
 * it: `npm run package`, unzipped into an empty folder, `npm ci` with
 * NODE_ENV=production from the archived lockfile, `node --check` of "main",
 * then each of the six functions in its own functions-framework process with
 * FUNCTION_TARGET, PORT and the environment Terraform sets (names read from
 * terraform/main.tf), against the local emulators. One real request through each.
 */

const names = ['webhook', 'messages', 'revoke', 'fallback', 'sweep', 'outcomes'] as const;
type Name = (typeof names)[number];

const projectId = `deploy-${randomUUID().slice(0, 8)}`;
const agentId = 'deploy-agent';
const outcomesTopic = `projects/${projectId}/topics/rbm-outcomes`;
const clientToken = randomUUID();
const phones = { online: '+14155550201', offline: '+14155550202', notRcs: '+14155550203' };

const work = mkdtempSync(join(tmpdir(), 'rbm-deploy-'));
const workspace = join(work, 'workspace');
let packaged: ReturnType<typeof packageArchive>;
let unpacked: string[];
let firestore: FirestoreEmulator;
let tasks: TasksEmulator;
let rbm: RbmSandbox;
let sms: SmsSandbox;
let db: Firestore;
let business: OutcomeReceiver;
let pubsub: PubsubEmulator;
const fn = {} as Record<Name, DeployedFunction>;

beforeAll(async () => {
  packaged = packageArchive(join(work, 'rbm-lifecycle-source.zip'));
  mkdirSync(workspace);
  unpacked = await unpack(packaged.archive, workspace);
  installProductionDependencies(workspace);

  const clock = new SystemClock();
  firestore = await startFirestoreEmulator({ port: 0, clock });
  const retryConfig = { maxAttempts: 10, minBackoff: '1s', maxBackoff: '60s', maxDoublings: 4 };
  tasks = await startTasksEmulator({
    port: 0,
    clock,
    projectId,
    location: 'us-central1',
    queues: [
      { name: 'rbm-revoke', retryConfig },
      { name: 'rbm-fallback', retryConfig },
    ],
  });
  sms = await startSmsSandbox({ port: 0, clock, seed: 1, logLevel: 'silent' });
  rbm = await startRbmSandbox({
    port: 0,
    clock,
    seed: 1,
    clientToken,
    handshake: 'skip',
    defaultAgentId: agentId,
    logLevel: 'silent',
    phones: {
      [phones.online]: { rcs: true },
      [phones.offline]: { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] },
      [phones.notRcs]: { rcs: false },
    },
  });

  business = await startOutcomeReceiver({ secret: newSigningSecret(Buffer.alloc(32, 9)) });
  pubsub = await startPubsubEmulator({ topics: { [outcomesTopic]: [] } });

  const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()])));
  const urlOf = (n: Name) => `http://127.0.0.1:${ports[n]}`;
  // Local values for every name Terraform sets; the test below checks the names match.
  const values: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_DATABASE: '(default)',
    LOG_LEVEL: 'info',
    RETENTION_DAYS: '90',
    RBM_AGENT_ID: agentId,
    RBM_API_BASE_URL: rbm.url,
    RBM_TIMEOUT_MS: '10000',
    CAPABILITY_CHECK: 'off',
    CAPABILITY_CHECK_TIMEOUT_MS: '2000',
    // The sandbox plays every regional host under /r/{region} (docs/rbm-sandbox.md).
    RBM_REGIONAL_BASE_URL_TEMPLATE: `${rbm.url}/r/{region}`,
    RBM_REGION_BY_CALLING_CODE: '',
    WEBHOOK_MAX_BODY_BYTES: '1048576',
    WEBHOOK_READ_RECEIPTS: 'false',
    TASKS_LOCATION: 'us-central1',
    REVOKE_QUEUE: 'rbm-revoke',
    FALLBACK_QUEUE: 'rbm-fallback',
    QUEUE_SHARDS: '1',
    REVOKE_URL: urlOf('revoke'),
    FALLBACK_URL: urlOf('fallback'),
    TASKS_SERVICE_ACCOUNT: `rbm-tasks-invoker@${projectId}.iam.gserviceaccount.com`,
    REVOKE_MAX_ATTEMPTS: '10',
    FALLBACK_MAX_ATTEMPTS: '10',
    SMS_PROVIDER: 'http',
    SMS_TIMEOUT_MS: '10000',
    SMS_HTTP_URL: sms.genericUrl,
    SWEEP_BOUND_SECONDS: '300',
    SWEEP_BATCH_SIZE: '200',
    INGESTION_LAG_TOLERANCE_SECONDS: '10',
    INGESTION_ACTIVE_WITHIN_SECONDS: '30',
    INGESTION_RECHECK_SECONDS: '10',
    INGESTION_MAX_DEFER_SECONDS: '300',
    RBM_CLIENT_TOKEN: clientToken,
    SMS_HTTP_SECRET: sms.genericSecret,
    // Outcome push on (the example leaves it off; the names are the same), to a local business.
    OUTCOME_PUSH: 'true',
    OUTCOME_CALLBACK_URL: business.url,
    OUTCOME_SIGNING_SECRET: business.secret,
    OUTCOME_TIMEOUT_MS: '10000',
    OUTCOME_MAX_ATTEMPTS: '20',
    OUTCOME_MAX_AGE_HOURS: '24',
    OUTCOME_REDRIVE_SECONDS: '600',
    OUTCOME_PUBSUB_TOPIC: outcomesTopic,
  };
  // What only the local stack needs: the emulators' addresses, and the sandbox's fixed
  // bearer token in place of the RBM service-account key (no Google token endpoint here).
  const local = {
    FIRESTORE_EMULATOR_HOST: firestore.host,
    TASKS_EMULATOR_HOST: `${tasks.host}:${tasks.port}`,
    METADATA_SERVER_DETECTION: 'none',
    PUBSUB_EMULATOR_HOST: pubsub.host,
  };
  await Promise.all(
    names.map(async (n) => {
      const terraform = await terraformEnvironmentNames(n);
      const env: Record<string, string> = { ...local };
      for (const name of [...terraform.plain, ...terraform.secrets]) {
        if (name === 'RBM_SERVICE_ACCOUNT_KEY') env.RBM_ACCESS_TOKEN = 'local-sandbox-token';
        else if (name === 'RBM_CLIENT_TOKEN_PREVIOUS')
          continue; // not configured in the example
        else if (values[name] === undefined)
          throw new Error(`no local value for ${name}, which Terraform sets on ${n}`);
        else env[name] = values[name]!;
      }
      fn[n] = await startDeployedFunction(workspace, n, ports[n], env);
    }),
  );
  db = new Firestore({ projectId, host: firestore.host, ssl: false, preferRest: false });
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(fn).map((f) => f.stop()));
  await db?.terminate();
  await business?.stop();
  await pubsub?.stop();
  await rbm?.stop();
  await sms?.stop();
  await tasks?.stop();
  await firestore?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function send(phoneNumber: string, extra: Record<string, unknown> = {}) {
  const messageId = randomUUID();
  const response = await fetch(`${fn.messages.url}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messageId,
      phoneNumber,
      content: { contentMessage: { text: 'Your code is 482913' } },
      revokeAfter: '10m',
      policy: 'otp',
      sms: { text: 'SMS code 482913' },
      ...extra,
    }),
  });
  return { messageId, status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const stored = async (messageId: string) => (await db.doc(`messages/${messageId}`).get()).data();

describe('the packaged archive', () => {
  it('holds only package.json, the lockfile, functions/ and shared/, and unpacks into an empty folder', () => {
    expect(unpacked.length).toBe(packaged.files);
    expect(unpacked.filter((f) => !/^(functions|shared)\//.test(f)).sort()).toEqual([
      'package-lock.json',
      'package.json',
    ]);
    expect(
      nodeModulesAbove(workspace),
      'no node_modules above the workspace that code could load from',
    ).toEqual([]);
  });

  it('installs production dependencies only, from the archived lockfile', () => {
    const installed = readdirSync(join(workspace, 'node_modules'));
    expect(installed).toContain('@google-cloud');
    for (const dev of ['node', 'vitest', 'typescript', 'autocannon', 'es-module-lexer'])
      expect(installed, dev).not.toContain(dev);
    const pkg = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('functions/main.js');
  });

  it("meets the buildpack's checks: main exists and passes `node --check`, functions-framework is a dependency, engines.node parses", () => {
    const pkg = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as {
      main: string;
      type: string;
      engines: { node: string };
      dependencies: Record<string, string>;
      scripts?: Record<string, string>;
    };
    // cmd/nodejs/functions_framework: "%s does not exist" for a missing main, then `node --check main`.
    expect(unpacked).toContain(pkg.main);
    const check = nodeCheck(workspace, pkg.main);
    expect(check.status, check.stderr).toBe(0);
    // Only `dependencies` count; without it the buildpack injects its own (older) framework.
    expect(pkg.dependencies).toHaveProperty('@google-cloud/functions-framework');
    // The buildpack reads engines.node with Masterminds/semver v1: AND terms split on commas
    // only, each one operator and a version; ">=24 <25" is an "improper constraint".
    const terms = pkg.engines.node.split(',');
    for (const term of terms)
      expect(term, `engines.node term "${term}"`).toMatch(
        /^\s*(!=|>=|<=|=>|=<|>|<|~|~>|\^|=)?\s*v?\d+(\.(\d+|[xX*]))?(\.(\d+|[xX*]))?\s*$/,
      );
    expect(pkg.engines.node).toMatch(/^(\^|~)?24(\.x)?$/);
    // Without gcp-build or build scripts the install runs with NODE_ENV=production.
    expect(pkg.scripts?.['gcp-build']).toBeUndefined();
    expect(pkg.scripts?.build).toBeUndefined();
  });
});

describe('each function, started from the archive', () => {
  it('outcomes: a DELIVERED wrote the outbox; the Eventarc event for it makes one signed push', async () => {
    const sent = await send(phones.online);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const delivered = await postSigned(fn.webhook.url, clientToken, {
      senderPhoneNumber: phones.online,
      eventType: 'DELIVERED',
      eventId: randomUUID(),
      messageId: sent.messageId,
      sendTime: new Date().toISOString(),
      agentId,
    });
    expect(delivered.status).toBe(200);
    const outcomeId = `${sent.messageId}~delivered`;
    expect((await db.doc(`outcomes/${outcomeId}`).get()).get('state')).toBe('pending');
    // A binary-mode CloudEvent as Eventarc sends it for google.cloud.firestore.document.v1.created.
    const event = await fetch(fn.outcomes.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/protobuf',
        'ce-specversion': '1.0',
        'ce-id': randomUUID(),
        'ce-source': `//firestore.googleapis.com/projects/${projectId}/databases/(default)`,
        'ce-type': 'google.cloud.firestore.document.v1.created',
        'ce-subject': `documents/outcomes/${outcomeId}`,
        'ce-document': `outcomes/${outcomeId}`,
        'ce-database': '(default)',
        'ce-project': projectId,
      },
      body: new Uint8Array([0x0a, 0x00]),
    });
    expect(event.status, await event.text()).toBeLessThan(300);
    const pushes = business.received.filter((p) => p.id === outcomeId);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.verification.ok).toBe(true);
    expect(pushes[0]!.payload).toMatchObject({
      type: 'message.delivered',
      data: { messageId: sent.messageId },
    });
    expect((await db.doc(`outcomes/${outcomeId}`).get()).get('state')).toBe('delivered');
    // Published once to the topic too (outcomes.pubsub), through the REST API.
    expect(pubsub.published(outcomesTopic).filter((m) => m.attributes.outcomeId === outcomeId)).toHaveLength(
      1,
    );
  });

  it('webhook: answers the handshake with the secret and stores a signed DELIVERED', async () => {
    const handshake = await fetch(fn.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientToken, secret: 'handshake-secret-123' }),
    });
    expect(handshake.status).toBe(200);
    expect(await handshake.text()).toBe('handshake-secret-123');

    const sent = await send(phones.online);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const eventId = randomUUID();
    const answer = await postSigned(fn.webhook.url, clientToken, {
      senderPhoneNumber: phones.online,
      eventType: 'DELIVERED',
      eventId,
      messageId: sent.messageId,
      sendTime: new Date().toISOString(),
      agentId,
    });
    expect(answer.status, await answer.text()).toBe(200);
    expect((await db.doc(`messages/${sent.messageId}/events/${eventId}`).get()).exists).toBe(true);
    expect((await stored(sent.messageId))?.status).toBe('delivered');
  });

  it('messages: sends through RBM and registers the message with its deadline task', async () => {
    const sent = await send(phones.offline);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(rbm.truth.message(sent.messageId)?.phoneNumber).toBe(phones.offline);
    expect((await stored(sent.messageId))?.status).toBe('pending');
    expect(tasks.tasks('rbm-revoke').some((t) => t.url === `${fn.revoke.url}`)).toBe(true);
  });

  it('revoke and fallback: a revoke-now task DELETEs the message and, for an OTP, the SMS goes out once', async () => {
    const sent = await send(phones.offline);
    expect(sent.status).toBe(201);
    const revokeNow = await fetch(`${fn.messages.url}/messages/${sent.messageId}/revoke`, { method: 'POST' });
    expect(revokeNow.status).toBe(202);
    // Cloud Tasks (the emulator) dispatches the task to the revoke process, which
    // schedules the SMS; the fallback process sends it.
    await waitFor(() => sms.sent(phones.offline).length > 0 && tasks.inFlight === 0, 'the SMS');
    expect(rbm.truth.message(sent.messageId)?.revokeAttempts.map((a) => a.answer)).toEqual([200]);
    expect(sms.sent(phones.offline)).toHaveLength(1);
    expect((await stored(sent.messageId))?.fallback?.state).toBe('sent');
  });

  it('fallback: a number that is not RCS-capable goes straight to SMS', async () => {
    const sent = await send(phones.notRcs);
    expect([200, 201, 202]).toContain(sent.status);
    await waitFor(() => sms.sent(phones.notRcs).length > 0 && tasks.inFlight === 0, 'the SMS');
    expect(sms.sent(phones.notRcs)).toHaveLength(1);
  });

  it('sweep: runs over the store and answers 200', async () => {
    const answer = await fetch(fn.sweep.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status, await answer.text()).toBe(200);
  });

  it('every function logged structured JSON lines only', () => {
    for (const f of Object.values(fn)) {
      const unstructured = f.output.filter((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
      expect(unstructured, f.name).toEqual([]);
    }
  });
});

/**
 * Waits for work done by other processes (task dispatch, an SMS send), bounded.
 * The functions run on real time in their own processes, so there is no clock to drive.
 */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await tasks.idle();
    await new Promise((done) => setTimeout(done, 50));
  }
}
