import type { Decimal } from 'decimal.js';
import type { Declaration } from '../model/documents.js';
import { isRecord } from '../model/guards.js';
import type { Issue } from '../model/issue.js';
import { Dec, toDecimal } from '../model/primitives.js';
import type { CodeTables } from './codes.js';
import type { DistrictSection } from './district.js';
import type { Policy } from './policy.js';
import type { RuleServices } from './services.js';
import type { DocumentName, DocView, LinedDocumentName, LineView, RuleContext } from './types.js';

type Rec = Readonly<Record<string, unknown>>;

/** Builds the tolerant view rules read the input through. */
export function createContext(args: {
  input: unknown;
  declaration: Declaration | undefined;
  at: string;
  policy: Policy;
  district?: DistrictSection | undefined;
  codes: CodeTables;
  parseIssues: readonly Issue[];
  services: RuleServices;
}): RuleContext {
  // Rules read the parsed declaration when there is one (its amounts are already Decimal),
  // else the raw input, tolerantly.
  const view: unknown = args.declaration ?? args.input;
  const root = isRecord(view) ? view : undefined;
  const docRec = (name: DocumentName): Rec | undefined => {
    const d = root?.[name];
    return isRecord(d) ? d : undefined;
  };
  // Each rule walks the lines again: list them once per validation.
  const lineCache = new Map<LinedDocumentName, Array<{ index: number; line: Rec }>>();
  const listLines = (name: LinedDocumentName): Array<{ index: number; line: Rec }> => {
    const out: Array<{ index: number; line: Rec }> = [];
    const items = docRec(name)?.items;
    if (Array.isArray(items)) {
      for (let index = 0; index < items.length; index++) {
        const line: unknown = items[index];
        if (isRecord(line)) out.push({ index, line });
      }
    }
    return out;
  };
  // Several rules read the same amounts: parse each once per validation (the parsed
  // declaration's amounts already are Decimal, and a missing field is undefined).
  let decCache: Map<object, Map<string, Decimal | undefined>> | undefined;
  // Values shared between rules live and die with the context. (Kept in a WeakMap keyed by the
  // context instead, they outlived it: V8 promoted them to the old generation, and garbage
  // collection took 8 µs of each validation instead of 1; docs/performance.md, session 12.)
  let onceCache: Map<object, unknown> | undefined;
  const { rates, positiveLists, goodsRecords, quota, annualQuantities } = args.services;
  return {
    input: args.input,
    declaration: args.declaration,
    at: args.at,
    policy: args.policy,
    district: args.district,
    codes: args.codes,
    parseIssues: args.parseIssues,
    rates,
    positiveLists,
    goodsRecords,
    quota,
    annualQuantities,
    doc: <N extends DocumentName>(name: N) => docRec(name) as DocView<N> | undefined,
    lines<N extends LinedDocumentName>(name: N) {
      let lines = lineCache.get(name);
      if (lines === undefined) lineCache.set(name, (lines = listLines(name)));
      return lines as Array<{ index: number; line: LineView<N> }>;
    },
    str(rec, key) {
      const v = (rec as Rec | undefined)?.[key];
      return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    },
    dec(rec, key): Decimal | undefined {
      if (rec === undefined) return undefined;
      const v = (rec as Rec)[key];
      if (v instanceof Dec) return v;
      if (v === undefined) return undefined;
      decCache ??= new Map();
      let byKey = decCache.get(rec);
      if (byKey === undefined) decCache.set(rec, (byKey = new Map()));
      if (byKey.has(key)) return byKey.get(key);
      const d = toDecimal(v);
      byKey.set(key, d);
      return d;
    },
    once<T>(key: object, compute: () => T): T {
      onceCache ??= new Map();
      if (onceCache.has(key)) return onceCache.get(key) as T;
      const value = compute();
      onceCache.set(key, value);
      return value;
    },
  };
}
