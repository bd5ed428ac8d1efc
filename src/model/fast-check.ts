import type { z } from 'zod';

/**
 * A yes/no checker compiled from a zod schema, for the common case: most declarations are
 * well-formed, and answering "is it?" without building zod's issue machinery is several
 * times faster. Only when it says no does parsing run zod for the issues. It understands the
 * schema kinds the model uses; anything else compiles to "no", which only costs speed.
 */
export type Accept = (value: unknown) => boolean;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, unknown>;
  fn?: (v: unknown) => unknown;
  checks?: Array<{ _zod: { def: CheckDef } }>;
}

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  pattern?: RegExp;
  format?: string;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const NO: Accept = () => false;

function lengthChecks(def: Def): Accept | undefined {
  const tests: Array<(v: { length: number }) => boolean> = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'min_length') tests.push((v) => v.length >= (d.minimum ?? 0));
    else if (d.check === 'max_length') tests.push((v) => v.length <= (d.maximum ?? Infinity));
    else if (d.check === 'length_equals') tests.push((v) => v.length === d.length);
    else if (d.check === 'string_format' && d.pattern) {
      const re = new RegExp(d.pattern.source, d.pattern.flags.replace('g', ''));
      tests.push((v) => re.test(v as unknown as string));
    } else return undefined;
  }
  return (v) => {
    for (const t of tests) if (!t(v as { length: number })) return false;
    return true;
  };
}

/** Compiles a schema into a fast accept/reject function. */
export function compileAccept(schema: z.ZodType): Accept {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const fields = Object.entries(def.shape ?? {}).map(([k, s]) => [k, compileAccept(s)] as const);
      return (v) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
        const rec = v as Record<string, unknown>;
        for (const [k, accept] of fields) if (!accept(rec[k])) return false;
        return true;
      };
    }
    case 'optional': {
      const inner = compileAccept(def.innerType as z.ZodType);
      return (v) => v === undefined || inner(v);
    }
    case 'string': {
      const checks = lengthChecks(def);
      if (!checks) return NO;
      return (v) => typeof v === 'string' && checks(v);
    }
    case 'literal': {
      const values = new Set(def.values);
      return (v) => values.has(v);
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => values.has(v);
    }
    case 'custom': {
      const fn = def.fn;
      if (!fn || (def.checks?.length ?? 0) > 0) return NO;
      return (v) => Boolean(fn(v));
    }
    case 'array': {
      const element = compileAccept(def.element as z.ZodType);
      const checks = lengthChecks(def);
      if (!checks) return NO;
      return (v) => {
        if (!Array.isArray(v) || !checks(v)) return false;
        for (const e of v) if (!element(e)) return false;
        return true;
      };
    }
    default:
      return NO;
  }
}
