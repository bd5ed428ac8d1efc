import { sep } from 'node:path';
import pkg from '../../../package.json';
import { docsUrl } from '../../model/docs-url.js';
import type { LocatedIssue, Reporter } from './report.js';
import { pathFromRoot } from './root-path.js';

/** Where rules and issue codes are documented. */
const RULES_DOC = docsUrl('rules.md');

/**
 * A file label as a SARIF artifact URI (a relative URI reference with `/` separators). Each segment is encoded
 * whole: encodeURI left `#` and `?` (the rest of the name read as a fragment or a query: another file) and `:`
 * (a first segment such as `orders-T10:15.json` read as a URI scheme). On Windows (`windows`) a path from a drive is
 * a `file:` URI, `C:/in/a.json` `file:///C:/in/a.json`: its encoded `C%3A/in/a.json` named a folder `C:` in the
 * checkout. (Elsewhere `C:/in` is such a folder, and a path from `/` is already one URI reference that resolves.)
 * A file inside `root` is written as its path from there ({@link pathFromRoot}), as code scanning maps an alert to a
 * file only by its path from the repository root.
 */
export function artifactUri(file: string, windows = sep === '\\', root = process.cwd()): string {
  const path = pathFromRoot(file, windows, root);
  const segments = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  return windows && /^[A-Za-z]:\//.test(path)
    ? `file:///${path.slice(0, 2)}${segments(path.slice(2))}`
    : segments(path);
}

/**
 * SARIF 2.1.0 (OASIS): one run whose rules are the issue codes found, results with level,
 * message (English; Chinese in properties), physical location (file, line, column in UTF-16
 * code units) and logical location (the path in the declaration), and, for an issue that
 * mirrors a customs or E-Port rejection, the code customs would answer with. Written at the end.
 */
export function sarifReporter(write: (s: string) => void): Reporter {
  const rules = new Map<string, { index: number; issue: LocatedIssue }>();
  const results: unknown[] = [];
  return {
    declaration(r) {
      for (const i of r.issues) {
        let rule = rules.get(i.code);
        if (!rule) {
          rule = { index: rules.size, issue: i };
          rules.set(i.code, rule);
        }
        results.push({
          ruleId: i.code,
          ruleIndex: rule.index,
          level: i.severity === 'error' ? 'error' : 'warning',
          message: { text: `${i.path || '(input)'}: ${i.message.en}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(i.location.file) },
                region: { startLine: i.location.line, startColumn: i.location.column },
              },
              ...(i.path && { logicalLocations: [{ fullyQualifiedName: i.path, kind: 'member' }] }),
            },
          ],
          properties: {
            sandanRule: i.ruleId,
            path: i.path,
            messageZh: i.message.zh,
            ...(r.orderNo !== undefined && { orderNo: r.orderNo }),
            ...(i.expected !== undefined && { expected: i.expected }),
            ...(i.actual !== undefined && { actual: i.actual }),
            ...(i.help && {
              customsCode: i.help.code,
              customsReceipt: i.help.receipt.en,
              customsReceiptZh: i.help.receipt.zh,
              fix: i.help.fix.en,
            }),
          },
        });
      }
    },
    end(summary) {
      const log = {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: 'sandan',
                version: pkg.version,
                semanticVersion: pkg.version,
                informationUri: pkg.homepage,
                rules: [...rules.values()].map(({ issue: i }) => ({
                  id: i.code,
                  shortDescription: { text: `${i.ruleId}: ${i.code}` },
                  helpUri: `${RULES_DOC}#issue-codes`,
                  ...(i.help && { help: { text: `${i.help.receipt.en}. ${i.help.fix.en}` } }),
                  defaultConfiguration: { level: i.severity === 'error' ? 'error' : 'warning' },
                  properties: {
                    sandanRule: i.ruleId,
                    ...(i.help && { customsCode: i.help.code }),
                  },
                })),
              },
            },
            columnKind: 'utf16CodeUnits',
            results,
            properties: { summary },
          },
        ],
      };
      write(`${JSON.stringify(log, null, 2)}\n`);
    },
  };
}
