/**
 * The outbox id named by an Eventarc Firestore event (google.cloud.firestore.document.v1.created).
 * Its `document` attribute is the path in the database (`outcomes/{id}`), its `subject`
 * `documents/outcomes/{id}`; the data (a protobuf DocumentEventData) is not read: the function
 * reads the document itself, which is the truth and makes a repeated event harmless.
 */
export function outcomeIdFromEvent(attributes: {
  document?: unknown;
  subject?: unknown;
}): { ok: true; outcomeId: string } | { ok: false; reason: string } {
  const path =
    typeof attributes.document === 'string'
      ? attributes.document
      : typeof attributes.subject === 'string'
        ? attributes.subject.replace(/^documents\//, '')
        : undefined;
  if (path === undefined)
    return { ok: false, reason: 'the event names no document (no document or subject attribute)' };
  const match = /^outcomes\/([^/]+)$/.exec(path);
  if (!match)
    return {
      ok: false,
      reason: `the event names ${JSON.stringify(path.slice(0, 200))}, not an outcomes document`,
    };
  return { ok: true, outcomeId: decodeURIComponent(match[1]!) };
}
