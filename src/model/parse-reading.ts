import { DeclarationSchema, type Declaration } from './documents.js';
import { declarationEmptyAsAbsent } from './empty.js';
import { convertInventory, convertLogistics, convertOrder, convertPayment } from './generated/converters.js';
import { isRecord } from './guards.js';
import { formatPath, type Issue } from './issue.js';
import { parseDeclaration } from './parse.js';

/**
 * The model of a declaration whose field errors all lie in fields a computation does not read, with the issues of
 * parsing it (as {@link parseDeclaration} gives them): each field in error is left out of the model, so nothing it
 * held reaches the computation. Undefined when the declaration parses (use {@link parseDeclaration}), when an error
 * lies where `reads` says the computation reads, or when a field in error is a list's entry or has no document to be
 * taken out of. `reads(path)` must accept every field the computation reads and every document, list and line that
 * holds one (`''`, `inventory`, `inventory.items`, `inventory.items[0]`): an error there (a document of the wrong
 * type, a line that is not an object) leaves the fields under it unknown.
 * The model lacks the fields in error, so it is for that computation only, not a declaration to build or send.
 */
export function parseDeclarationReading(
  given: unknown,
  reads: (path: string) => boolean,
): { data: Declaration; issues: Issue[] } | undefined {
  const input = declarationEmptyAsAbsent(given);
  const result = DeclarationSchema.safeParse(input);
  if (result.success || result.error.issues.some((zi) => reads(formatPath(zi.path)))) return undefined;
  let kept: unknown;
  try {
    kept = structuredClone(input);
  } catch {
    return undefined;
  }
  for (const zi of result.error.issues) {
    let holder: unknown = kept;
    for (const key of zi.path.slice(0, -1))
      holder =
        holder !== null && typeof holder === 'object' ? (holder as Record<string, unknown>)[key as string] : undefined;
    const key = zi.path.at(-1);
    if (!isRecord(holder) || typeof key !== 'string') return undefined;
    delete holder[key];
  }
  if (!isRecord(kept) || !isRecord(kept.order) || !isRecord(kept.inventory)) return undefined;
  const data = {
    order: convertOrder(kept.order),
    ...(isRecord(kept.payment) && { payment: convertPayment(kept.payment) }),
    ...(isRecord(kept.logistics) && { logistics: convertLogistics(kept.logistics) }),
    inventory: convertInventory(kept.inventory),
  } as unknown as Declaration;
  return { data, issues: parseDeclaration(given).issues };
}
