import type { z } from 'zod';
import { codePointLength } from './guards.js';

/**
 * A yes/no checker compiled from a zod schema, for the common case: most declarations are
 * well-formed, and answering "is it?" without building zod's issue machinery is several
 * times faster. Only when it says no does parsing run zod for the issues. The schema is
 * turned into straight-line JavaScript once (like zod's own JIT), falling back to closures
 * where code generation is not allowed. It understands the schema kinds the model uses;
 * anything else compiles to "no", which only costs speed.
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
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

class Unsupported extends Error {}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Generates the source of a checker; `refs` receives the regexes, sets and functions it uses. */
function generate(schema: z.ZodType): { source: string; refs: unknown[] } {
  const refs: unknown[] = [];
  const fns: string[] = [];
  let vars = 0;
  const ref = (x: unknown) => `r[${refs.push(x) - 1}]`;
  let cpl: string | undefined;

  /** The checks of a string (`text`: lengths in characters) or an array (lengths in elements). */
  const lengthConds = (def: Def, x: string, text: boolean): string[] =>
    (def.checks ?? []).map((c) => {
      const d = c._zod.def;
      // zod counts characters (code points), as the XSD does; .length counts UTF-16 units, which are as many or
      // up to twice as many. Characters are counted only where the units cannot decide (a 35-character guid with
      // an emoji is 36 units), so the usual text costs no count.
      if (!text) {
        if (d.check === 'min_length') return `${x}.length>=${d.minimum ?? 0}`;
        if (d.check === 'max_length') return `${x}.length<=${d.maximum ?? Infinity}`;
        if (d.check === 'length_equals') return `${x}.length===${d.length}`;
      }
      const n = (cpl ??= ref(codePointLength));
      if (d.check === 'min_length') {
        const min = d.minimum ?? 0;
        return `(${x}.length>=${2 * min}||${n}(${x})>=${min})`;
      }
      if (d.check === 'max_length') {
        const max = d.maximum ?? Infinity;
        return `(${x}.length<=${max}||${n}(${x})<=${max})`;
      }
      if (d.check === 'length_equals')
        return `(${x}.length===${d.length}?!${ref(SURROGATE)}.test(${x}):${x}.length>${d.length}&&${n}(${x})===${d.length})`;
      if (d.check === 'string_format' && d.pattern)
        return `${ref(new RegExp(d.pattern.source, d.pattern.flags.replace('g', '')))}.test(${x})`;
      throw new Unsupported(d.check);
    });

  // An expression that is true when the value in variable `x` is accepted.
  const cond = (s: z.ZodType, x: string): string => {
    const def = defOf(s);
    switch (def.type) {
      case 'optional':
        return `(${x}===undefined||${cond(def.innerType as z.ZodType, x)})`;
      case 'string':
        return `(typeof ${x}==='string'${lengthConds(def, x, true)
          .map((c) => `&&${c}`)
          .join('')})`;
      case 'literal':
        return def.values?.length === 1 && typeof def.values[0] === 'string'
          ? `(${x}===${JSON.stringify(def.values[0])})`
          : `${ref(new Set(def.values))}.has(${x})`;
      case 'enum':
        return `${ref(new Set(Object.values(def.entries ?? {})))}.has(${x})`;
      case 'custom':
        if (!def.fn || (def.checks?.length ?? 0) > 0) throw new Unsupported('custom');
        return `${ref(def.fn)}(${x})`;
      case 'object':
      case 'array':
        return `${fn(s)}(${x})`;
      default:
        throw new Unsupported(def.type);
    }
  };

  // A named function for an object or array schema.
  const fn = (s: z.ZodType): string => {
    const def = defOf(s);
    const name = `f${fns.length}`;
    fns.push('');
    let body: string;
    if (def.type === 'object') {
      const lines = ['if(v===null||typeof v!=="object"||Array.isArray(v))return false;'];
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const a = `a${vars++}`;
        lines.push(`const ${a}=v[${JSON.stringify(key)}];if(!${cond(field, a)})return false;`);
      }
      body = `${lines.join('')}return true;`;
    } else {
      const e = `e${vars++}`;
      body = `if(!Array.isArray(v)${lengthConds(def, 'v', false)
        .map((c) => `||!(${c})`)
        .join(
          '',
        )})return false;for(let i=0;i<v.length;i++){const ${e}=v[i];if(!${cond(def.element as z.ZodType, e)})return false;}return true;`;
    }
    fns[Number(name.slice(1))] = `function ${name}(v){${body}}`;
    return name;
  };

  const root = cond(schema, 'v');
  return { source: `${fns.join('\n')}\nreturn function accept(v){return ${root};};`, refs };
}

/** Compiles a schema into a fast accept/reject function. */
export function compileAccept(schema: z.ZodType): Accept {
  let generated: { source: string; refs: unknown[] };
  try {
    generated = generate(schema);
  } catch (e) {
    if (e instanceof Unsupported) return () => false;
    throw e;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiled once from our own schema, no input in the source
    return new Function('r', generated.source)(generated.refs) as Accept;
  } catch {
    // Code generation refused (e.g. a CSP): answer "no" and let zod do the work.
    return () => false;
  }
}
