import { invalidArgument } from '../common/grpc-errors.ts';
import type { Fields, Val } from './values.ts';

/*
 * Field paths as the API spells them: dot-separated segments, a segment that
 * is not a simple identifier quoted in backticks (`a.b`.c), with `\` escaping
 * inside quotes. Parsed once into segment arrays; fields are read and written
 * copy-on-write along the path.
 */

export type FieldPath = readonly string[];

const SIMPLE_SEGMENT = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

export function parseFieldPath(path: string, where: string): FieldPath {
  if (path === '') throw invalidArgument(`${where}: field path must not be empty.`);
  const segments: string[] = [];
  let i = 0;
  while (i <= path.length) {
    let segment = '';
    if (path[i] === '`') {
      i++;
      let closed = false;
      while (i < path.length) {
        const ch = path[i]!;
        if (ch === '\\') {
          if (i + 1 >= path.length) break;
          segment += path[i + 1];
          i += 2;
        } else if (ch === '`') {
          closed = true;
          i++;
          break;
        } else {
          segment += ch;
          i++;
        }
      }
      if (!closed || segment === '') throw invalidArgument(`${where}: invalid field path "${path}".`);
    } else {
      const end = path.indexOf('.', i);
      segment = path.slice(i, end === -1 ? path.length : end);
      i = end === -1 ? path.length : end;
      if (!SIMPLE_SEGMENT.test(segment)) {
        throw invalidArgument(
          `${where}: invalid field path "${path}": unquoted segments must match [a-zA-Z_][a-zA-Z_0-9]*; quote others in backticks.`,
        );
      }
    }
    segments.push(segment);
    if (i === path.length) break;
    if (path[i] !== '.') throw invalidArgument(`${where}: invalid field path "${path}".`);
    i++;
    if (i === path.length) throw invalidArgument(`${where}: invalid field path "${path}" (trailing dot).`);
  }
  return segments;
}

export function formatFieldPath(path: FieldPath): string {
  return path
    .map((s) => (SIMPLE_SEGMENT.test(s) ? s : `\`${s.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``))
    .join('.');
}

export function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}

export function getField(fields: Fields, path: FieldPath): Val | undefined {
  let current: Fields = fields;
  for (let i = 0; i < path.length; i++) {
    const v = current.get(path[i]!);
    if (v === undefined || i === path.length - 1) return v;
    if (v.kind !== 'map') return undefined;
    current = v.fields;
  }
  return undefined;
}

/** Sets `path` to `value`, replacing any non-map value found on the way with a map. */
export function setField(fields: Fields, path: FieldPath, value: Val): Fields {
  const [head, ...rest] = path;
  const out = new Map(fields);
  if (rest.length === 0) {
    out.set(head!, value);
  } else {
    const child = fields.get(head!);
    const childFields: Fields = child?.kind === 'map' ? child.fields : new Map();
    out.set(head!, { kind: 'map', fields: setField(childFields, rest, value) });
  }
  return out;
}

/** Removes `path`; a no-op when any segment on the way is missing or not a map. */
export function deleteField(fields: Fields, path: FieldPath): Fields {
  const [head, ...rest] = path;
  if (!fields.has(head!)) return fields;
  if (rest.length === 0) {
    const out = new Map(fields);
    out.delete(head!);
    return out;
  }
  const child = fields.get(head!)!;
  if (child.kind !== 'map') return fields;
  const inner = deleteField(child.fields, rest);
  if (inner === child.fields) return fields;
  const out = new Map(fields);
  out.set(head!, { kind: 'map', fields: inner });
  return out;
}

/** Keeps only the given paths (a DocumentMask or a query projection). */
export function projectFields(fields: Fields, paths: readonly FieldPath[]): Fields {
  let out: Fields = new Map();
  for (const path of paths) {
    const v = getField(fields, path);
    if (v !== undefined) out = setField(out, path, v);
  }
  return out;
}
