/**
 * Reading Terraform expressions as the JSON configuration syntax writes them
 * (and as @cdktf/hcl2json returns them, see test/helpers/terraform.ts): every
 * expression is a string template, literal text plus ${...} interpolations and
 * %{...} directives whose content is the expression's source code.
 *
 * - scanTemplate finds the code parts of a template and a mask of the whole
 *   string: the same length, with string literal text (in quoted strings and
 *   heredocs in the code, nested templates' interpolations left as code) and
 *   escapes blanked, and comments blanked to spaces; so references can be found
 *   in the mask with a regular expression, and their source read at the same
 *   positions of the original.
 * - traversals / readSteps parse references (name.attr[0]["key"][*].x ...) in code.
 */

export interface Part {
  kind: 'literal' | 'code' | 'directive';
  start: number;
  end: number;
}

export interface Scanned {
  masked: string;
  parts: Part[];
}

/**
 * Scans a template. `fill` is what blanks string literal text and escapes in the
 * mask ("_" unless told); comments are blanked with spaces; newlines are kept.
 */
export function scanTemplate(s: string, fill = '_'): Scanned {
  const out = s.split('');
  const blank = (from: number, to: number, with_: string): void => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = with_;
  };
  // Code from j: returns the index of its closing '}' (or the end).
  const code = (start: number): number => {
    let j = start;
    let depth = 0;
    while (j < s.length) {
      const c = s[j]!;
      if (c === '"') {
        j = quoted(j + 1);
        continue;
      }
      if (c === '#' || (c === '/' && s[j + 1] === '/')) {
        const newline = s.indexOf('\n', j);
        const end = newline < 0 ? s.length : newline;
        blank(j, end, ' ');
        j = end;
        continue;
      }
      if (c === '/' && s[j + 1] === '*') {
        const close = s.indexOf('*/', j + 2);
        const end = close < 0 ? s.length : close + 2;
        blank(j, end, ' ');
        j = end;
        continue;
      }
      if (c === '<' && s[j + 1] === '<') {
        const heredoc = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(s.slice(j));
        if (heredoc) {
          j = heredocBody(j + heredoc[0].length, heredoc[1]!);
          continue;
        }
      }
      if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) return j;
        depth--;
      }
      j++;
    }
    return j;
  };
  // Template text from j up to `stop` (a closing quote) or the end; returns the
  // index after the closing quote.
  const template = (start: number, stop: '"' | null, parts?: Part[]): number => {
    let j = start;
    let literalStart = j;
    const flush = (end: number): void => {
      if (parts && end > literalStart) parts.push({ kind: 'literal', start: literalStart, end });
    };
    while (j < s.length) {
      const c = s[j]!;
      if (stop && c === '\\') {
        blank(j, j + 2, fill);
        j += 2;
        continue;
      }
      if (stop && c === stop) {
        return j + 1;
      }
      if ((c === '$' || c === '%') && s[j + 1] === c && s[j + 2] === '{') {
        blank(j, j + 3, fill);
        j += 3;
        continue;
      }
      if ((c === '$' || c === '%') && s[j + 1] === '{') {
        flush(j);
        const end = code(j + 2);
        parts?.push({ kind: c === '$' ? 'code' : 'directive', start: j + 2, end });
        j = end + 1;
        literalStart = j;
        continue;
      }
      blank(j, j + 1, fill);
      j++;
    }
    flush(s.length);
    return j;
  };
  const quoted = (start: number): number => template(start, '"');
  const heredocBody = (start: number, marker: string): number => {
    // Up to the line that is only the marker; interpolations inside are code.
    const lines = /\n[ \t]*([A-Za-z_][\w-]*)[ \t]*(?=\r?\n|$)/g;
    lines.lastIndex = start - 1;
    let end = s.length;
    for (let m = lines.exec(s); m; m = lines.exec(s)) {
      if (m[1] === marker) {
        end = m.index + 1;
        break;
      }
    }
    let j = start;
    while (j < end) {
      if ((s[j] === '$' || s[j] === '%') && s[j + 1] === '{') {
        j = code(j + 2) + 1;
        continue;
      }
      blank(j, j + 1, fill);
      j++;
    }
    return end + marker.length + (s.slice(end).match(/^[ \t]*/)?.[0].length ?? 0);
  };
  const parts: Part[] = [];
  template(0, null, parts);
  return { masked: out.join(''), parts };
}

// --- Traversals ---

/**
 * One step of a traversal: .name, [0] (or the legacy .0), ["key"], .* or [*], and
 * [expression] (a computed index: its source).
 */
export type Step =
  | { attr: string }
  | { index: number }
  | { key: string }
  | { splat: true }
  | { expr: string };

export interface Traversal {
  root: string;
  steps: Step[];
  /** Offsets of the root name's start and of the traversal's end. */
  start: number;
  end: number;
  /** The end offset of each step. */
  stepEnds: number[];
  /** The traversal's source (of the original text). */
  text: string;
}

export const identifier = '[A-Za-z_][\\w-]*';
const identifierAt = new RegExp(identifier, 'y');
const digitsAt = /\d+/y;

/**
 * Reads `.name`, `.0`, `.*` and `[...]` steps from position p of a masked code
 * text; index keys are read from the original at the same positions.
 */
export function readSteps(
  original: string,
  masked: string,
  p: number,
): { steps: Step[]; ends: number[]; end: number } {
  const steps: Step[] = [];
  const ends: number[] = [];
  let j = p;
  for (;;) {
    if (masked[j] === '.' && masked[j + 1] === '*') {
      steps.push({ splat: true });
      j += 2;
    } else if (masked[j] === '.') {
      identifierAt.lastIndex = j + 1;
      digitsAt.lastIndex = j + 1;
      const name = identifierAt.exec(masked) ?? digitsAt.exec(masked);
      if (!name) break;
      steps.push(/^\d/.test(name[0]) ? { index: Number(name[0]) } : { attr: name[0] });
      j += 1 + name[0].length;
    } else if (masked[j] === '[') {
      let depth = 0;
      let k = j;
      for (; k < masked.length; k++) {
        if (masked[k] === '[') depth++;
        else if (masked[k] === ']' && --depth === 0) break;
      }
      const inner = original.slice(j + 1, k).trim();
      if (inner === '*') steps.push({ splat: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^"[^"\\$%]*"$/.test(inner)) steps.push({ key: JSON.parse(inner) as string });
      else steps.push({ expr: inner });
      j = k + 1;
    } else break;
    ends.push(j);
  }
  return { steps, ends, end: j };
}

/**
 * Every traversal (name.attr[index]...) in code, from its root name on: a name
 * not preceded by a name character, a dot or the "::" of a provider function
 * (provider::time::rfc3339_parse). `masked` is the code as
 * scanTemplate masks it (string literal text blanked); without it the code is
 * read as it is.
 */
export function traversals(original: string, masked = original): Traversal[] {
  const found: Traversal[] = [];
  const root = new RegExp(`(?<![\\w.]|::)${identifier}`, 'g');
  for (let m = root.exec(masked); m; m = root.exec(masked)) {
    const start = m.index;
    const { steps, ends, end } = readSteps(original, masked, start + m[0].length);
    found.push({ root: m[0], steps, start, end, stepEnds: ends, text: original.slice(start, end) });
  }
  return found;
}
