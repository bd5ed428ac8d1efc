import type Decimal from 'decimal.js';
import type { Declaration } from '../model/documents.js';
import type { Issue } from '../model/issue.js';
import { Dec, toDecimal } from '../model/primitives.js';
import type { CodeTables } from './codes.js';
import type { DistrictSection } from './district.js';
import type { Policy } from './policy.js';
import type { DocumentName, Rec, RuleContext } from './types.js';

function isRec(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Builds the tolerant view rules read the input through. */
export function createContext(args: {
  input: unknown;
  declaration: Declaration | undefined;
  at: string;
  policy: Policy;
  district?: DistrictSection | undefined;
  codes: CodeTables;
  parseIssues: readonly Issue[];
  extras?: Record<string, unknown>;
}): RuleContext {
  // Rules read the parsed declaration when there is one (its amounts are already Decimal),
  // else the raw input, tolerantly.
  const view: unknown = args.declaration ?? args.input;
  const root = isRec(view) ? view : undefined;
  const lineCache = new Map<string, Array<{ index: number; line: Rec }>>();
  // Several rules read the same amounts: parse each once per validation.
  const decCache = new Map<Rec, Map<string, Decimal | undefined>>();
  return {
    input: args.input,
    declaration: args.declaration,
    at: args.at,
    policy: args.policy,
    district: args.district,
    codes: args.codes,
    parseIssues: args.parseIssues,
    extras: args.extras ?? {},
    doc(name: DocumentName) {
      const d = root?.[name];
      return isRec(d) ? d : undefined;
    },
    lines(name) {
      let out = lineCache.get(name);
      if (!out) {
        const items = this.doc(name)?.items;
        out = Array.isArray(items) ? items.flatMap((line, index) => (isRec(line) ? [{ index, line }] : [])) : [];
        lineCache.set(name, out);
      }
      return out;
    },
    str(rec, key) {
      const v = rec?.[key];
      return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    },
    dec(rec, key): Decimal | undefined {
      if (rec === undefined) return undefined;
      const v = rec[key];
      if (v instanceof Dec) return v;
      let byKey = decCache.get(rec);
      if (byKey === undefined) decCache.set(rec, (byKey = new Map()));
      if (byKey.has(key)) return byKey.get(key);
      const d = toDecimal(rec[key]);
      byKey.set(key, d);
      return d;
    },
  };
}
