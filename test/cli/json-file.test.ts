import { describe, expect, it } from 'vitest';
import { jsonSyntaxProblem } from '../../src/cli/json-file.js';

/** What a data file's JSON syntax error says, from V8's own error for the text. */
function problem(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return jsonSyntaxProblem(text, e);
  }
  throw new Error('the text is JSON');
}

describe('jsonSyntaxProblem', () => {
  it('says where, once: V8\'s "at position" is left out of every reason', () => {
    // V8 ends most reasons with "in JSON at position N", and text after the value with "after JSON at position N":
    // the line and column said first are the same place.
    expect(problem('{"a": 1} SECRET')).toBe('line 1, column 10: Unexpected non-whitespace character after JSON');
    expect(problem('{"a": "x')).toBe('line 1, column 9: Unterminated string');
    expect(problem('{\n"a": 1 "b": 2}')).toBe("line 2, column 8: Expected ',' or '}' after property value");
  });

  it("gives the token, not V8's quote of the text around it", () => {
    expect(problem('GITHUB_TOKEN=ghp_0123456789abcdef')).toBe("line 1, column 1: Unexpected token 'G'");
    expect(problem('\n\n  ghp_0123456789abcdef')).toBe("line 3, column 3: Unexpected token 'g'");
  });

  it('names a character that would not show as U+XXXX: a no-break space, a second BOM, an emoji', () => {
    // V8 prints them as they are: ' ' for a no-break space read as a space, and half a surrogate pair for an emoji.
    expect(problem('[1,\u00a0 2]')).toBe('line 1, column 4: Unexpected token U+00A0');
    expect(problem('\ufeff{}')).toBe('line 1, column 1: Unexpected token U+FEFF');
    expect(problem('\u{1F511}SECRET')).toBe('line 1, column 1: Unexpected token U+1F511');
  });
});
