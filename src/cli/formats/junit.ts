import { xmlCharsOnly } from '../../xml/safety.js';
import type { DeclarationReport, LocatedIssue, Reporter } from './report.js';

/** Text for XML content and attribute values; characters XML 1.0 forbids are dropped. */
function xmlEscape(s: string): string {
  return xmlCharsOnly(s, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const issueLine = (i: LocatedIssue) =>
  `${i.location.file}:${i.location.line}:${i.location.column}: ${i.severity} [${i.code}] ${i.path || '(input)'}: ${i.message.en} / ${i.message.zh}`;

/**
 * JUnit XML as CI test reports read it (Jenkins, GitLab, Azure DevOps, GitHub test-report
 * actions): a test suite per file, a test case per declaration, a `<failure>` per error
 * issue; warnings go to the test case's `<system-out>`. Written at the end.
 */
export function junitReporter(write: (s: string) => void, runName = 'sandan validate'): Reporter {
  const suites = new Map<string, DeclarationReport[]>();
  return {
    declaration(r) {
      const list = suites.get(r.file) ?? [];
      if (!suites.has(r.file)) suites.set(r.file, list);
      // Keep only what the XML needs.
      list.push(r);
    },
    end(summary) {
      const out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="${xmlEscape(runName)}" tests="${summary.declarations}" failures="${summary.invalid}" errors="0">`,
      ];
      for (const [file, list] of suites) {
        const failures = list.filter((r) => !r.valid).length;
        out.push(
          `  <testsuite name="${xmlEscape(file)}" tests="${list.length}" failures="${failures}" errors="0" skipped="0" file="${xmlEscape(file)}">`,
        );
        for (const r of list) {
          const name = `${r.file}:${r.line}${r.orderNo !== undefined ? ` (orderNo ${r.orderNo})` : ''}`;
          out.push(`    <testcase name="${xmlEscape(name)}" classname="${xmlEscape(file)}">`);
          for (const i of r.issues.filter((x) => x.severity === 'error'))
            out.push(
              `      <failure type="${xmlEscape(i.code)}" message="${xmlEscape(`[${i.code}] ${i.path || '(input)'}: ${i.message.en}`)}">${xmlEscape(issueLine(i))}</failure>`,
            );
          const warnings = r.issues.filter((x) => x.severity !== 'error');
          if (warnings.length)
            out.push(`      <system-out>${xmlEscape(warnings.map(issueLine).join('\n'))}</system-out>`);
          out.push('    </testcase>');
        }
        out.push('  </testsuite>');
      }
      out.push('</testsuites>');
      write(`${out.join('\n')}\n`);
    },
  };
}
