/*
 * Misuse from JavaScript, where TypeScript would have refused the call: options that are null or
 * not an object, a number where a code is text, a PEM string where a list of certificates goes,
 * an invalid Date, bytes of the wrong length. sandan's rule is that misuse throws a SandanError with
 * a code, never a TypeError, RangeError or DecimalError from deep inside. Each case was a TypeError
 * (or RangeError, DecimalError, plain Error) before, found by calling every export with such values.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  buildMessage,
  DEFAULT_TAX_POLICY_2019,
  fromTaxInclusivePrice,
  loadRuleset,
  readCebDocuments,
  beijingDate8,
  CebScanner,
  defaultRegistry,
  convertToCny,
  createTaxCalculator,
  createValidator,
  Dec,
  decimalOfText,
  parseCebXml,
  parseReturnInfo,
  reconcile,
  reconcileFiles,
  scanCebText,
  signMessage,
  sm2DerToRaw,
  sm2RawToDer,
  status,
  unwrapDxp,
  validate,
  validateStream,
  verifyMessage,
  verifyPayExchange,
  wrapDxp,
} from '../src/index.js';
import {
  applyReceipt,
  applyReceipts,
  checkReturnWindow,
  MemoryQuotaStore,
  QuotaLedger,
  returnDeadlines,
  validateWithQuota,
} from '../src/quota/index.js';
import { type CustomsEmulator, createCustomsEmulator } from '../src/emulator/index.js';
import { openSqliteQuotaStore } from '../src/quota/sqlite.js';
import { example } from './helpers/examples.js';

const XML = '<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0"/>';
const ORDER = { ebpCode: '3301964J31', orderNo: 'SD1' };
const BILL = 'examples/finance/2026-11/bills/CEB816-000001.xml';
const SENDER = { copCode: '3301980BRK', copName: 'x', dxpId: 'DXPENT0000012345' };
const BUYER = '330106199003071519';
const WINDOW = { applyDays: 30, arriveDays: 45, dayCount: 'from-next-day' } as const;
const ledger = () => new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'a'.repeat(32) });
/** What `use` does with an emulator of its own (no transports), closed after. */
async function withEmulator(use: (c: CustomsEmulator) => unknown): Promise<unknown> {
  const c = await createCustomsEmulator({ http: false, folder: false });
  try {
    return await use(c);
  } finally {
    await c.close();
  }
}

/** Runs `call` and gives what it threw, as `{ name, code }` (or 'returned'). */
async function thrown(call: () => unknown): Promise<{ name: string; code?: string; message: string } | 'returned'> {
  try {
    await call();
    return 'returned';
  } catch (e) {
    const err = e as { name: string; code?: string; message: string };
    return { name: err.name, code: err.code, message: err.message };
  }
}

const cases: Array<[what: string, call: () => unknown, code: string, message?: RegExp]> = [
  // Options objects.
  // (it named createValidator, which validate calls)
  [
    'validate(input, null)',
    () => validate(example('hangzhou-1210'), null as never),
    'INVALID_OPTION',
    /^validate: the options must be an object, got null$/,
  ],
  [
    'validateStream(source, null)',
    async () => {
      for await (const _ of validateStream([{}], null as never));
    },
    'INVALID_OPTION',
    /^validateStream: the options must be an object, got null$/,
  ],
  // (a TypeError: "Cannot read properties of null")
  [
    'validateWithQuota(input, ledger, null)',
    () => validateWithQuota(example('hangzhou-1210'), ledger(), null as never),
    'INVALID_OPTION',
    /^validateWithQuota: the options must be an object, got null$/,
  ],
  ['createValidator("2900")', () => createValidator('2900' as never), 'INVALID_OPTION', /must be an object/],
  ['createTaxCalculator(null)', () => createTaxCalculator(null as never), 'INVALID_OPTION', /createTaxCalculator/],
  ['parseCebXml(xml, null)', () => parseCebXml(XML, null as never), 'INVALID_OPTION', /parseCebXml/],
  ['unwrapDxp(xml, [])', () => unwrapDxp(XML, [] as never), 'INVALID_OPTION', /got array/],
  ['verifyMessage(xml, null)', () => verifyMessage(XML, null as never), 'INVALID_OPTION'],
  ['signMessage(xml, signer, null)', () => signMessage(XML, {} as never, null as never), 'INVALID_OPTION'],
  ['wrapDxp(xml, null)', () => wrapDxp(XML, null as never), 'INVALID_OPTION'],
  ['wrapDxp(xml, {}) without now()', () => wrapDxp(XML, { senderId: 'DXPENT0000012345' } as never), 'INVALID_OPTION'],
  // A first build from JavaScript without the injected clock and ids: "env.newId is not a function" from inside.
  [
    'buildMessage without now and newId',
    () => buildMessage('CEB311', example('hangzhou-1210').order as never, { sender: SENDER } as never),
    'INVALID_OPTION',
    /^The build options need newId as a function \(newId: \(\) => randomUUID\(\), from 'node:crypto'\), got undefined: /,
  ],
  [
    'buildMessage of an order without appTime, without now',
    () =>
      buildMessage(
        'CEB311',
        { ...example('hangzhou-1210').order, appTime: undefined } as never,
        {
          sender: SENDER,
          newId: randomUUID,
        } as never,
      ),
    'INVALID_OPTION',
    /^The build options need now as a function \(now: one returning the time of sending as a Date\), got undefined: /,
  ],
  // (a TypeError: "id.toUpperCase is not a function")
  [
    'buildMessage with a newId that returns a number',
    () => buildMessage('CEB311', example('hangzhou-1210').order as never, { sender: SENDER, newId: () => 7 } as never),
    'INVALID_OPTION',
    /^newId\(\) must return a UUID \(36 characters with hyphens\), got 7$/,
  ],
  ['status(receipts, null)', () => status([], null as never), 'INVALID_OPTION'],
  ['reconcile(inputs, null)', () => reconcile({ declarations: [] }, null as never), 'INVALID_OPTION'],
  ['reconcileFiles(null)', () => reconcileFiles(null as never), 'INVALID_OPTION'],
  [
    'QuotaLedger.reserve(…, null)',
    () => ledger().reserve(ORDER, BUYER, '1', '2026-11-20', null as never),
    'QUOTA_INVALID',
  ],
  ['QuotaLedger.commit(order, "released")', () => ledger().commit(ORDER, 'released' as never), 'QUOTA_INVALID'],
  ['QuotaLedger.release(order, null)', () => ledger().release(ORDER, null as never), 'QUOTA_INVALID'],
  [
    'QuotaLedger.release(order, { ifCommitted: true })',
    () => ledger().release(ORDER, { ifCommitted: true as never }),
    'QUOTA_INVALID',
  ],
  // Its message quoted the year with JSON.stringify, which throws a TypeError for a BigInt.
  [
    'QuotaLedger.remaining(id, 2026n)',
    () => ledger().remaining(BUYER, 2026n as never),
    'QUOTA_INVALID',
    /got 2026n \(a BigInt\)$/,
  ],
  // A number key matched itself in memory, but came back from SQLite as text: the retry failed there.
  [
    'QuotaLedger.refund(order, amount, { key: 7 })',
    () => ledger().refund(ORDER, '1', { key: 7 as never }),
    'QUOTA_INVALID',
    /options\.key must be text/,
  ],
  ['QuotaLedger.remaining(id, 2026, null)', () => ledger().remaining(BUYER, 2026, null as never), 'QUOTA_INVALID'],
  [
    'applyReceipt(ledger, receipt, null)',
    () => applyReceipt(ledger(), { kind: 'CEB622', returnStatus: '800', orderNo: 'SD1' }, null as never),
    'QUOTA_INVALID',
  ],
  // Arguments of the wrong kind.
  // (RULESET_INVALID "ruleset option: $: Invalid input: expected object, received string")
  [
    'validate with a ruleset path, as --ruleset takes it',
    () => validate({}, { ruleset: 'examples/rulesets/acme-bonded.json' as never }),
    'INVALID_OPTION',
    /^validate: options\.ruleset is the ruleset's JSON \(or loadRuleset\(json, defaultRegistry\(\)\.rules\)\), got "examples\/rulesets\/acme-bonded\.json": read the file first/,
  ],
  [
    'validate with district 2900 as a number',
    () => validate({}, { district: 2900 as never }),
    'INVALID_OPTION',
    /'2900'/,
  ],
  ['parseCebXml(null)', () => parseCebXml(null as never), 'INVALID_OPTION', /string or bytes/],
  [
    'verifyMessage(bytes)',
    () => verifyMessage(new Uint8Array(3) as never),
    'INVALID_OPTION',
    // (a file read without an encoding: before, "got object")
    /^verifyMessage takes the XML as a string, got bytes \(a Buffer or Uint8Array\): read the file as text \(readFile\(path, 'utf8'\)\)/,
  ],
  [
    'verifyMessage with one PEM string as trustedCertificates',
    () => verifyMessage(XML, { trustedCertificates: '-----BEGIN CERTIFICATE-----' as never }),
    'INVALID_OPTION',
    /put one in \[ \]/,
  ],
  ['parseReturnInfo(null), a returnInfo column left empty', () => parseReturnInfo(null as never), 'INVALID_OPTION'],
  [
    'verifyPayExchange without a certificate',
    () => verifyPayExchange('{}', {} as never),
    'SIGN_CERT_INVALID',
    /PEM text, DER bytes or an X509Certificate, got undefined/,
  ],
  ['signMessage(xml, null)', () => signMessage(XML, null as never), 'INVALID_OPTION', /needs a signer/],
  ['parseCebXml(xml, { maxBytes: -1 })', () => parseCebXml(XML, { maxBytes: -1 }), 'INVALID_OPTION', /positive whole/],
  ['verifyMessage(xml, { maxBytes: "1e6" })', () => verifyMessage(XML, { maxBytes: '1e6' as never }), 'INVALID_OPTION'],
  ['status(null, { now })', () => status(null as never, { now: new Date() }), 'INVALID_OPTION', /iterable/],
  ['status([], {}) without now', () => status([], {} as never), 'INVALID_OPTION', /options\.now/],
  // (each threw a TypeError from inside: "Cannot read properties of null", "names is not iterable")
  ['status([null], { now })', () => status([null] as never, { now: new Date() }), 'INVALID_OPTION', /got null/],
  [
    'status of a receipt type it does not read (a CEB712)',
    () => status([{ messageType: 'CEB712', fields: {} }] as never, { now: new Date() }),
    'INVALID_OPTION',
    /messageType CEB712/,
  ],
  [
    'status of a receipt without fields',
    () => status([{ messageType: 'CEB622' }] as never, { now: new Date() }),
    'INVALID_OPTION',
    /receipts as \{ messageType/,
  ],
  [
    'status with a sent document that is none',
    () => status([], { now: new Date(), sent: [{ messageType: 'CEB999' }] as never }),
    'INVALID_OPTION',
    /options\.sent/,
  ],
  ['status with sent that is no list', () => status([], { now: new Date(), sent: {} as never }), 'INVALID_OPTION'],
  ['reconcile without calculate', () => reconcile({ declarations: [] }, {} as never), 'INVALID_OPTION', /calculate/],
  // Paths given as the documents were skipped without a word (every order then missed its bill).
  [
    'reconcile with paths as its documents',
    () => reconcile({ declarations: [], documents: [BILL] as never }, { calculate: () => ({}) as never }),
    'INVALID_OPTION',
    /^reconcile: inputs\.documents\[0\] must be a scanned CEB document \{ messageType, fields \}, as readCebDocuments\(paths\) yields, got "examples\/finance\/2026-11\/bills\/CEB816-000001\.xml": give the files' paths to readCebDocuments\(paths\)$/,
  ],
  // (a TypeError: "Cannot read properties of undefined (reading 'invtNo')")
  [
    'reconcile with a parsed message as a document',
    () =>
      reconcile(
        { declarations: [], documents: [parseCebXml(readFileSync(BILL, 'utf8'))] as never },
        { calculate: () => ({}) as never },
      ),
    'INVALID_OPTION',
    /got a whole message \{ messageType, documents \} \(as parseCebXml or scanCebText gives it\): give its documents as scanCebText\(xml\)\.documents$/,
  ],
  // (scanCebText's whole result, not its documents: a TypeError too)
  [
    'reconcile with scanCebText(xml) as a document',
    () =>
      reconcile(
        { declarations: [], documents: [scanCebText(readFileSync(BILL, 'utf8'))] as never },
        { calculate: () => ({}) as never },
      ),
    'INVALID_OPTION',
    /got a whole message \{ messageType, documents \} \(as parseCebXml or scanCebText gives it\)/,
  ],
  [
    'openSqliteQuotaStore({ path }), options where the path goes ("[object Object]" in a QUOTA_STORE message)',
    () => openSqliteQuotaStore({ path: 'q.sqlite' } as never),
    'QUOTA_INVALID',
    /file path, got object/,
  ],
  ['applyReceipt(ledger, null)', () => applyReceipt(ledger(), null as never), 'QUOTA_INVALID'],
  ['applyReceipts(ledger, null)', () => applyReceipts(ledger(), null as never), 'QUOTA_INVALID', /iterable/],
  // (a TypeError once: "Cannot read properties of null (reading 'returnTime')", 'ebpCode', 'copNo')
  [
    'applyReceipts(ledger, [null])',
    () => applyReceipts(ledger(), [null] as never),
    'QUOTA_INVALID',
    /object, got null/,
  ],
  ['ledger.find(null)', () => ledger().find(null as never), 'QUOTA_INVALID', /find by must be an object, got null/],
  [
    'ledger.link(order, undefined)',
    () => ledger().link({ orderNo: 'SD1', ebpCode: 'E1' }, undefined as never),
    'QUOTA_INVALID',
    /ids must be an object, got undefined/,
  ],
  // Values of the right type that are no value.
  ['beijingDate8(invalid Date)', () => beijingDate8(new Date(Number.NaN)), 'INVALID_OPTION', /invalid Date/],
  ['validate at an invalid Date', () => validate({}, { at: new Date(Number.NaN) as never }), 'INVALID_OPTION', /Date/],
  ['decimalOfText("abc")', () => decimalOfText('abc'), 'INVALID_OPTION', /"abc" is not a number/],
  ['convertToCny("abc", "1")', () => convertToCny('abc', '1'), 'INVALID_OPTION', /Amount must be a number/],
  ['sm2RawToDer(63 bytes)', () => sm2RawToDer(new Uint8Array(63)), 'INVALID_OPTION', /64 bytes, not 63/],
  ['sm2DerToRaw(not DER)', () => sm2DerToRaw(new Uint8Array([0x30, 0x80])), 'INVALID_OPTION', /Not a DER SM2/],
  [
    'checkReturnWindow with appliedAt an invalid Date (said within: false, a verdict on nothing)',
    () => checkReturnWindow(new Date('2026-11-20T02:00:00Z'), WINDOW, new Date(Number.NaN)),
    'QUOTA_INVALID',
    /appliedAt must be a valid Date/,
  ],
  ['returnDeadlines(invalid Date)', () => returnDeadlines(new Date(Number.NaN), WINDOW), 'QUOTA_INVALID', /releasedAt/],
  [
    'returnDeadlines with a window of -1 days',
    () => returnDeadlines(new Date(), { ...WINDOW, applyDays: -1 }),
    'QUOTA_INVALID',
    /whole days/,
  ],
  [
    'fromTaxInclusivePrice without a policy',
    () => fromTaxInclusivePrice(new Dec(100), {} as never, undefined as never),
    'INVALID_OPTION',
    /tax policy is an object/,
  ],
  [
    'fromTaxInclusivePrice("abc")',
    () => fromTaxInclusivePrice('abc' as never, {} as never, DEFAULT_TAX_POLICY_2019),
    'INVALID_OPTION',
    /Shelf price must be/,
  ],
  [
    'loadRuleset(data) without the rules',
    () => loadRuleset({}, undefined as never),
    'INVALID_OPTION',
    /defaultRegistry/,
  ],
  [
    'readCebDocuments("bills.xml"), a path not in a list (read "/" as the first path)',
    async () => {
      for await (const _ of readCebDocuments('/nonexistent/bills.xml' as never));
    },
    'INVALID_OPTION',
    /put one in \[ \]/,
  ],
  [
    'startHttpTransport with port -1 (a RangeError from listen)',
    () => createCustomsEmulator({ http: { port: -1 }, folder: false }),
    'INVALID_OPTION',
    /from 0 to 65535, got -1/,
  ],
  // (the list itself as trust read no certificates, silently: every signed message was then refused as untrusted)
  [
    'createCustomsEmulator({ trust: [pem] })',
    () => createCustomsEmulator({ http: false, folder: false, trust: ['-----BEGIN CERTIFICATE-----'] as never }),
    'INVALID_OPTION',
    /^trust must be \{ certificates: \[\.\.\.\] \} \(PEM or DER\), got array: write trust: \{ certificates: \[certPem\] \}$/,
  ],
  [
    'createCustomsEmulator({ trust: pem })',
    () => createCustomsEmulator({ http: false, folder: false, trust: '-----BEGIN CERTIFICATE-----' as never }),
    'INVALID_OPTION',
    /got "-----BEGIN CERTIFICATE-----": write trust: \{ certificates: \[certPem\] \}$/,
  ],
  // (TypeErrors once: "reading 'subarray'", "reading 'orderNo'", "reading 'length'", "reading 'id'")
  [
    'emulator.submit(null)',
    () => withEmulator((c) => c.submit(null as never)),
    'INVALID_OPTION',
    /text or bytes, got null/,
  ],
  [
    'emulator.receipts(0, null)',
    () => withEmulator((c) => c.receipts(0, null as never)),
    'INVALID_OPTION',
    /receipts: the options must be an object, got null/,
  ],
  ['CebScanner.push(null)', () => new CebScanner().push(null as never), 'INVALID_OPTION', /chunk must be text/],
  [
    'RulesetRegistry.add(null)',
    () => defaultRegistry().add(null as never),
    'INVALID_OPTION',
    /the ruleset \(from loadRuleset\) must be an object, got null/,
  ],
  ['allocate(10, no lines)', () => allocate(new Dec(10), [], 'last-line'), 'INVALID_OPTION', /no lines/],
];

describe('misuse from JavaScript throws a SandanError with a code', () => {
  it.each(cases)('%s', async (_what, call, code, message) => {
    const t = await thrown(call);
    expect(t).toMatchObject({ name: 'SandanError', code });
    if (message && t !== 'returned') expect(t.message).toMatch(message);
  });

  it('what the checks let through still works: no options, undefined options, and bytes where bytes are read', async () => {
    expect(parseCebXml(new TextEncoder().encode(XML)).kind).toBe('ceb');
    expect(parseCebXml(XML, undefined).kind).toBe('ceb');
    expect(validate(example('hangzhou-1210'), { district: '2900' }).valid).toBe(true);
    expect(verifyMessage(XML)).toMatchObject({ valid: false, reason: 'signature-missing' });
    expect(status([], { now: new Date('2026-11-20T00:00:00Z') })).toEqual([]);
    expect(await ledger().remaining(BUYER, 2026)).toMatchObject({ year: 2026 });
    const released = new Date('2026-01-31T02:00:00Z');
    expect(checkReturnWindow(released, WINDOW, new Date('2026-03-02T15:59:59.999Z')).within).toBe(true);
  });
});
