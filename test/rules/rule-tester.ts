import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Issue, Message, Severity } from '../../src/model/issue.js';
import type { ExampleValue } from '../../src/rules/examples.js';
import { applySet, runExample } from '../../scripts/rule-examples.js';
import { codeOf, placeholders } from '../../src/rules/messages.js';
import type { MessageData, Report, Rule, RuleContext } from '../../src/rules/types.js';
import { fieldNameZh } from '../../src/model/field-names.js';
import { traceRule, type ValidateOptions } from '../../src/rules/validate.js';
import { parseRateTable } from '../../src/tax/rates.js';
import { defaultRegistry } from '../../src/rules/bundled.js';
import { example, exampleRates, type Json } from '../helpers/examples.js';

/*
 * A rule tester in the spirit of ESLint's RuleTester: each rule's test file lists `valid`
 * declarations (the rule reports nothing) and `invalid` ones with every issue the rule must
 * report, in order — code, path, severity and the data its message is rendered from (and,
 * where given, expected, actual, message id and the rendered message). The rule runs alone,
 * through the engine's rendering, under the ruleset the options resolve (national by default).
 * Every code and message id the rule declares must appear in an invalid case, and the rule's
 * documented examples must do what they say.
 */

/** One declaration to check. */
export interface TestCase {
  name: string;
  /** The bundled example declaration to start from; default `hangzhou-1210`. */
  base?: 'hangzhou-1210' | 'guangzhou-9610';
  /** A whole input instead of an example declaration. */
  input?: unknown;
  /** Fields to set by issue path; `null` removes the field. */
  set?: Readonly<Record<string, ExampleValue>>;
  /** Further changes, for what `set` cannot say. */
  mutate?: (d: Json) => void;
  /** Validation options (district, date, services, ruleset…); the example rate table is added. */
  options?: ValidateOptions;
  /** The rule's options (default: the ruleset's). */
  ruleOptions?: Readonly<Record<string, unknown>>;
  /** Stands in for part of the context (e.g. parse issues no input can produce). */
  context?: (ctx: RuleContext) => RuleContext;
}

/** One issue an invalid case expects. */
export interface ExpectedIssue {
  code: string;
  path: string;
  /** Default `error`. */
  severity?: Severity;
  /** The report's data, exactly (omit only for a message without placeholders). */
  data?: MessageData;
  messageId?: string;
  expected?: string | undefined;
  actual?: string | undefined;
  message?: Message;
}

export interface InvalidCase extends TestCase {
  errors: ExpectedIssue[];
}

export interface RuleTests {
  valid: TestCase[];
  invalid: InvalidCase[];
}

const RATES = parseRateTable(exampleRates());

function inputOf(c: TestCase): unknown {
  const d = c.input !== undefined ? structuredClone(c.input) : example(c.base ?? 'hangzhou-1210');
  if (c.set) applySet(d, c.set);
  c.mutate?.(d as Json);
  return d;
}

function run(rule: Rule, c: TestCase): Array<{ report: Report; issue: Issue }> {
  return traceRule(rule, inputOf(c), { rates: RATES, ...c.options }, c.ruleOptions, c.context);
}

/** Checks what every report must satisfy: a known message whose placeholders the data fills exactly. */
function checkReport(rule: Rule, { report, issue }: { report: Report; issue: Issue }): void {
  const template = rule.messages[report.messageId];
  expect(template, `message id ${report.messageId}`).toBeDefined();
  if (!template) return;
  const wanted = [...new Set([...placeholders(template.zh), ...placeholders(template.en)])].sort();
  expect(Object.keys(report.data ?? {}).sort(), `data of ${report.messageId}`).toEqual(wanted);
  expect(issue.ruleId).toBe(rule.id);
  expect(issue.code).toBe(codeOf(rule, report.messageId));
  for (const text of [issue.message.zh, issue.message.en]) {
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/\{[A-Za-z][A-Za-z0-9]*\}|undefined|\[object Object\]/);
  }
}

const DOCS: Parameters<typeof runExample>[2] = {
  declaration: (base) => example(base),
  rates: RATES,
};

/** Runs a rule's tests, its documented examples, and the check that every code and message is exercised. */
export function ruleTester(rule: Rule, tests: RuleTests): void {
  describe(rule.id, () => {
    describe('valid', () => {
      it.each(tests.valid.map((c) => [c.name, c] as const))('%s', (_, c) => {
        const found = run(rule, c);
        for (const t of found) checkReport(rule, t);
        expect(found.map((t) => t.issue)).toEqual([]);
      });
    });

    describe('invalid', () => {
      it.each(tests.invalid.map((c) => [c.name, c] as const))('%s', (_, c) => {
        const found = run(rule, c);
        for (const t of found) checkReport(rule, t);
        const shown = JSON.stringify(
          found.map((t) => ({ ...t.issue, data: t.report.data, messageId: t.report.messageId })),
          null,
          1,
        );
        expect(
          found.map((t) => [t.issue.code, t.issue.path]),
          shown,
        ).toEqual(c.errors.map((e) => [e.code, e.path]));
        c.errors.forEach((e, i) => {
          const { report, issue } = found[i] as { report: Report; issue: Issue };
          expect(issue.severity, `${e.code} severity`).toBe(e.severity ?? 'error');
          expect(report.data, `${e.code} data`).toEqual(e.data);
          if (e.messageId !== undefined) expect(report.messageId).toBe(e.messageId);
          if ('expected' in e) expect(issue.expected, `${e.code} expected`).toBe(e.expected);
          if ('actual' in e) expect(issue.actual, `${e.code} actual`).toBe(e.actual);
          if (e.message !== undefined) expect(issue.message).toEqual(e.message);
        });
      });
    });

    describe('documented examples', () => {
      it.each(rule.examples.valid.map((x) => [x.name, x] as const))('valid: %s', (_, x) => {
        expect(runExample(rule, x, DOCS)).toEqual([]);
      });
      it.each(rule.examples.invalid.map((x) => [x.name, x] as const))('invalid: %s', (_, x) => {
        const issues = runExample(rule, x, DOCS);
        expect(issues.map((i) => [i.code, i.path])).toContainEqual([x.code, x.path]);
      });
    });

    it('has an invalid case for every code and every message it declares', () => {
      const codes = new Set(tests.invalid.flatMap((c) => c.errors.map((e) => e.code)));
      const messageIds = new Set(tests.invalid.flatMap((c) => run(rule, c).map((t) => t.report.messageId)));
      expect(Object.keys(rule.codes).filter((code) => !codes.has(code))).toEqual([]);
      expect(Object.keys(rule.messages).filter((id) => !messageIds.has(id))).toEqual([]);
      // Every message reports a declared code, and every declared code has a message.
      const messageCodes = Object.keys(rule.messages).map((id) => codeOf(rule, id));
      expect(messageCodes.filter((code) => !(code in rule.codes))).toEqual([]);
      expect(Object.keys(rule.codes).filter((code) => !messageCodes.includes(code))).toEqual([]);
      expect(rule.examples.valid.length).toBeGreaterThan(0);
      expect(rule.examples.invalid.length).toBeGreaterThan(0);
    });
  });
}

/** The text of a source file of the project, for tests that read code (e.g. the parser's codes). */
export function projectFile(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
}

/**
 * The expectation of a mismatch between `path` and `otherPath` (the MISMATCH message): the
 * field's Chinese name comes from the model's name table.
 */
export function mismatch(
  code: string,
  path: string,
  otherPath: string,
  actual: string,
  expected: string,
): ExpectedIssue {
  return { code, path, expected, actual, data: { field: fieldNameZh(path), path, otherPath, actual, expected } };
}

/** The setting of one rule that the bundled national ruleset puts in force on `at` (severity, options, source label). */
export function nationalSetting(ruleId: string, at: string) {
  return defaultRegistry()
    .resolve('national', at)
    .rules.find((r) => r.rule.id === ruleId);
}
