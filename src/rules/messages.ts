import type { Message } from '../model/issue.js';
import type { MessageData, MessageTemplate, Rule } from './types.js';

/** `{name}` in a message template. */
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/**
 * A template text cut at its placeholders once: literal texts at even indexes, placeholder names
 * at odd ones. Every issue of every validation renders a message, and a regular-expression
 * replace per language per issue was 6 % of `validate` (docs/performance.md, session 11).
 */
const compiled = new Map<string, string[]>();

function partsOf(text: string): string[] {
  let parts = compiled.get(text);
  if (parts === undefined) {
    parts = text.split(PLACEHOLDER);
    // A rule's templates are a fixed set; a bound keeps a caller's own templates from growing it.
    if (compiled.size > 4096) compiled.clear();
    compiled.set(text, parts);
  }
  return parts;
}

/** The placeholder names of a template text, in order of first use. */
export function placeholders(text: string): string[] {
  return [...new Set(partsOf(text).filter((_, i) => i % 2 === 1))];
}

function fill(text: string, lang: keyof Message, data: MessageData | undefined): string {
  const parts = partsOf(text);
  if (parts.length === 1) return text;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const v = data?.[name];
    if (v === undefined) throw new Error(`message placeholder {${name}} has no value`);
    out += (typeof v === 'object' ? v[lang] : String(v)) + parts[i + 1]!;
  }
  return out;
}

/**
 * Fills a message template from a report's data: strings and numbers as they are, a `{zh, en}`
 * value in each language. A placeholder without a value is a bug in the rule and throws (the
 * engine reports it as `rule-failed`).
 */
export function renderMessage(template: MessageTemplate, data: MessageData | undefined): Message {
  return { zh: fill(template.zh, 'zh', data), en: fill(template.en, 'en', data) };
}

/** The issue code a message of the rule reports: the template's `code`, else the message id. */
export function codeOf(rule: Pick<Rule, 'messages'>, messageId: string): string {
  return rule.messages[messageId]?.code ?? messageId;
}
