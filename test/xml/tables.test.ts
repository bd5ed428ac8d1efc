import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { contentModel, type Particle } from '../../src/xml/content-model.js';
import { CEB_EXPORT_ELEMENTS, CEB_IMPORT_ELEMENTS } from '../../src/model/generated/ceb-elements.js';
import { XSD_DIR } from './helpers.js';

type N = Record<string, unknown> & { ':@'?: Record<string, string> };
const tag = (n: N) => Object.keys(n).find((k) => k !== ':@');
const kids = (n: N) => (n[tag(n)!] as N[] | undefined) ?? [];

/** Reads every global element's sequence straight from the XSD, independently of the generator's own reader. */
function fromXsd(file: string): Map<string, Array<Omit<Particle, 'def'> & { complex: boolean }>> {
  const doc = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseTagValue: false,
  }).parse(readFileSync(join(XSD_DIR, file), 'utf8')) as N[];
  const schema = doc.find((n) => tag(n) === 'schema')!;
  const out = new Map<string, Array<Omit<Particle, 'def'> & { complex: boolean }>>();
  const seq = (ct: N, path: string) => {
    const s = kids(ct).find((c) => tag(c) === 'sequence');
    const list = (s ? kids(s) : []).filter((c) => tag(c) === 'element');
    out.set(
      path,
      list.map((c) => {
        const a = c[':@'] ?? {};
        const name = (a.ref ?? a.name ?? '').replace(/^\w+:/, '');
        const inner = kids(c).find((x) => tag(x) === 'complexType');
        if (inner) seq(inner, `${path}/${name}`);
        const st = kids(c).find((x) => tag(x) === 'simpleType');
        const base = st
          ? kids(kids(st).find((x) => tag(x) === 'restriction')!)[0] &&
            kids(st).find((x) => tag(x) === 'restriction')![':@']!.base
          : a.type;
        const kind = base === 'xs:decimal' ? 'd' : base === 'xs:int' ? 'i' : base === 'ceb:XMLElement' ? 'x' : 's';
        const complex = Boolean(inner) || (a.ref !== undefined && !a.ref.startsWith('ds:'));
        const p = {
          name,
          ns: a.ref?.startsWith('ds:') ? 'ds' : 'ceb',
          min: a.minOccurs === undefined ? 1 : Number(a.minOccurs),
          max: a.maxOccurs === undefined ? 1 : a.maxOccurs === 'unbounded' ? Infinity : Number(a.maxOccurs),
          complex,
        } as const;
        return complex || p.ns === 'ds' ? p : { ...p, kind };
      }),
    );
  };
  for (const el of kids(schema).filter((c) => tag(c) === 'element')) {
    const ct = kids(el).find((x) => tag(x) === 'complexType');
    if (ct) seq(ct, el[':@']!.name!);
  }
  return out;
}

describe('the generated element descriptors match the official XSDs', () => {
  for (const [schema, file, table] of [
    ['import', 'ceb-import.xsd', CEB_IMPORT_ELEMENTS],
    ['export', 'ceb-export.xsd', CEB_EXPORT_ELEMENTS],
  ] as const) {
    it(file, () => {
      const xsd = fromXsd(file);
      expect(Object.keys(table).sort()).toEqual([...xsd.keys()].sort());
      for (const [key, particles] of xsd) {
        const ours = contentModel(schema, key).map(({ def, ...p }) => ({ ...p, complex: def !== undefined }));
        expect(ours, key).toEqual(particles);
      }
    });
  }
});
