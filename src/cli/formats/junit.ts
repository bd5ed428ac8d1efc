import { xmlCharsOnly } from '../../xml/safety.js';
import { escapeAttr, escapeText } from '../../xml/serialize.js';
import type { DeclarationReport, LocatedIssue, Reporter } from './report.js';
import { type FormatEnv, reportPath } from './root-path.js';

/** An attribute value, and text: characters XML 1.0 forbids are dropped (a tab or line break in a value is kept as a reference). */
const attr = (s: string) => escapeAttr(xmlCharsOnly(s, ''));
const text = (s: string) => escapeText(xmlCharsOnly(s, ''));

const issueLine = (i: LocatedIssue, file: string) =>
  `${file}:${i.location.line}:${i.location.column}: ${i.severity} [${i.code}] ${i.path || '(input)'}: ${i.message.en} / ${i.message.zh}`;

/**
 * JUnit XML as CI test reports read it (Jenkins, GitLab, Azure DevOps, GitHub test-report
 * actions): a test suite per file, a test case per declaration, a `<failure>` per error
 * issue; warnings go to the test case's `<system-out>`. Written at the end. Each file is named as the other CI formats
 * name it ({@link reportPath}: from GITHUB_WORKSPACE or the working directory), not as the command line gave it: the
 * test-report actions that annotate a pull request from the `file` attribute look for a path from the checkout.
 */
export function junitReporter(write: (s: string) => void, runName = 'sandan validate', env: FormatEnv = {}): Reporter {
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
        `<testsuites name="${attr(runName)}" tests="${summary.declarations}" failures="${summary.invalid}" errors="0">`,
      ];
      for (const [label, list] of suites) {
        const file = reportPath(label, env).path;
        const failures = list.filter((r) => !r.valid).length;
        out.push(
          `  <testsuite name="${attr(file)}" tests="${list.length}" failures="${failures}" errors="0" skipped="0" file="${attr(file)}">`,
        );
        for (const r of list) {
          const name = `${file}:${r.line}${r.orderNo !== undefined ? ` (orderNo ${r.orderNo})` : ''}`;
          out.push(`    <testcase name="${attr(name)}" classname="${attr(file)}">`);
          for (const i of r.issues.filter((x) => x.severity === 'error'))
            out.push(
              `      <failure type="${attr(i.code)}" message="${attr(`[${i.code}] ${i.path || '(input)'}: ${i.message.en}`)}">${text(issueLine(i, file))}</failure>`,
            );
          const warnings = r.issues.filter((x) => x.severity !== 'error');
          if (warnings.length)
            out.push(`      <system-out>${text(warnings.map((w) => issueLine(w, file)).join('\n'))}</system-out>`);
          out.push('    </testcase>');
        }
        out.push('  </testsuite>');
      }
      out.push('</testsuites>');
      write(`${out.join('\n')}\n`);
    },
  };
}

/**
 * The JUnit XML of a run that failed before it had results (exit 2): one test suite `sandan` with one test case in
 * error (`<error>`, not `<failure>`: the check did not run), so that a test-report step after it shows why rather than
 * a parse error of an empty file.
 */
export function junitFailure(error: { code: string; message: string }, runName = 'sandan validate'): string {
  return `${[
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(runName)}" tests="1" failures="0" errors="1">`,
    `  <testsuite name="${attr(runName)}" tests="1" failures="0" errors="1" skipped="0">`,
    `    <testcase name="${attr(runName)}" classname="sandan">`,
    `      <error type="${attr(error.code)}" message="${attr(error.message)}">${text(error.message)}</error>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
  ].join('\n')}\n`;
}
