/*
 * Every exported function and class of every public entry point (package.json "exports"), called
 * from JavaScript with what TypeScript would refuse as its first argument (null, undefined, {}, a
 * string, a number, an array, a Symbol, a null-prototype object), and for the functions of FIRST
 * (two or more parameters, the later ones possibly defaulted) with a valid-looking first argument
 * and such a value as the second: it returns, or throws a
 * SandanError with a code, never a TypeError, RangeError or DecimalError from inside. The exports
 * are enumerated, so a new export that misbehaves fails here without being listed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as emulator from '../src/emulator/index.js';
import * as main from '../src/index.js';
import * as model from '../src/model/index.js';
import * as quota from '../src/quota/index.js';
import * as postgres from '../src/quota/postgres.js';
import * as sqlite from '../src/quota/sqlite.js';
import * as rules from '../src/rules/index.js';
import * as sign from '../src/sign/index.js';
import * as tax from '../src/tax/index.js';
import * as xml from '../src/xml/index.js';
import { example, exampleRates } from './helpers/examples.js';

const ENTRY_POINTS = {
  '.': main,
  model,
  rules,
  tax,
  xml,
  sign,
  quota,
  'quota/sqlite': sqlite,
  'quota/postgres': postgres,
  emulator,
};

/** A string that, taken as a path, names nothing outside a temporary folder (stores create their file). */
const folder = mkdtempSync(join(tmpdir(), 'sandan-misuse-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const TEXT = join(folder, 'x');

const BAD: Array<[label: string, value: unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['{}', {}],
  ["'x'", TEXT],
  ['42', 42],
  ['[]', []],
  // A message that quoted it with JSON.stringify threw "Do not know how to serialize a BigInt".
  ['2026n', 2026n],
  // A template literal or String() on these threw a TypeError (no Symbol.toPrimitive / toString).
  ['Symbol()', Symbol('x')],
  ['Object.create(null)', Object.create(null)],
];

/** Genuine exceptions, each with why. */
const ALLOWED = new Set([
  // decimal.js's constructor (a configured clone of Decimal): its DecimalError for a non-number is
  // decimal.js's documented behaviour; decimalOfText and toDecimal are sandan's checked readers.
  'Dec',
]);

const XML = '<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0"/>';
const D = new main.Dec(1);

/**
 * A valid-looking first argument for functions of two or more parameters, to call with a bad second
 * (also when the second has a default, so that Function.length is 1: signOptionsFromDistrict's null
 * `known` was missed so). Functions left out here are called with their first argument bad only.
 */
const FIRST: Record<string, () => unknown> = {
  validate: () => example('hangzhou-1210'),
  parseCebXml: () => XML,
  parseDxpRep: () => '<DxpRep xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"/>',
  verifyMessage: () => XML,
  signMessage: () => XML,
  wrapDxp: () => XML,
  unwrapDxp: () => XML,
  buildMessage: () => 'CEB311',
  buildMessageTree: () => 'CEB311',
  checkDocuments: () => 'CEB311',
  documentsOf: () => main.parseCebXml(XML),
  contentModel: () => 'import',
  documentLayout: () => 'import',
  formatReturnInfo: () => 'C1',
  locateJsonPath: () => '{}',
  locateJsonPaths: () => '{}',
  resolveRate: () => main.bundledRateTable(),
  quantityIn: () => ({}),
  roundTax: () => D,
  allocate: () => D,
  orderDutiableValue: () => ({ goods: D, freight: D, insuredFee: D }),
  decideRegime: () => ({ goods: D, freight: D, insuredFee: D, quantities: [D] }),
  inForce: () => ({}),
  editionAt: () => [],
  positiveListMembership: () => main.bundledPositiveLists()[0],
  importPositiveList: () => [],
  toPolicy: () => ({}),
  verifyPayExchange: () => '{}',
  billDifferences: () => ({}),
  status: () => [],
  reconcile: () => ({ declarations: [] }),
  parseReturnInfo: () => '[Code:1;Desc:x]',
  decimalOfText: () => '1',
  convertToCny: () => '1',
  parseDeclaration: () => example('hangzhou-1210'),
  annualQuantitiesSnapshot: () => '330106199003071519',
  quotaSnapshot: () => '330106199003071519',
  signOptionsFromDistrict: () => ({ signatureMethod: 'x', digestMethod: 'x' }),
  districtSignOptions: () => [],
  zodIssuesToIssues: () => [],
  renderStatusHtml: () => ({ now: '', orders: [] }),
  statusHtmlChunks: () => ({ now: '', orders: [] }),
  expandPaths: () => [],
  loadRuleset: () => ({}),
  parseRateTable: () => exampleRates(),
};

/** Calls `call` and gives what it threw (undefined when it returned), awaiting promises and reading the first item of an async iterator; closes what it opened. */
async function thrownBy(call: () => unknown): Promise<unknown> {
  try {
    const r = (await call()) as Record<PropertyKey, unknown> | undefined;
    if (r && typeof r === 'object') {
      if (typeof r[Symbol.asyncIterator] === 'function') {
        const it = (r as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        await it.next();
        await it.return?.();
      }
      if (typeof r.close === 'function') await (r.close as () => unknown).call(r);
    }
    return undefined;
  } catch (e) {
    return e;
  }
}

const isClass = (f: unknown) => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

const exported = new Map<string, (...args: unknown[]) => unknown>();
for (const mod of Object.values(ENTRY_POINTS))
  for (const [name, value] of Object.entries(mod))
    if (typeof value === 'function' && !exported.has(name) && !ALLOWED.has(name))
      exported.set(name, value as (...args: unknown[]) => unknown);

function invoke(f: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  return isClass(f) ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args);
}

/** Not a SandanError with a code: what the rule forbids, described for the failure message. */
function misbehaviour(e: unknown): string | undefined {
  if (e === undefined) return undefined;
  if (main.isSandanError(e) && typeof e.code === 'string' && e.code.length > 0) return undefined;
  const err = e as { name?: string; message?: string };
  return `${err?.name}: ${String(err?.message).slice(0, 160)}`;
}

describe('every export, misused from JavaScript, throws a SandanError with a code (or returns)', () => {
  it('finds the exports of every entry point', () => {
    expect(exported.size).toBeGreaterThan(150);
    for (const name of ['validate', 'computeTax', 'QuotaLedger', 'createCustomsEmulator', 'openSqliteQuotaStore'])
      expect(exported.has(name), name).toBe(true);
  });

  it.each([...exported.keys()])('%s(bad first argument)', async (name) => {
    const f = exported.get(name)!;
    const wrong: string[] = [];
    for (const [label, value] of BAD) {
      const why = misbehaviour(await thrownBy(() => invoke(f, [value])));
      if (why) wrong.push(`${name}(${label}) threw ${why}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each([...exported.keys()].filter((n) => n in FIRST))('%s(valid first, bad second argument)', async (name) => {
    const f = exported.get(name)!;
    const wrong: string[] = [];
    for (const [label, value] of BAD) {
      const why = misbehaviour(await thrownBy(() => invoke(f, [FIRST[name]!(), value])));
      if (why) wrong.push(`${name}(…, ${label}) threw ${why}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('bad values inside an argument', () => {
  it('loadRuleset refuses rules that are not rules, naming the one', () => {
    for (const [i, bad] of [[], null, Symbol('x'), Object.create(null), { id: 'x' }].entries()) {
      let thrown: unknown;
      try {
        rules.loadRuleset({ id: 'r', version: '1' }, [...rules.defaultRegistry().rules.slice(0, 1), bad] as never);
      } catch (e) {
        thrown = e;
      }
      expect(main.isSandanError(thrown) && thrown.code, `case ${i}`).toBe('INVALID_OPTION');
      expect((thrown as Error).message).toMatch(/^loadRuleset: rules\[1\] must be a rule/);
    }
  });

  it('a quota ledger refuses a time-to-live that is a Symbol or a null-prototype object, quoting it safely', async () => {
    const store = new quota.MemoryQuotaStore();
    const secret = 'misuse-test-secret-0123456789abcdef';
    for (const [bad, shown] of [
      [Symbol('x'), 'Symbol(x)'],
      [Object.create(null), 'object'],
    ] as const) {
      expect(() => new quota.QuotaLedger({ store, secret, reservationTtlMs: bad as never })).toThrow(
        `reservationTtlMs must be a number of milliseconds from 1 (a Date counts whole milliseconds), got ${shown}`,
      );
      const ledger = new quota.QuotaLedger({ store, secret });
      await expect(
        ledger.reserve('O-1', '11010519491231002X', '1', '2026-03-01', { ttlMs: bad as never }),
      ).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
        message: `ttlMs must be a number of milliseconds from 1 (a Date counts whole milliseconds), got ${shown}`,
      });
    }
  });

  it('a quota ledger refuses a time-to-live below 1 ms: the reservation expired in the millisecond it was made', async () => {
    const store = new quota.MemoryQuotaStore();
    const secret = 'misuse-test-secret-0123456789abcdef';
    for (const bad of [0.5, 0.999, Number.MIN_VALUE]) {
      expect(() => new quota.QuotaLedger({ store, secret, reservationTtlMs: bad })).toThrow(
        `reservationTtlMs must be a number of milliseconds from 1 (a Date counts whole milliseconds), got ${bad}`,
      );
      const ledger = new quota.QuotaLedger({ store, secret });
      await expect(
        ledger.reserve('O-2', '11010519491231002X', '1', '2026-03-01', { ttlMs: bad, now: '2026-03-01' }),
      ).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
        message: `ttlMs must be a number of milliseconds from 1 (a Date counts whole milliseconds), got ${bad}`,
      });
      expect(await ledger.find({ orderNo: 'O-2' })).toBeUndefined();
    }
    // 1 ms holds for that millisecond.
    const ledger = new quota.QuotaLedger({ store, secret });
    const r = await ledger.reserve('O-2', '11010519491231002X', '1', '2026-03-01', { ttlMs: 1, now: '2026-03-01' });
    expect(r.ok && r.entry.expiresAt!.getTime() - r.entry.orderAt.getTime()).toBe(1);
  });

  it('loadLocalSigner refuses key and certificate paths that are not text', async () => {
    for (const bad of [Object.create(null), Symbol('x'), null, 42]) {
      await expect(sign.loadLocalSigner({ keyPath: bad as never, certificatePath: TEXT })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/^loadLocalSigner: options\.keyPath must be text \(a string\), got /),
      });
      await expect(sign.loadLocalSigner({ keyPath: TEXT, certificatePath: bad as never })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/^loadLocalSigner: options\.certificatePath must be text/),
      });
    }
  });

  it('toJsonValue and writeJsonText refuse a value nested too deep to write (a RangeError from JSON.stringify)', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => main.toJsonValue(deep)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/^toJsonValue: the value has no JSON form: /),
      }),
    );
    expect(() => xml.writeJsonText(deep, 2, () => {})).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('signOptionsFromDistrict refuses a URI that is not text', () => {
    for (const bad of [Object.create(null), Symbol('x'), 42]) {
      const call = () => sign.signOptionsFromDistrict({ signatureMethod: bad, digestMethod: 'x' } as never);
      expect(call).toThrow(/^signOptionsFromDistrict: entry.signatureMethod must be text \(a string\), got /);
    }
  });
});

/**
 * The methods of the objects the entry points make (their public methods, as their types declare them), each called
 * with every bad value as its first argument, and the registry's `resolve` with one as its date: a SandanError with a
 * code, or an answer. A Symbol or a null-prototype object threw a TypeError where a message or a comparison
 * converted it (`RulesetRegistry.chain(Symbol())`, the emulator's `receipts(Symbol())`).
 */
describe('every public method of the objects sandan makes, misused from JavaScript', () => {
  const OBJECTS: Array<[name: string, make: () => unknown, methods: string[]]> = [
    ['RulesetRegistry', () => rules.defaultRegistry(), ['add', 'get', 'ids', 'chain', 'resolve']],
    [
      'QuotaLedger',
      () =>
        new quota.QuotaLedger({ store: new quota.MemoryQuotaStore(), secret: 'misuse-test-secret-0123456789abcdef' }),
      ['buyerKey', 'policyOn', 'hasAnnualLimit', 'remaining', 'usedQuantities', 'usedQuantity', 'reserve'],
    ],
    [
      'CustomsEmulator',
      () => emulator.createCustomsEmulator({ http: false, folder: false }),
      [
        'submit',
        'receipts',
        'onReceipt',
        'advance',
        'scenario',
        'taxBillStatus',
        'requestPaymentData',
        'paymentDataUploads',
        'received',
        'historyStart',
        'now',
      ],
    ],
  ];
  it.each(OBJECTS)('%s', async (name, make, methods) => {
    const wrong: string[] = [];
    for (const method of methods)
      for (const [label, value] of BAD) {
        const o = (await make()) as Record<string, (...a: unknown[]) => unknown> & { close?: () => unknown };
        try {
          const why = misbehaviour(await thrownBy(() => o[method]!(value)));
          if (why) wrong.push(`${name}.${method}(${label}) threw ${why}`);
        } finally {
          await o.close?.();
        }
      }
    if (name === 'RulesetRegistry')
      for (const [label, value] of BAD) {
        const why = misbehaviour(await thrownBy(() => rules.defaultRegistry().resolve('national', value as string)));
        if (why) wrong.push(`${name}.resolve('national', ${label}) threw ${why}`);
      }
    expect(wrong).toEqual([]);
  });

  it('names the argument it refuses', async () => {
    expect(() => rules.defaultRegistry().chain(Symbol('x') as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: 'RulesetRegistry.chain: the ruleset id must be text (a string), got Symbol(x)',
      }),
    );
    const customs = await emulator.createCustomsEmulator({ http: false, folder: false });
    try {
      expect(() => customs.receipts(Symbol('x') as never)).toThrow('receipts: after must be a number, got Symbol(x)');
    } finally {
      await customs.close();
    }
    expect(() => main.validate(example('hangzhou-1210'), { ruleset: Symbol('x') as never })).toThrow(
      expect.objectContaining({ code: expect.any(String) }),
    );
    expect(() => main.locateJsonPaths('{}', ['a', Symbol('x') as never])).toThrow(
      'locateJsonPaths: paths[1] must be text (a string), got Symbol(x)',
    );
  });
});

/**
 * The object a function works with (a ledger, an engine, a registry, code tables), wrong while the other arguments are
 * right: the loop above passes a bad value only with the arguments before it, so a function that reads its later
 * arguments first reached the wrong object's methods and threw a TypeError ("ledger.find is not a function").
 */
describe('an object argument that is not the object it names, the other arguments valid', () => {
  const RECEIPT = { kind: 'CEB622', orderNo: 'O-1', ebpCode: 'E-1', returnStatus: '800', returnTime: '20261120101500' };
  const NOT_OBJECTS: Array<[string, unknown]> = [
    ['null', null],
    ['{}', {}],
    ['[]', []],
    ["'x'", 'x'],
    ['a declaration', example('hangzhou-1210')],
  ];
  /** The calls, each with the values it may take (null for an option is the default; `{}` as codes is the bundled tables). */
  const CALLS: Array<[name: string, call: (bad: unknown) => unknown, takes?: string[]]> = [
    ['applyReceipt(bad, receipt)', (bad) => quota.applyReceipt(bad as never, RECEIPT as never)],
    ['applyReceipts(bad, [receipt])', (bad) => quota.applyReceipts(bad as never, [RECEIPT] as never)],
    ['validateWithQuota(declaration, bad)', (bad) => quota.validateWithQuota(example('hangzhou-1210'), bad as never)],
    [
      'startFolderTransport(bad, folders)',
      (bad) =>
        emulator.startFolderTransport(bad as never, { send: join(folder, 'send'), receive: join(folder, 'receive') }),
    ],
    ['startHttpTransport(bad)', (bad) => emulator.startHttpTransport(bad as never)],
    [
      'validate(declaration, { registry: bad })',
      (bad) => main.validate(example('hangzhou-1210'), { registry: bad as never }),
      ['null'],
    ],
    [
      'validate(declaration, { codes: bad })',
      (bad) => main.validate(example('hangzhou-1210'), { codes: bad as never }),
      ['null', '{}'],
    ],
    [
      'validate(declaration, { codes: { customs: bad } })',
      (bad) => main.validate(example('hangzhou-1210'), { codes: { customs: bad } as never }),
    ],
    // districtRuleset reads options.codes through the same function as validate (it took a customs table that is
    // none for one, and threw a TypeError from inside districtOf).
    [
      "districtRuleset('2924', { codes: bad })",
      (bad) => main.districtRuleset('2924', { codes: bad as never }),
      ['null', '{}'],
    ],
    [
      "districtRuleset('2924', { codes: { customs: bad } })",
      (bad) => main.districtRuleset('2924', { codes: { customs: bad } as never }),
    ],
  ];
  it.each(CALLS)('%s is a SandanError with a code', async (_name, call, takes = []) => {
    const wrong: string[] = [];
    for (const [label, value] of NOT_OBJECTS) {
      const thrown = await thrownBy(() => call(value));
      if (thrown === undefined && !takes.includes(label)) wrong.push(`${label}: returned`);
      const why = misbehaviour(thrown);
      if (why) wrong.push(`${label}: threw ${why}`);
    }
    expect(wrong).toEqual([]);
  });

  it('applyReceipts refuses receipts given as text (an XML file read whole) at once, not one receipt per character', async () => {
    const ledger = new quota.QuotaLedger({
      store: new quota.MemoryQuotaStore(),
      secret: 'misuse-test-secret-0123456789abcdef',
    });
    // (each character was taken for a receipt: 20 million of them held the call for seconds and gigabytes)
    const text = `<ceb:CEB622Message>${' '.repeat(20_000_000)}</ceb:CEB622Message>`;
    const started = Date.now();
    await expect(quota.applyReceipts(ledger, text as never)).rejects.toMatchObject({
      code: 'QUOTA_INVALID',
      message: expect.stringMatching(/^applyReceipts takes an iterable of receipts/),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
