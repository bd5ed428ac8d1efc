// Messages published by other projects (see test/fixtures/outside/README.md): each one parses, each
// signed one verifies or fails for the reason a person would give, each buildable one round-trips.
// Expectations that wait on work in progress carry `needs` and are listed in the README.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMessage,
  parseCebXml,
  toJsonValue,
  unwrapDxp,
  verifyMessage,
  verifyPayExchange,
  type BuildableType,
  type CebMessage,
  type DocumentOf,
} from '../../src/index.js';
import { makeKeys, type TestKeys } from '../sign/helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/outside/', import.meta.url));
const read = (f: string) => readFileSync(`${DIR}${f}`);

interface XmlCase {
  file: string;
  root: string;
  guid: string;
  documents: number;
  /** Fields of the first document, as JSON (amounts as decimal strings). */
  first: Record<string, unknown>;
  /** Issue codes of the (inner) message, in order. */
  issues: string[];
  dxp?: { msgType: string; senderId: string; receiverIds: string[] };
  verify?: { valid: true } | { valid: false; reason: string; cause?: string };
  roundTrip?: BuildableType;
  /** Work in progress elsewhere that this expectation depends on. */
  needs?: '816-fields';
}

const CASES: XmlCase[] = [
  {
    file: 'dandingtest/CEB622-logic-pass.xml',
    root: 'CEB622Message',
    guid: 'c988cb9e-ea4b-463a-87c4-36e3d24aa7d9',
    documents: 1,
    first: {
      guid: 'f5885dd5-b765-41de-8f0f-e5a30592885c',
      invtNo: '29242020I439440284',
      returnStatus: '120',
      returnTime: '20200615171556605',
      returnInfoParsed: { code: '1800', desc: '逻辑校验通过', details: [] },
    },
    issues: [],
  },
  {
    // A declared-OK receipt comes before customs numbers the inventory: no invtNo yet.
    file: 'dandingtest/CEB622-declared.xml',
    root: 'CEB622Message',
    guid: '48604738-C342-484F-8CA1-46BCF64098D0',
    documents: 1,
    first: {
      copNo: '124183351885',
      preNo: 'B20200615494000227',
      returnStatus: '2',
      returnTime: '20200615171550734',
      returnInfo: '清单新增申报成功[电商企业编码：4401962010订单编号：124183351885]',
    },
    issues: [],
  },
  {
    file: 'dandingtest/CEB622-released.xml',
    root: 'CEB622Message',
    guid: '0e24b0c5-8eea-429a-a08b-46a0bad0cabd',
    documents: 1,
    first: {
      invtNo: '29242020I439440284',
      returnStatus: '800',
      returnTime: '20200615171556654',
      returnInfoParsed: { code: '2600', desc: '放行', details: [] },
    },
    issues: [],
  },
  {
    // Real tax bills carry orderNo and logisticsNo in TaxHeadRd (not in the 2022-05 XSD); empty entDutyNo and note carry no value.
    file: 'dandingtest/CEB816-tax.xml',
    root: 'CEB816Message',
    guid: 'e98878cc-48ef-4ce5-968d-dddc3d47a304',
    documents: 1,
    first: {
      invtNo: '29242020I439440284',
      taxNo: '29242020I439440284_0',
      returnTime: '20200615171556658',
      customsTax: '0',
      valueAddedTax: '37.31',
      consumptionTax: '0',
      status: '1',
      orderNo: '124183351885',
      logisticsNo: 'JD0018734413066',
      items: [
        { gnum: 1, gcode: '2201101000', taxPrice: '410', customsTax: '0', valueAddedTax: '37.31', consumptionTax: '0' },
      ],
    },
    issues: [],
    needs: '816-fields',
  },
  {
    // The test data was edited after signing (goodsValue 12345678912345.12345, currency "aaa"): the digest no longer matches.
    file: 'fucl123-crs/DxpMsg-CEB303-signed.xml',
    root: 'CEB303Message',
    guid: '311af125-6fed-4603-8c5d-49b1fa4b4b9b',
    documents: 1,
    first: {
      guid: '704ea0f1-b229-4e89-9f2f-c2e550e95c86',
      orderNo: 'order2018050711340001',
      goodsValue: '12345678912345.12345',
      currency: '142',
    },
    issues: [],
    dxp: { msgType: 'CEB303Message', senderId: 'DXP1234567', receiverIds: ['DXPLGS0000000001'] },
    verify: { valid: false, reason: 'digest-mismatch' },
  },
  // The 2018 official samples (customs announcement 2018 No. 113), RSA-SHA1 signed. Their SignatureValue verifies
  // once SignedInfo is canonicalised with other namespace declarations in scope: signed before being inserted.
  {
    file: 'weasley-chinaport/CEB311Message-2018.xml',
    root: 'CEB311Message',
    guid: '4CDE1CFD-EDED-46B1-946C-B8022E42FC94',
    documents: 6,
    first: {
      orderNo: 'order20160321116421002',
      goodsValue: '14000',
      freight: '5000',
      taxTotal: '50',
      acturalPaid: '19050',
      buyerIdNumber: '130681136250023332',
    },
    issues: [],
    verify: { valid: false, reason: 'signature-mismatch', cause: 'signedinfo-namespaces' },
    roundTrip: 'CEB311',
  },
  {
    file: 'weasley-chinaport/CEB411Message-2018.xml',
    root: 'CEB411Message',
    guid: '4CDE1CFD-EDED-46B1-946C-B8022E42FC94',
    documents: 10,
    first: {
      orderNo: 'order2016030811340007',
      payTransactionId: 'P0242250007',
      amountPaid: '19050',
      payTime: '20160315153555',
    },
    issues: [],
    verify: { valid: false, reason: 'signature-mismatch', cause: 'signedinfo-namespaces' },
    roundTrip: 'CEB411',
  },
  {
    file: 'weasley-chinaport/CEB511Message-2018.xml',
    root: 'CEB511Message',
    guid: '4CDE1CFD-EDED-46B1-946C-B8022E42FC94',
    documents: 6,
    first: { logisticsNo: 'L201603081138007', orderNo: 'order20160321116421002', packNo: 6000, weight: '4000' },
    issues: [],
    verify: { valid: false, reason: 'signature-mismatch', cause: 'signedinfo-namespaces' },
    roundTrip: 'CEB511',
  },
  {
    file: 'weasley-chinaport/CEB621Message-2018.xml',
    root: 'CEB621Message',
    guid: '4CDE1CFD-EDED-46B1-946C-B8022E42FC94',
    documents: 10,
    first: {
      orderNo: 'order2016030811340001',
      copNo: 'NBBH20160308005',
      customsCode: '3700',
      logisticsNo: 'L201603081138007',
    },
    issues: [],
    verify: { valid: false, reason: 'signature-mismatch', cause: 'signedinfo-namespaces' },
    roundTrip: 'CEB621',
  },
];

function messageOf(c: XmlCase): { msg: CebMessage; signedXml: string } {
  const bytes = read(c.file);
  if (c.dxp) {
    const env = unwrapDxp(bytes);
    expect(env.issues.map((i) => i.code)).toEqual([]);
    expect(env.transInfo).toMatchObject(c.dxp);
    expect(env.message).toBeDefined();
    return { msg: env.message!, signedXml: env.payload! };
  }
  const p = parseCebXml(bytes);
  if (p.kind !== 'ceb') throw new Error(`${c.file} is not a CEB message`);
  return { msg: p, signedXml: bytes.toString('utf8') };
}

describe('outside corpus: parse', () => {
  it.each(CASES.map((c) => [`${c.file}${c.needs ? ` (needs ${c.needs})` : ''}`, c] as const))('%s', (_, c) => {
    const { msg } = messageOf(c);
    expect(msg.root).toBe(c.root);
    expect(msg.guid).toBe(c.guid);
    expect(msg.documents).toHaveLength(c.documents);
    expect(toJsonValue(msg.documents[0])).toMatchObject(c.first);
    expect(msg.issues.map((i) => `${i.code} ${i.path}`)).toEqual(c.issues);
  });
});

describe('outside corpus: signatures', () => {
  it.each(CASES.filter((c) => c.verify).map((c) => [c.file, c] as const))('%s', (_, c) => {
    const { signedXml } = messageOf(c);
    const v = verifyMessage(signedXml);
    const want = c.verify!;
    if (want.valid) {
      expect(v.valid).toBe(true);
      return;
    }
    expect(v).toMatchObject({ valid: false, reason: want.reason });
    if (!v.valid && want.cause) expect(v.diagnosis?.cause).toBe(want.cause);
  });
});

describe('outside corpus: build round-trip (field for field)', () => {
  const env = { now: () => new Date('2024-01-02T03:04:05Z'), newId: () => '00000000-0000-4000-8000-000000000000' };
  it.each(CASES.filter((c) => c.roundTrip).map((c) => [c.file, c] as const))('%s', (_, c) => {
    const { msg } = messageOf(c);
    const t = c.roundTrip!;
    const bt = msg.baseTransfer!;
    const built = buildMessage(t, msg.documents as unknown as DocumentOf[typeof t][], {
      ...env,
      guid: msg.guid,
      version: msg.version,
      sender: {
        copCode: bt.copCode!,
        copName: bt.copName!,
        dxpMode: bt.dxpMode,
        dxpId: bt.dxpId!,
        ...(bt.note ? { note: bt.note } : {}),
      },
    });
    expect(built.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(built.ok).toBe(true);
    const again = parseCebXml(built.xml!);
    if (again.kind !== 'ceb') throw new Error('not a CEB message');
    expect(again.root).toBe(msg.root);
    expect(again.guid).toBe(msg.guid);
    expect(toJsonValue(again.baseTransfer)).toEqual(toJsonValue(msg.baseTransfer));
    // Field for field: every document, head and lines, exactly as read from the published sample.
    expect(toJsonValue(again.documents)).toEqual(toJsonValue(msg.documents));
  });
});

describe('outside corpus: 179 payment data upload (payExInfoStr)', () => {
  // doc/响应json示例/179.json of Weasley-J/chinaport-data-signature: a service response around the payExInfoStr it uploaded.
  const sample = JSON.parse(read('weasley-chinaport/179.json').toString('utf8')) as {
    data: { payload: { payExInfoStr: string } };
  };
  const payExInfoStr = sample.data.payload.payExInfoStr;
  let keys: TestKeys;
  beforeAll(() => {
    keys = makeKeys();
  });
  afterAll(() => keys?.cleanup());

  it('is the published shape: sessionID, head, lists, serviceTime as a string, certNo, a 64-byte SM2 signValue', () => {
    const p = JSON.parse(payExInfoStr) as Record<string, unknown>;
    expect(Object.keys(p)).toEqual([
      'sessionID',
      'payExchangeInfoHead',
      'payExchangeInfoLists',
      'serviceTime',
      'certNo',
      'signValue',
    ]);
    expect(p).toMatchObject({
      sessionID: 'IHWESX-WEASLEY-20230712210643-X7E4PL',
      serviceTime: '1601282210417',
      certNo: '03000000000cde6f',
    });
    expect(Buffer.from(p.signValue as string, 'base64')).toHaveLength(64);
  });

  it('does not verify against a key that did not sign it (the UKey certificate is not published)', () => {
    expect(verifyPayExchange(payExInfoStr, { certificate: keys.text('sm2.crt') })).toMatchObject({
      valid: false,
      reason: 'signature-mismatch',
    });
  });

  it('names the certificate mismatch when the registered certNo differs', () => {
    expect(verifyPayExchange(payExInfoStr, { certificate: keys.text('sm2.crt'), certNo: '01691fe9' })).toMatchObject({
      valid: false,
      reason: 'certificate-mismatch',
    });
  });
});
