import type { LinedDocumentName, LineView, RuleContext } from '../types.js';

/** A line's gnum when it is a whole number (fields/schema reports any other value). */
export function gnumOf(ctx: RuleContext, line: LineView<LinedDocumentName>): number | undefined {
  const v = ctx.str(line, 'gnum');
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
