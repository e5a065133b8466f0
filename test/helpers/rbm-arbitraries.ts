import fc from 'fast-check';

/*
 * fast-check generators of what the RBM platform (or someone pretending to be
 * it) can POST: every documented payload kind (docs/rbm-platform.md#payloads),
 * then the same payloads mutated field by field, and JSON or bytes that are
 * no payload at all. Valid values are drawn often enough that most cases
 * reach storage; hostile ones (ids Firestore cannot use, field names it
 * reserves, arrays in arrays, wrong types) are drawn often enough to be found.
 */

const phones = fc.constantFrom('+14155550123', '+447700900123', '+4915112345678');
const agentIds = fc.constantFrom('test-agent', 'other-agent');
const times = fc
  .date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Ids as the platform gives them, and ids no Firestore document can have. */
export const ids = fc.oneof(
  { weight: 6, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '.',
      '..',
      '__id__',
      '__name__',
      'a/b',
      '/',
      'x'.repeat(1501),
      'é'.repeat(751),
    ),
  },
);

/** Field names, reserved and empty ones included. */
const fieldNames = fc.oneof(
  { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '__type__', '__x__', 'a.b', '`q`', 'x'.repeat(1501)) },
);

/** JSON values, arrays of arrays and deep nesting included. */
export const jsonValues: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fieldNames, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const deepValue = fc.integer({ min: 18, max: 24 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { level: value };
  return value;
});

const extras = fc.dictionary(fieldNames, fc.oneof(jsonValues, deepValue), { maxKeys: 2 });

const userEvent = fc.record({
  senderPhoneNumber: phones,
  eventType: fc.constantFrom('DELIVERED', 'READ', 'IS_TYPING', 'SUBSCRIBE', 'UNSUBSCRIBE'),
  eventId: ids,
  messageId: ids,
  sendTime: times,
  agentId: agentIds,
});

const serverEvent = fc.record({
  phoneNumber: phones,
  eventType: fc.constantFrom('TTL_EXPIRATION_REVOKED', 'TTL_EXPIRATION_REVOKE_FAILED'),
  eventId: ids,
  messageId: ids,
  sendTime: times,
  agentId: agentIds,
});

const userMessage = fc.record({
  senderPhoneNumber: phones,
  messageId: ids,
  sendTime: times,
  agentId: agentIds,
  text: fc.string({ maxLength: 40 }),
});

const agentLaunch = fc.record({
  eventId: ids,
  agentId: agentIds,
  oldLaunchState: fc.constantFrom('LAUNCH_STATE_PENDING', 'LAUNCH_STATE_UNLAUNCHED'),
  newLaunchState: fc.constantFrom('LAUNCH_STATE_LAUNCHED', 'LAUNCH_STATE_SUSPENDED'),
  sendTime: times,
});

const receiptsBatch = fc.record({
  agent: fc.constant('brands/b/agents/test-agent'),
  conversationId: fc.uuid(),
  sendTime: times,
  receipts: fc.record({
    receipts: fc.array(
      fc.record({
        message: ids.map((id) => `conversations/c/messages/${id}`),
        receiptType: fc.constantFrom('DELIVERED', 'READ'),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    createTime: times,
  }),
});

const unknownKind = fc.record({ eventType: fc.constantFrom('NEW_KIND', 'FUTURE_EVENT'), eventId: ids });

/** A documented payload of any kind, with its `attributes`. */
export const documentedPayloads = fc.oneof(
  userEvent.map((p) => ({ data: p as Record<string, unknown>, attributes: {} })),
  serverEvent.map((p) => ({ data: p as Record<string, unknown>, attributes: {} })),
  userMessage.map((p) => ({ data: p as Record<string, unknown>, attributes: {} })),
  agentLaunch.map((p) => ({
    data: p as Record<string, unknown>,
    attributes: { type: 'agent_launch_event' },
  })),
  receiptsBatch.map((p) => ({ data: p as Record<string, unknown>, attributes: {} })),
  unknownKind.map((p) => ({ data: p as Record<string, unknown>, attributes: {} })),
);

type Mutation = (payload: Record<string, unknown>) => Record<string, unknown>;

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>((p) => p),
  fc.nat().map<Mutation>((i) => (p) => {
    const keys = Object.keys(p);
    const copy = { ...p };
    if (keys.length > 0) delete copy[keys[i % keys.length]!];
    return copy;
  }),
  fc.tuple(fc.nat(), jsonValues).map<Mutation>(([i, value]) => (p) => {
    const keys = Object.keys(p);
    return keys.length > 0 ? { ...p, [keys[i % keys.length]!]: value } : p;
  }),
  extras.map<Mutation>((extra) => (p) => ({ ...p, ...extra })),
);

/**
 * The bytes of `message.data` (`Buffer.from(text, encoding)`, kept as text so a
 * counterexample reads): a documented payload as it is or mutated, any JSON, or no JSON at all.
 */
export const messageData = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(documentedPayloads, fc.array(mutations, { maxLength: 3 }))
      .map(([{ data, attributes }, changes]) => ({
        text: JSON.stringify(changes.reduce((p, change) => change(p), data)),
        encoding: 'utf8' as BufferEncoding,
        attributes: attributes as Record<string, string>,
      })),
  },
  {
    weight: 1,
    arbitrary: jsonValues.map((value) => ({
      text: JSON.stringify(value) ?? 'null',
      encoding: 'utf8' as BufferEncoding,
      attributes: {} as Record<string, string>,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
      text: Buffer.from(bytes).toString('hex'),
      encoding: 'hex' as BufferEncoding,
      attributes: {} as Record<string, string>,
    })),
  },
);

/** Pub/Sub attributes, which the signature does not cover. */
export const attributeExtras = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.dictionary(fieldNames, fc.string({ maxLength: 10 }), { maxKeys: 2 }) },
);
