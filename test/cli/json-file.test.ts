import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonSyntaxProblem, readJsonFile } from '../../src/cli/json-file.js';
import type { SandanError } from '../../src/errors.js';

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

describe('readJsonFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-json-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const refusal = async (path: string, what: string) => {
    try {
      await readJsonFile(path, what);
    } catch (e) {
      return `${(e as SandanError).code} ${(e as Error).message}`;
    }
    return 'read';
  };

  it('refuses a key given twice, whose first value JSON.parse drops: a rate with two VAT rates, a rule set twice', async () => {
    const rates = file('rates.json', '{ "19011010": { "vat": "0.13" }, "19011010": { "vat": "0.09" } }');
    expect(await refusal(rates, 'rate table')).toBe(
      `INVALID_OPTION ${rates}: 19011010 is given 2 times: JSON keeps only the last value of a key, so give each key once`,
    );
    const ruleset = file(
      'ruleset.json',
      '{ "id": "x", "version": "1", "rules": { "payment/amount": { "severity": "off" }, "payment/amount": {} } }',
    );
    expect(await refusal(ruleset, 'ruleset')).toMatch(/^RULESET_INVALID .*rules\.payment\/amount is given 2 times/);
  });

  it("of a package.json, only sandan's key: npm's own keys are npm's concern", async () => {
    const dir2 = join(dir, 'pkg');
    mkdirSync(dir2);
    const pkg = file('pkg/package.json', '{ "name": "a", "name": "b", "sandan": { "format": "json" } }');
    expect(await readJsonFile(pkg, 'configuration')).toEqual({ name: 'b', sandan: { format: 'json' } });
    const twice = file('pkg/package.json', '{ "sandan": { "format": "json", "format": "sarif" } }');
    expect(await refusal(twice, 'configuration')).toMatch(/sandan\.format is given 2 times/);
  });
});
