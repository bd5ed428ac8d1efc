// The parse issue codes: the exported table, the list in docs/xml.md, the codes the reader emits, and which of
// them customs' format check refuses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Issue } from '../../src/model/issue.js';
import { PARSE_ISSUE_CODES, parseCebXml, refusedByFormatCheck, type ParseIssueCode } from '../../src/xml/index.js';

const issue = (code: string, severity: Issue['severity']): Issue => ({
  code,
  severity,
  path: '',
  ruleId: 'xml/parse',
  message: { zh: '', en: '' },
});

describe('parse issue codes', () => {
  const codes = Object.keys(PARSE_ISSUE_CODES) as ParseIssueCode[];

  it('docs/xml.md lists every code with its severity and whether it is a CEB900, and no other', () => {
    const doc = readFileSync('docs/xml.md', 'utf8');
    const section = doc.slice(doc.indexOf('### Issue codes'), doc.indexOf('### Safety'));
    const rows = [...section.matchAll(/^\| `([a-z-]+)` +\| (error|warning) +\| (yes|no) +\|/gm)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    expect(rows).toEqual(
      codes.map((c) => {
        const info = PARSE_ISSUE_CODES[c];
        return [c, info.severity, info.severity === 'error' || 'formatCheck' in info ? 'yes' : 'no'];
      }),
    );
  });

  it('every code is one the reader emits (src/xml), so the table holds no stale code', () => {
    const dir = 'src/xml';
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'issues.ts')
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect(codes.filter((c) => !source.includes(`'${c}'`))).toEqual([]);
  });

  it('the format check refuses every error and the warnings the XSD refuses, no other warning', () => {
    expect(refusedByFormatCheck(issue('xml-value', 'error'))).toBe(true);
    expect(refusedByFormatCheck(issue('anything-else', 'error'))).toBe(true);
    const refusedWarnings = codes.filter((c) => refusedByFormatCheck(issue(c, 'warning')));
    expect(refusedWarnings).toEqual([
      'xml-unknown-element',
      'xml-unknown-attribute',
      'xml-element-order',
      'xml-root-name',
    ]);
    // An uncertain district field's value and a missing signature warn without a CEB900.
    expect(refusedByFormatCheck(issue('xml-value', 'warning'))).toBe(false);
    expect(refusedByFormatCheck(issue('signature-missing', 'warning'))).toBe(false);
    expect(refusedByFormatCheck(issue('no-such-code', 'warning'))).toBe(false);
  });

  it('issues carry the codes of the table and rule id xml/parse', () => {
    const xml = readFileSync('test/fixtures/ceb-spec/samples-202205/import/CEB311Message.xml', 'utf8')
      .replace('<ceb:OrderHead>', '<ceb:OrderHead id="1">x')
      .replace(/<ceb:orderNo>/, '<ceb:orderNo>\u3000');
    const issues = parseCebXml(xml).issues;
    expect(issues.map((i) => [i.code, i.ruleId])).toEqual([
      ['xml-unknown-attribute', 'xml/parse'],
      ['xml-unexpected-text', 'xml/parse'],
    ]);
    for (const i of issues) expect(codes).toContain(i.code);
  });
});
