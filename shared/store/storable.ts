import type { Payload } from '../rbm/payloads.ts';

/**
 * What Firestore refuses to store, checked before a write so that a verified
 * but unstorable payload is dead-lettered (kept, answered 200) instead of
 * failing the write, which would answer 503 and make the platform retry it for
 * days, holding up every event behind it. The limits are Firestore's: document
 * ids (https://cloud.google.com/firestore/quotas#collections_documents_and_fields),
 * field names ("reserved" `__.*__`, at most 1,500 bytes, never empty: the
 * `Document.fields` reference, https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases.documents),
 * depth and arrays inside arrays
 * (https://cloud.google.com/firestore/docs/concepts/data-types). The client
 * refuses some before sending (empty names, depth), the service the rest.
 */
const maxIdBytes = 1500;
const maxFieldNameBytes = 1500;
/** Maps and arrays nest at most 20 levels below a top-level field. */
const maxDepth = 20;
const reservedName = /^__.*__$/s;

/** Why `id` cannot be a document id, or undefined when it can. */
export function documentIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (Buffer.byteLength(id, 'utf8') > maxIdBytes) return `is longer than ${maxIdBytes} bytes`;
  if (id.includes('/')) return 'contains "/"';
  if (id === '.' || id === '..') return 'is "." or ".."';
  if (reservedName.test(id)) return 'matches __.*__, which Firestore reserves';
  return undefined;
}

/**
 * Why a JSON value cannot be stored in the top-level field `path`, or
 * undefined when it can; the reason names where the problem is. Depth counts
 * as the client does: a value's field path may have at most 21 segments.
 */
export function valueProblem(value: unknown, path = 'payload', segments = 1): string | undefined {
  if (segments - 1 > maxDepth) return `${path}: nested deeper than ${maxDepth} levels`;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      if (Array.isArray(item)) return `${path}[${index}]: an array directly inside an array`;
      const problem = valueProblem(item, `${path}[${index}]`, segments + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      const nameProblem = fieldNameProblem(name);
      if (nameProblem) return `${path}: field name ${JSON.stringify(name.slice(0, 40))} ${nameProblem}`;
      const problem = valueProblem(item, `${path}.${name.slice(0, 40)}`, segments + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

function fieldNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (Buffer.byteLength(name, 'utf8') > maxFieldNameBytes) return `is longer than ${maxFieldNameBytes} bytes`;
  if (reservedName.test(name)) return 'matches __.*__, which Firestore reserves';
  return undefined;
}

/** Firestore's limit for one document, less room for the fields stored beside a payload. */
const maxPayloadBytes = 1_048_576 - 16_384;
/** Firestore's limit for one commit; a batch of receipts stores its payload once per receipt. */
const maxCommitBytes = 10_485_760 - 65_536;

/**
 * The storage size of a JSON value by Firestore's rules
 * (https://cloud.google.com/firestore/docs/storage-size): a string is its
 * UTF-8 bytes + 1, a number 8, a boolean or null 1, a map the sum of its
 * names (bytes + 1) and values, an array the sum of its values.
 */
export function storedSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8') + 1;
  if (typeof value === 'number') return 8;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + storedSize(item), 0);
  if (value !== null && typeof value === 'object') {
    let sum = 0;
    for (const [name, item] of Object.entries(value))
      sum += Buffer.byteLength(name, 'utf8') + 1 + storedSize(item);
    return sum;
  }
  return 1;
}

/**
 * Why a parsed payload cannot be stored the way the webhook stores it (its ids
 * become document ids, its raw JSON a map field, copied into each document
 * of a batch), or undefined when it can.
 */
export function payloadStorageProblem(payload: Payload): string | undefined {
  const ids: Array<[string, string]> = [];
  let copies = 1;
  switch (payload.kind) {
    case 'delivery':
      for (const { eventId, fact } of payload.events)
        ids.push(['eventId', eventId], ['messageId', fact.messageId]);
      copies = payload.events.length;
      break;
    case 'user_event':
    case 'agent_launch':
      ids.push(['eventId', payload.eventId]);
      break;
    case 'user_message':
      ids.push(['messageId', payload.messageId]);
      break;
    case 'unknown':
      break;
  }
  for (const [field, id] of ids) {
    const problem = documentIdProblem(id);
    if (problem)
      return `${field} ${JSON.stringify(id.slice(0, 40))} ${problem}, so it cannot be a document id`;
  }
  const valueIssue = valueProblem(payload.raw);
  if (valueIssue) return valueIssue;
  const size = storedSize(payload.raw);
  if (size > maxPayloadBytes) return `payload: ${size} bytes stored, more than a Firestore document holds`;
  if (size * copies > maxCommitBytes)
    return `payload: ${copies} copies of ${size} bytes, more than one commit holds`;
  return undefined;
}
