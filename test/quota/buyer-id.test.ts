import { Decimal } from 'decimal.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SandanError } from '../../src/errors.js';
import { buyerIdProblem, buyerKeyOf } from '../../src/quota/core.js';
import nationalJson from '../../rulesets/national.json';
import { loadRuleset, RULES, RulesetRegistry } from '../../src/index.js';
import {
  annualLimit,
  MemoryQuotaStore,
  QuotaLedger,
  quotaSnapshot,
  type QuotaStore,
  validateWithQuota,
} from '../../src/quota/index.js';
import { example } from '../helpers/examples.js';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import { checkIdNumber, idCheckCharacter, maskIdNumber, normaliseIdNumber } from '../../src/rules/id-number.js';
import { BUYER, SECRET } from './contract.js';

// BUYER is 11010519491231002X. Full-width digits are U+FF10..U+FF19, Ｘ is U+FF38.
const fullWidth = (s: string) =>
  s.replace(/[0-9X]/g, (c) => String.fromCharCode((c === 'X' ? 0xff38 : 0xff10 + Number(c)) as number));

/** Spellings of BUYER that are the same person: NFKC, invisible characters, white space, lower-case x. */
const SAME: Array<[string, string]> = [
  ['zero-width space inside', `110105\u200B19491231002X`],
  ['BOM in front', `\uFEFF${BUYER}`],
  ['full-width digits and Ｘ', fullWidth(BUYER)],
  ['lower-case x', BUYER.toLowerCase()],
  ['spaces, tab and ideographic space', ` 110105 1949\t1231\u3000002X `],
  ['word joiner and soft hyphen', `1101\u206005194912\u00AD31002X`],
  ['non-breaking spaces', `110105\u00A019491231\u00A0002X`],
];

/** Spellings that cannot be a resident ID card number. */
const REFUSED: Array<[string, string, string]> = [
  ['trailing -', `${BUYER}-`, 'format'],
  ['leading 0 (19 characters)', `0${BUYER}`, 'format'],
  ['not an ID at all', 'not-an-id-number', 'format'],
  ['15-digit first-generation number', '110105491231002', 'format'],
  ['wrong check character', '110105194912310021', 'check-digit'],
];

describe('normaliseIdNumber', () => {
  it.each(SAME)('maps %s to the ID number', (_, spelling) => {
    expect(normaliseIdNumber(spelling)).toBe(BUYER);
    expect(buyerKeyOf(SECRET, spelling)).toBe(buyerKeyOf(SECRET, BUYER));
  });

  it.each(REFUSED)('keeps %s invalid (%s → %s)', (_, spelling, problem) => {
    expect(buyerIdProblem(normaliseIdNumber(spelling))).toBe(problem);
    expect(() => buyerKeyOf(SECRET, spelling)).toThrow(SandanError);
  });

  it('masks the middle of an ID number and short strings whole', () => {
    expect(maskIdNumber(BUYER)).toBe('1101**********002X');
    expect(maskIdNumber('abc')).toBe('***');
  });

  // Digits 7-14 a real date from 1900, so the property covers the whole valid space's shape.
  const validId = fc
    .tuple(
      fc.stringMatching(/^\d{6}$/),
      fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.stringMatching(/^\d{3}$/),
    )
    .map(([area, birth, seq]) => {
      const first17 = `${area}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${seq}`;
      return first17 + idCheckCharacter(first17);
    });
  const invisible = fc.constantFrom(
    '\u200B',
    '\u200C',
    '\u200D',
    '\u2060',
    '\uFEFF',
    '\u00AD',
    ' ',
    '\u3000',
    '\u00A0',
  );

  it('maps every NFKC / invisible / case variant of a valid ID number to it (property)', () => {
    fc.assert(
      fc.property(
        validId,
        fc.array(fc.tuple(fc.nat(18), invisible), { maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }),
        (id, inserts, wide) => {
          expect(checkIdNumber(id)).toBeUndefined();
          let chars = [...id].map((c, i) => (wide[i] ? fullWidth(c) : c.toLowerCase()));
          for (const [at, ch] of inserts) chars = [...chars.slice(0, at), ch, ...chars.slice(at)];
          expect(normaliseIdNumber(chars.join(''))).toBe(id);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const STORES: Array<{ name: string; open(dir: string): Promise<QuotaStore> }> = [
  { name: 'memory', open: async () => new MemoryQuotaStore() },
  { name: 'sqlite', open: (dir) => openSqliteQuotaStore(join(dir, 'quota.sqlite')) },
];

describe.each(STORES)('the ledger keys one buyer per person ($name)', (kind) => {
  let dir: string | undefined;
  let ledger: QuotaLedger | undefined;
  afterEach(async () => {
    await ledger?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function used26000(): Promise<QuotaLedger> {
    dir = mkdtempSync(join(tmpdir(), 'sandan-buyer-id-'));
    ledger = new QuotaLedger({ store: await kind.open(dir), secret: SECRET });
    expect((await ledger.reserve('U-1', BUYER, '26000', '2026-03-01')).ok).toBe(true);
    return ledger;
  }

  it('gives no fresh quota to another spelling of a buyer who used 26,000 CNY', async () => {
    const l = await used26000();
    for (const [what, spelling] of SAME) {
      const balance = await l.remaining(spelling, 2026, { at: '2026-03-02' });
      expect([what, balance.used.toFixed(), balance.remaining.toFixed()]).toEqual([what, '26000', '0']);
      const r = await l.reserve(`S-${what}`, spelling, '0.01', '2026-03-02');
      expect([what, r.ok, r.ok ? undefined : r.reason]).toEqual([what, false, 'over-limit']);
    }
  });

  it('refuses what cannot be a resident ID card number, masked, before anything is stored', async () => {
    const l = await used26000();
    for (const [what, spelling, problem] of REFUSED) {
      const err = await l.reserve(`R-${what}`, spelling, '1', '2026-03-02').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(SandanError);
      expect(err).toMatchObject({ code: 'QUOTA_BUYER_ID', details: { problem } });
      // The message names the problem but never holds the whole number.
      expect((err as Error).message).not.toContain(normaliseIdNumber(spelling));
      expect(await l.find({ orderNo: `R-${what}` })).toBeUndefined();
    }
    await expect(l.reserve('R-x', 'not-an-id-number', '1', '2026-03-02')).rejects.toThrow(
      'The buyer ID number not-********mber is not a resident ID card number: it has 16 characters, not 18',
    );
    await expect(l.remaining('   ', 2026)).rejects.toMatchObject({ code: 'QUOTA_BUYER_ID' });
  });

  it('still serves a valid ID number', async () => {
    const l = await used26000();
    const other = '440524188001010014';
    const r = await l.reserve('V-1', other, '25999.99', '2026-03-02');
    expect([r.ok, r.ok && r.remaining.toFixed()]).toEqual([true, '0.01']);
  });
});

describe('quotaSnapshot compares IDs as the ledger keys them', () => {
  it('answers for every spelling of the buyer and only for that buyer', () => {
    const snap = quotaSnapshot(fullWidth(BUYER), 2026, new Decimal('100'));
    for (const [, spelling] of SAME) expect(String(snap.used(spelling, 2026))).toBe('100');
    expect(snap.used('440524188001010014', 2026)).toBeUndefined();
    expect(snap.used(BUYER, 2025)).toBeUndefined();
  });
});

describe('validateWithQuota agrees with the ledger on the buyer', () => {
  // As test/quota/validate.test.ts: the national ruleset with limits/annual on.
  const rules = RULES.some((r) => r.id === annualLimit.id) ? RULES : [...RULES, annualLimit];
  const national = structuredClone(nationalJson) as { rules: Record<string, unknown> };
  national.rules['limits/annual'] ??= {
    severity: 'error',
    effectiveFrom: '2016-04-08',
    source: 'CGS-2016-18, CGS-2018-49',
  };
  const registry = new RulesetRegistry(rules, [loadRuleset(national, rules, 'national (test)')]);
  const HZ_BUYER = '330106199003071519';

  it('counts quota reserved under another spelling, and does not throw on a number the ledger refuses', async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER', ` ${fullWidth(HZ_BUYER)}\u200B`, '25500', '2026-02-01');
    // The Hangzhou example: 548.00 on 2026-11-20; 25,500 used by the same person, 500 left.
    const r = await validateWithQuota(example('hangzhou-1210'), ledger, { registry });
    expect(r.quota?.remaining.toFixed()).toBe('500');
    expect(r.issues.some((i) => i.code === '1313')).toBe(true);

    const bad = structuredClone(example('hangzhou-1210')) as Record<string, Record<string, unknown>>;
    for (const doc of ['order', 'inventory']) if (bad[doc]) bad[doc].buyerIdNumber = 'not-an-id-number';
    const v = await validateWithQuota(bad, ledger, { registry });
    expect(v.quota).toBeUndefined();
    expect(v.issues.some((i) => i.code === 'id-number-format')).toBe(true);
  });
});

describe('sandan quota reserve --buyer-id', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  const cli = (args: string[]) => runCli(args, '', { SANDAN_QUOTA_SECRET: SECRET });

  it('refuses not-an-id-number with exit 2 (an error, docs/quota.md) and accepts a full-width spelling as the same buyer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-buyer-id-cli-'));
    const db = join(dir, 'quota.sqlite');
    const reserve = (id: string, order: string, amount: string) =>
      cli([
        'quota',
        'reserve',
        '--db',
        db,
        '--buyer-id',
        id,
        '--order',
        order,
        '--amount',
        amount,
        '--at',
        '2026-03-01',
      ]);
    let r = await reserve('not-an-id-number', 'C-0', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a resident ID card number');
    expect(r.stderr).not.toContain('not-an-id-number');

    expect((await reserve(BUYER, 'C-1', '26000')).code).toBe(0);
    r = await reserve(`\u200B${fullWidth(BUYER).toLowerCase()}`, 'C-2', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('over-limit');
  });
});
