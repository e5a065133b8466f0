import { describe, expect, it } from 'vitest';
import { formatFieldPath, parseFieldPath } from '../../../local/firestore-emulator/field-paths.ts';

describe('field paths', () => {
  it('splits simple segments on dots', () => {
    expect(parseFieldPath('a.b_1.__name__', 'x')).toEqual(['a', 'b_1', '__name__']);
  });

  it('reads backtick-quoted segments with escapes', () => {
    expect(parseFieldPath('`a.b`.c', 'x')).toEqual(['a.b', 'c']);
    expect(parseFieldPath('`we\\`ird\\\\`.`1`', 'x')).toEqual(['we`ird\\', '1']);
  });

  it('rejects invalid paths with INVALID_ARGUMENT', () => {
    for (const bad of ['', 'a.', '.a', 'a..b', '1a', 'a-b', '`unclosed', '``']) {
      expect(() => parseFieldPath(bad, 'where'), bad).toThrow(expect.objectContaining({ code: 3 }));
    }
  });

  it('formats back to a parseable path', () => {
    const segments = ['a', 'b.c', 'we`ird', '1'];
    expect(parseFieldPath(formatFieldPath(segments), 'x')).toEqual(segments);
  });
});
