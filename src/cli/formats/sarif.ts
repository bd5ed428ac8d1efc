import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import pkg from '../../../package.json';
import { docsUrl } from '../../model/docs-url.js';
import { type LocatedIssue, type Reporter, UNREADABLE_ISSUE } from './report.js';
import { type FormatEnv, pathFromRoot, type ReportPath, reportPath } from './root-path.js';

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
  return uriOf(pathFromRoot(file, windows, root), windows);
}

function uriOf(path: string, windows: boolean): string {
  const segments = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  return windows && /^[A-Za-z]:\//.test(path)
    ? `file:///${path.slice(0, 2)}${segments(path.slice(2))}`
    : segments(path);
}

/**
 * The `uriBaseId` of a path from a root (SARIF 2.1.0 artifactLocation): `%SRCROOT%`, the checkout (GITHUB_WORKSPACE, or the
 * working directory when it is not set; as CodeQL names it), or `WORKINGDIR`, the working directory when the file lies
 * under it but not under GITHUB_WORKSPACE.
 */
function baseIdOf(p: ReportPath, env: FormatEnv): string | undefined {
  if (p.root === undefined) return undefined;
  return p.workspace || !env.GITHUB_WORKSPACE ? '%SRCROOT%' : 'WORKINGDIR';
}

/**
 * The artifact location of a file: its path from the checkout ({@link reportPath}), marked with the base it is
 * relative to, whose absolute URI the run's `originalUriBaseIds` gives (`bases`); a file outside it as given.
 */
function artifactLocation(file: string, env: FormatEnv, bases: Map<string, string>) {
  const windows = sep === '\\';
  const p = reportPath(file, env, windows);
  const uriBaseId = baseIdOf(p, env);
  if (uriBaseId !== undefined && p.root !== undefined && !bases.has(uriBaseId)) {
    const href = pathToFileURL(p.root).href;
    bases.set(uriBaseId, href.endsWith('/') ? href : `${href}/`);
  }
  return { uri: uriOf(p.path, windows), ...(uriBaseId !== undefined && { uriBaseId }) };
}

/**
 * SARIF 2.1.0 (OASIS): one run whose rules are the issue codes found, results with level,
 * message (English; Chinese in properties), physical location (file, line, column in UTF-16
 * code units) and logical location (the path in the declaration), and, for an issue that
 * mirrors a customs or E-Port rejection, the code customs would answer with. Written at the end.
 */
export function sarifReporter(write: (s: string) => void, env: FormatEnv = {}): Reporter {
  const bases = new Map<string, string>();
  const rules = new Map<string, { index: number; issue: LocatedIssue }>();
  const results: unknown[] = [];
  // Files that could not be read (exit 2: not every file was checked), told as the invocation's notifications.
  const unread: unknown[] = [];
  return {
    declaration(r) {
      for (const i of r.issues) {
        if (i.code === UNREADABLE_ISSUE)
          unread.push({
            level: 'error',
            message: { text: i.message.en },
            // (the code of the error behind the issue: only FILE_UNREADABLE is reported so, see openInputs)
            descriptor: { id: 'FILE_UNREADABLE' },
            locations: [{ physicalLocation: { artifactLocation: artifactLocation(i.location.file, env, bases) } }],
          });
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
                artifactLocation: artifactLocation(i.location.file, env, bases),
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
      const log = sarifLog(
        {
          ...(bases.size > 0 && {
            originalUriBaseIds: Object.fromEntries([...bases].map(([id, uri]) => [id, { uri }])),
          }),
          ...(unread.length > 0 && {
            invocations: [{ executionSuccessful: false, toolExecutionNotifications: unread }],
          }),
          columnKind: 'utf16CodeUnits',
          results,
          properties: { summary },
        },
        [...rules.values()].map(({ issue: i }) => ({
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
      );
      write(`${JSON.stringify(log, null, 2)}\n`);
    },
  };
}

/** A SARIF 2.1.0 log of one run of sandan: `run`'s properties after the tool, whose rules are `rules`. */
function sarifLog(run: Record<string, unknown>, rules: unknown[] = []) {
  return {
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
            rules,
          },
        },
        ...run,
      },
    ],
  };
}

/**
 * The SARIF log of a run that failed before it had results (a usage error, a configuration or ruleset it could not
 * read, a folder with no declarations; exit 2): the failure as the invocation's tool execution notification
 * (SARIF 2.1.0 invocation: `executionSuccessful` false, `toolExecutionNotifications`), and an empty `results`, which
 * code scanning's upload requires (a consumer reads the run as failed from the invocation). An empty file left by `sandan … --format sarif > x.sarif` failed the upload
 * (`if: always()`) with a JSON syntax error that hid sandan's own message.
 */
export function sarifFailure(error: { code: string; message: string }): string {
  const log = sarifLog({
    invocations: [
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          { level: 'error', message: { text: error.message }, descriptor: { id: error.code } },
        ],
      },
    ],
    results: [],
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}
