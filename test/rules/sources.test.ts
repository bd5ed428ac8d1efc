import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { citation, sourceLabel, sourceRefs, type Source } from '../../src/model/sources.js';
import { loadCodeTable, loadPositiveList, loadRuleset, parseRateTable, RULES } from '../../src/index.js';
import { receiptCatalogue } from '../../src/xml/index.js';

const ROOT = new URL('../../', import.meta.url);
const readJson = (p: string) => JSON.parse(readFileSync(new URL(p, ROOT), 'utf8')) as Record<string, unknown>;
const dir = (d: string) =>
  readdirSync(new URL(d, ROOT))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${d}${f}`);

/** Every data file with sources, and how it is loaded. */
const FILES: Array<[string, (data: unknown, origin: string) => unknown]> = [
  ['rulesets/national.json', (d, o) => loadRuleset(d, RULES, o)],
  ...dir('rulesets/districts/').map((f): [string, (d: unknown, o: string) => unknown] => [
    f,
    (d, o) => loadRuleset(d, RULES, o),
  ]),
  ...dir('rulesets/codes/').map((f): [string, (d: unknown, o: string) => unknown] => [
    f,
    (d, o) => loadCodeTable(d, o),
  ]),
  ...dir('rulesets/positive-list/').map((f): [string, (d: unknown, o: string) => unknown] => [
    f,
    (d, o) => loadPositiveList(d, o),
  ]),
  ['rulesets/rates/cbec-rates.json', (d, o) => parseRateTable(d, o)],
];

const sourcesOf = (data: Record<string, unknown>) => ((data.sources ?? data.$sources) as Source[] | undefined) ?? [];

describe('sources of the bundled data', () => {
  it.each(FILES)('%s loads through its schema, and every source it cites is in its sources', (file, load) => {
    const data = readJson(file);
    expect(() => load(data, file)).not.toThrow();
    const ids = new Set(sourcesOf(data).map((s) => s.id));
    const refs = sourceRefs(data);
    for (const { path, ref } of refs)
      for (const id of [ref].flat() as string[]) expect(ids.has(id), `${file} ${path.join('.')}: ${id}`).toBe(true);
  });

  it('the receipt catalogue loads and every entry cites its sources', () => {
    const c = receiptCatalogue();
    const ids = new Set(c.sources.map((s) => s.id));
    for (const e of [...c.statuses, ...c.codes])
      for (const id of [e.source].flat()) expect(ids.has(id), `${id}`).toBe(true);
  });

  it('no file points into the team notes, and a source names its document, not a path', () => {
    for (const [file] of [...FILES, ['rulesets/receipts.json'] as const]) {
      const text = readFileSync(new URL(file, ROOT), 'utf8');
      expect(text, file).not.toMatch(/\.\.\/shared|tax-quota-districts\.md|ceb-messages\.md|"where":/);
    }
  });

  it('a primary document cited in several files is the same document everywhere (issuer, number, title)', () => {
    const seen = new Map<string, { file: string; key: string }>();
    for (const [file] of [...FILES, ['rulesets/receipts.json'] as const]) {
      for (const s of sourcesOf(readJson(file)).filter((x) => x.kind === 'primary')) {
        const key = JSON.stringify([s.issuer, s.number, s.title, s.kind]);
        const first = seen.get(s.id);
        if (first) expect(key, `${s.id} in ${file} and ${first.file}`).toBe(first.key);
        else seen.set(s.id, { file, key });
      }
    }
    expect(seen.get('CGS-2018-49')?.key).toBe(
      JSON.stringify([
        '财政部 海关总署 税务总局',
        '财关税〔2018〕49号',
        '关于完善跨境电子商务零售进口税收政策的通知',
        'primary',
      ]),
    );
  });
});

it('a source whose note says its full text was not read is not marked verified', () => {
  const overclaimed = FILES.flatMap(([file]) =>
    sourcesOf(readJson(file))
      .filter((s) => /full text was not read/.test(s.note ?? '') && (s.confidence ?? 'verified') === 'verified')
      .map((s) => `${file} ${s.id}`),
  );
  expect(overclaimed).toEqual([]);
  // 商财发〔2018〕486号 is cited by the national ruleset and ten districts, everywhere as likely.
  const cited = FILES.flatMap(([file]) => sourcesOf(readJson(file)).filter((s) => s.id === 'MOFCOM-2018-486'));
  expect(cited.length).toBe(11);
  expect(new Set(cited.map((s) => s.confidence))).toEqual(new Set(['likely']));
});

it('商财发〔2018〕486号 is cited alike in every ruleset: the same date and address, its 37 pilot cities as MOFCOM gives them', () => {
  const cited = FILES.flatMap(([file]) =>
    sourcesOf(readJson(file))
      .filter((s) => s.id === 'MOFCOM-2018-486')
      .map((s) => [file, s] as const),
  );
  expect(cited.length).toBe(11);
  expect(new Set(cited.map(([, s]) => JSON.stringify([s.date, s.url, s.confidence])))).toEqual(
    new Set([
      JSON.stringify(['2018-11-28', 'https://www.gov.cn/zhengce/zhengceku/2018-12/31/content_5437823.htm', 'likely']),
    ]),
  );
  for (const [file, s] of cited) {
    // The count is MOFCOM's own (its English release on 商财发〔2020〕15号); the list is the sum of three read rosters.
    expect(s.note, file).toContain('english.mofcom.gov.cn/article/newsrelease/significantnews/202002/20200202934796');
    expect(s.note, file).toContain('10 + 5 + 22 = 37');
    expect(s.note, file).not.toMatch(/list from memory\)/);
  }
});

describe('NO-DOCUMENT: values that rest on no document', () => {
  /** Every object in a data file whose `source` is NO-DOCUMENT alone, with its path. */
  const citing = (o: unknown, path: string, out: Array<[string, Record<string, unknown>]>) => {
    if (Array.isArray(o)) for (const [i, v] of o.entries()) citing(v, `${path}[${i}]`, out);
    else if (o !== null && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      if ([r.source].flat().join() === 'NO-DOCUMENT') out.push([path, r]);
      for (const [k, v] of Object.entries(r)) if (k !== 'sources') citing(v, `${path}.${k}`, out);
    }
    return out;
  };

  it('is cited only by texts marked memory or uncertain that raise no notice, as its note says', () => {
    const files = FILES.map(([f]) => f).filter((f) => sourcesOf(readJson(f)).some((s) => s.id === 'NO-DOCUMENT'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const data = readJson(file);
      const note = sourcesOf(data).find((s) => s.id === 'NO-DOCUMENT')?.note ?? '';
      expect(note, file).not.toMatch(/can warn but never fail/);
      expect(note, file).toContain('the rules do not read');
      for (const [path, entry] of citing(data, '$', [])) {
        expect(path, file).toMatch(/^\$\.district\.localRequirements\[\d+\]$/);
        expect(['memory', 'uncertain'], `${file} ${path}`).toContain(entry.confidence);
        expect(entry.notice, `${file} ${path}`).toBeUndefined();
      }
    }
    // In the customs code table NO-DOCUMENT is cited beside ORDER-43, by 3300 alone.
    const customs = readJson('rulesets/codes/customs.json') as { codes: Array<Record<string, unknown>> };
    const shared = customs.codes.filter((c) => [c.source].flat().includes('NO-DOCUMENT'));
    expect(shared.map((c) => [c.code, c.source, c.confidence])).toEqual([
      ['3300', ['NO-DOCUMENT', 'ORDER-43'], 'memory'],
    ]);
  });
});

describe('the source schema', () => {
  const base = { id: 'my-shop', version: '1', extends: 'national' };
  const load = (data: unknown) => () => loadRuleset(data, RULES, 'my.json');
  const doc = {
    id: 'CGS-2018-49',
    issuer: '财政部 海关总署 税务总局',
    number: '财关税〔2018〕49号',
    title: '关于完善跨境电子商务零售进口税收政策的通知',
    date: '2018-11-29',
    kind: 'primary',
  };

  it('accepts a structured source and resolves the policy source to the document number', () => {
    const r = loadRuleset(
      { ...base, sources: [doc], policy: { annualLimit: [{ value: '26000', source: 'CGS-2018-49' }] } },
      RULES,
      'my.json',
    );
    expect(r.data.sources?.[0]?.number).toBe('财关税〔2018〕49号');
  });

  it('refuses a string where a source belongs, with the path', () => {
    expect(load({ ...base, sources: ['财关税〔2018〕49号'] })).toThrowError(
      /my\.json: \$\.sources\[0\]: a source is an object with id, issuer, title, kind/,
    );
  });

  it('refuses a source without issuer, without kind, or with neither number nor section', () => {
    const { issuer: _i, ...noIssuer } = doc;
    expect(load({ ...base, sources: [noIssuer] })).toThrowError(/\$\.sources\[0\]\.issuer/);
    const { kind: _k, ...noKind } = doc;
    expect(load({ ...base, sources: [noKind] })).toThrowError(/\$\.sources\[0\]\.kind/);
    const { number: _n, ...noNumber } = doc;
    expect(load({ ...base, sources: [noNumber] })).toThrowError(
      /\$\.sources\[0\]\.number: a source needs the document `number` or the `section` relied on/,
    );
    expect(load({ ...base, sources: [{ ...doc, kind: 'blog' }] })).toThrowError(/\$\.sources\[0\]\.kind/);
    expect(load({ ...base, sources: [{ ...doc, where: '../notes.md' }] })).toThrowError(
      /\$\.sources\[0\]: Unrecognized key: "where"/,
    );
    expect(load({ ...base, sources: [doc, doc] })).toThrowError(
      /\$\.sources\[1\]\.id: source id "CGS-2018-49" appears twice/,
    );
  });

  it('refuses a free-text source and a source id the file does not list', () => {
    expect(
      load({
        ...base,
        sources: [doc],
        rules: { 'logistics/freight': { severity: 'error', source: 'CGS-2018-49: freight' } },
      }),
    ).toThrowError(/\$\.rules\["logistics\/freight"\]\.source: a source id such as "CGS-2018-49"/);
    expect(
      load({
        ...base,
        sources: [doc],
        policy: { annualLimit: [{ value: '26000', source: ['CGS-2018-49', 'CGS-2016-18'] }] },
      }),
    ).toThrowError(
      /\$\.policy\.annualLimit\[0\]\.source: cites unknown source "CGS-2016-18"; the file's sources are CGS-2018-49/,
    );
    expect(load({ ...base, policy: { annualLimit: [{ value: '26000', source: 'CGS-2018-49' }] } })).toThrowError(
      /cites source "CGS-2018-49" but the file lists no `sources`/,
    );
    try {
      load({ ...base, rules: { 'logistics/freight': { severity: 'error', source: 'X' } } })();
      expect.unreachable();
    } catch (e) {
      // A bad citation is not a bad option.
      expect((e as { code?: string }).code).toBe('RULESET_INVALID');
    }
  });

  it('code tables and positive lists refuse unknown source ids too', () => {
    const table = readJson('rulesets/codes/id-type.json') as { codes: Array<{ source: unknown }> };
    table.codes[0]!.source = 'NOPE';
    expect(() => loadCodeTable(table, 'id-type.json')).toThrowError(
      /id-type\.json: \$\.codes\.0\.source: cites unknown source "NOPE"/,
    );
    const table2 = readJson('rulesets/codes/id-type.json') as { sources: unknown[] };
    table2.sources = ['XSD'];
    expect(() => loadCodeTable(table2, 'id-type.json')).toThrowError(/\$\.sources\.0: a source is an object/);
  });

  it('labels and citations name the document', () => {
    expect(sourceLabel(doc as Source)).toBe('财关税〔2018〕49号');
    expect(
      sourceLabel({
        id: 'S',
        issuer: '海关总署',
        title: '海关跨境电商统一版系统企业对接报文规范（202205版）',
        section: '第6章',
        kind: 'spec',
      }),
    ).toBe('海关总署 《海关跨境电商统一版系统企业对接报文规范（202205版）》 第6章');
    expect(citation({ ...(doc as Source), url: 'https://example.org/49' })).toBe(
      '财政部 海关总署 税务总局 财关税〔2018〕49号 《关于完善跨境电子商务零售进口税收政策的通知》, 2018-11-29 <https://example.org/49>',
    );
    expect(
      citation({
        id: 'P',
        issuer: 'GitHub a/b',
        title: 'enum X',
        section: 'X.java',
        kind: 'secondary',
        confidence: 'likely',
      }),
    ).toBe('GitHub a/b "enum X", X.java, secondary source, citation likely');
  });
});
