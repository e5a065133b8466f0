import { invalidArgument } from '../common/grpc-errors.ts';

/*
 * Resource names: `projects/P/databases/D` is a database, and everything a
 * request names lives under `projects/P/databases/D/documents/...`. Documents
 * are keyed by their full name; `path` holds the segments after `documents`.
 */

const DATABASE_RE = /^projects\/([^/]+)\/databases\/([^/]+)$/;

export interface DatabaseName {
  readonly name: string;
  readonly projectId: string;
  readonly databaseId: string;
}

export function parseDatabaseName(name: string | undefined, field = 'database'): DatabaseName {
  const m = DATABASE_RE.exec(name ?? '');
  if (!m) {
    throw invalidArgument(
      `Invalid ${field} "${name ?? ''}": expected projects/{project_id}/databases/{database_id}.`,
    );
  }
  return { name: name!, projectId: m[1]!, databaseId: m[2]! };
}

export interface ResourcePath {
  /** The database part, `projects/P/databases/D`. */
  readonly database: string;
  /** Segments after `documents`; even length for a document, zero for the root. */
  readonly path: readonly string[];
  /** The full name, `projects/P/databases/D/documents/...` */
  readonly name: string;
}

function parseUnderDocuments(name: string | undefined, field: string): ResourcePath {
  const raw = name ?? '';
  const segments = raw.split('/');
  if (
    segments.length < 5 ||
    segments[0] !== 'projects' ||
    segments[2] !== 'databases' ||
    segments[4] !== 'documents'
  ) {
    throw invalidArgument(`Invalid ${field} "${raw}": expected projects/{p}/databases/{d}/documents[/...].`);
  }
  const path = segments.slice(5);
  if (path.some((s) => s === '')) throw invalidArgument(`Invalid ${field} "${raw}": empty path segment.`);
  for (const s of path) {
    if (s === '.' || s === '..' || /^__.*__$/.test(s)) {
      // Firestore reserves these ids; numeric ids (__id123__) are only ever written by legacy APIs.
      if (!/^__id-?\d+__$/.test(s))
        throw invalidArgument(`Invalid ${field} "${raw}": "${s}" is a reserved id.`);
    }
  }
  return { database: segments.slice(0, 4).join('/'), path, name: raw };
}

/** A document name: an even, non-zero number of segments after `documents`. */
export function parseDocumentName(name: string | undefined, field = 'document name'): ResourcePath {
  const r = parseUnderDocuments(name, field);
  if (r.path.length === 0 || r.path.length % 2 !== 0) {
    throw invalidArgument(
      `Invalid ${field} "${name ?? ''}": a document name needs an even number of path segments after "documents".`,
    );
  }
  return r;
}

/** A query/list parent: the database root (`.../documents`) or a document. */
export function parseParent(name: string | undefined, field = 'parent'): ResourcePath {
  const r = parseUnderDocuments(name, field);
  if (r.path.length % 2 !== 0) {
    throw invalidArgument(
      `Invalid ${field} "${name ?? ''}": a parent must be the database root or a document.`,
    );
  }
  return r;
}

export function documentName(database: string, path: readonly string[]): string {
  return `${database}/documents/${path.join('/')}`;
}

/** Checks that a resource belongs to the database the request is addressed to. */
export function requireSameDatabase(database: string, r: ResourcePath, field: string): void {
  if (r.database !== database) {
    throw invalidArgument(`${field} "${r.name}" is not in the request's database "${database}".`);
  }
}
