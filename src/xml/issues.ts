import type { z } from 'zod';
import type { Issue } from '../model/issue.js';
import { zodIssuesToIssues } from '../model/parse.js';

/** Rule id of issues found while building a message. */
export const XML_BUILD_RULE_ID = 'xml/build';
/** Rule id of issues found while reading a message. */
export const XML_PARSE_RULE_ID = 'xml/parse';

/** Turns the zod issues of one document into sandan issues under `prefix` (e.g. `inventory`). */
export function documentIssues(error: z.ZodError, doc: unknown, prefix: string): Issue[] {
  return zodIssuesToIssues(error.issues, doc, { prefix, ruleId: XML_BUILD_RULE_ID });
}

/** An issue about the XML itself (parse side), with both messages. */
export function xmlIssue(code: string, severity: Issue['severity'], path: string, zh: string, en: string): Issue {
  return { code, severity, path, ruleId: XML_PARSE_RULE_ID, message: { zh, en } };
}
