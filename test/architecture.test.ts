import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * The layers of docs/architecture.md, enforced: what each folder of src/ may import, and that the
 * core (model, rules, tax, xml, sign, time) does no I/O and reads no clock. A new import that crosses
 * a layer fails here; change the table (and the document) only on purpose.
 */

const SRC = new URL('../src/', import.meta.url).pathname;

/** Folder (or root file) → the folders and root files it may import besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  errors: [],
  redact: ['errors'],
  // The file-system edge: folder walking, reading a file the user names, atomic writes.
  io: ['errors'],
  time: ['errors'],
  model: ['errors', 'time'],
  tax: ['errors', 'time', 'model'],
  // rules reads the receipt catalogue (xml/receipts) and the district extension fields (xml/extensions).
  rules: ['errors', 'time', 'model', 'tax', 'xml'],
  xml: ['errors', 'time', 'model'],
  // sign/load.ts reads key files through io's reader (an I/O import: see IMPURE).
  sign: ['errors', 'time', 'model', 'xml', 'rules', 'io'],
  // quota's SQLite and PostgreSQL stores load their optional drivers through io (an I/O edge).
  quota: ['errors', 'time', 'model', 'rules', 'xml', 'redact', 'io'],
  reconcile: ['errors', 'time', 'model', 'rules', 'tax', 'xml', 'quota', 'io'],
  emulator: ['errors', 'time', 'model', 'rules', 'tax', 'xml', 'sign', 'quota', 'reconcile', 'redact', 'io'],
  cli: ['errors', 'time', 'model', 'rules', 'tax', 'xml', 'sign', 'quota', 'reconcile', 'emulator', 'redact', 'io'],
  index: ['errors', 'time', 'model', 'rules', 'tax', 'xml', 'sign', 'quota', 'reconcile', 'redact', 'io'],
};

/** The pure core: no file system, network, process, clock or randomness. */
const CORE = ['time', 'model', 'tax', 'rules', 'xml', 'sign'];
const IMPURE = [
  /from 'node:(fs|fs\/promises|net|http|https|child_process|worker_threads|os|process)'/,
  // The file-system edge (src/io): I/O by import.
  /from '(\.\.\/)+io\//,
  /\bDate\.now\(/,
  /new Date\(\)/,
  /\bMath\.random\(/,
  /\bprocess\.(env|argv|cwd|exit|stdout|stderr)\b/,
];
/** Edges inside the core, each with why (docs/architecture.md lists them too). */
const CORE_EDGES: Record<string, string> = {
  'sign/load.ts': 'reads key and certificate files for the signers (the one file-reading helper of sign)',
  'sign/payex.ts': 'the 179 upload stamps serviceTime with the clock when the caller passes none',
};

/**
 * The WeakMaps of src/, each with what it is keyed by: objects that live as long as the process
 * or the caller's own object. A WeakMap keyed by something made per call (a validation's rule
 * context) made V8 promote its values and slowed validate 1.6 times (docs/performance.md,
 * session 12): such a value belongs on the object itself (RuleContext.once).
 */
const WEAK_MAPS: Record<string, string> = {
  'sign/signer.ts': 'certificates the caller passes and keeps (a signer reads its own once)',
  'xml/parse.ts': 'the generated content models (module constants)',
  'xml/content-model.ts': 'particles of the generated content models (module constants)',
  'tax/formula.ts': 'rate and policy constants (rate tables and rulesets, loaded once)',
};

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = `${dir}/${name}`;
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|mts|cts)$/.test(name)) out.push(p.slice(SRC.length));
  }
  return out;
}

const layerOf = (rel: string) => rel.split('/')[0]!.replace(/\.(ts|mts|cts|js)$/, '');
const all = files(SRC.replace(/\/$/, ''));

/** The imports of a file (path relative to src/) that cross into a layer it may not use. */
function crossingsOf(f: string, text: string): string[] {
  const out: string[] = [];
  const from = layerOf(f);
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = new URL(m[1]!, `file://${SRC}${f}`).pathname;
    if (!target.startsWith(SRC)) continue; // package.json, rulesets/ and other data beside src/
    const to = layerOf(target.slice(SRC.length));
    if (to !== from && !MAY_IMPORT[from]!.includes(to)) out.push(`${f} → ${to} (${m[1]})`);
  }
  return out;
}

describe('architecture', () => {
  it('every folder of src/ has a row in the layer table', () => {
    for (const f of all) expect(MAY_IMPORT[layerOf(f)], `${f} has no layer`).toBeDefined();
  });

  it('each file imports only from its own folder and the layers below it', () => {
    expect(all.flatMap((f) => crossingsOf(f, readFileSync(SRC + f, 'utf8')))).toEqual([]);
  });

  it('the core does no I/O and reads no clock, but at its named edges', () => {
    const found: string[] = [];
    for (const f of all) {
      if (!CORE.includes(layerOf(f)) || CORE_EDGES[f]) continue;
      const text = readFileSync(SRC + f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      for (const re of IMPURE) if (re.test(text)) found.push(`${f}: ${re.source}`);
    }
    expect(found).toEqual([]);
    // Each named edge still is one (else the exception is stale).
    for (const f of Object.keys(CORE_EDGES)) {
      const text = readFileSync(SRC + f, 'utf8');
      expect(
        IMPURE.some((re) => re.test(text)),
        f,
      ).toBe(true);
    }
  });

  it('each WeakMap is keyed by long-lived objects, and named in WEAK_MAPS with its keys', () => {
    const found: Record<string, number> = {};
    for (const f of all) {
      const text = readFileSync(SRC + f, 'utf8').replace(/\/\/.*$/gm, '');
      const n = text.match(/new WeakMap\b/g)?.length ?? 0;
      if (n > 0) found[f] = n;
    }
    expect(Object.keys(found).sort()).toEqual(Object.keys(WEAK_MAPS).sort());
    for (const [f, n] of Object.entries(found)) expect(n, f).toBe(1);
  });

  it('every file the document names exists (a merged or renamed module leaves no stale row)', () => {
    const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');
    const named = [...doc.matchAll(/`((?:src|test|bench|docs|scripts|rulesets|schemas)\/[^`\s<>]*)`/g)].map(
      (m) => m[1]!,
    );
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !existsSync(new URL(`../${p}`, import.meta.url)))).toEqual([]);
  });

  it('catches a crossing (the check itself works)', () => {
    expect(crossingsOf('model/x.ts', "import { parseCebXml } from '../xml/parse.js';")).toEqual([
      'model/x.ts → xml (../xml/parse.js)',
    ]);
    expect(crossingsOf('xml/core/x.ts', "const m = await import('../../cli/main.js');")).toHaveLength(1);
    expect(crossingsOf('xml/core/x.ts', "import { Dec } from '../../model/primitives.js';")).toEqual([]);
  });
});
