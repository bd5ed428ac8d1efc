import type { Message } from '../model/issue.js';
import type { MessageData, MessageTemplate, Rule } from './types.js';

/** `{name}` in a message template. */
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholder names of a template text, in order of first use. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Fills a message template from a report's data: strings and numbers as they are, a `{zh, en}`
 * value in each language. A placeholder without a value is a bug in the rule and throws (the
 * engine reports it as `rule-failed`).
 */
export function renderMessage(template: MessageTemplate, data: MessageData | undefined): Message {
  const fill = (text: string, lang: keyof Message): string =>
    text.replace(PLACEHOLDER, (_, name: string) => {
      const v = data?.[name];
      if (v === undefined) throw new Error(`message placeholder {${name}} has no value`);
      return typeof v === 'object' ? v[lang] : String(v);
    });
  return { zh: fill(template.zh, 'zh'), en: fill(template.en, 'en') };
}

/** The issue code a message of the rule reports: the template's `code`, else the message id. */
export function codeOf(rule: Pick<Rule, 'messages'>, messageId: string): string {
  return rule.messages[messageId]?.code ?? messageId;
}
