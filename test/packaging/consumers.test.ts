/**
 * The package as users install it: `npm pack`, then two throwaway TypeScript projects type-check
 * against the tarball — ESM (module/moduleResolution NodeNext) and CommonJS (Node16), both strict
 * with skipLibCheck off and without @types/better-sqlite3 or @types/pg. Then attw and publint
 * judge the same tarball (scripts/check-package.mjs, also `npm run check:package`).
 *
 * The ESM project also holds the example order service (examples/order-service), as a user would copy it.
 * The same tarball must also carry no install-time script of sandan's own, ship every example file the docs'
 * commands name, and run the README's commands for a project that installed it.
 *
 * Needs a fresh dist/ (vitest's global setup builds it). Offline: the tarball is unpacked into
 * each consumer's node_modules/sandan and sandan's dependencies are linked from this checkout
 * (test/helpers/consumer.ts, which test/docs-snippets.test.ts uses too).
 * Slow next to unit tests: two full tsc runs (zod's and @types/node's declarations are checked too) and
 * attw, run in parallel (85 s measured on the shared 2-core machine at load 12–16, most of it tsc
 * checking declarations); exclude test/packaging for a quick run.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, ROOT as root, TSC_7, typeErrors } from '../helpers/consumer.js';

const run = promisify(execFile);

/** The documented API, as README.md and docs/ show it. Written once, compiled as ESM and as CommonJS. */
const USE = `
import { readFileSync } from 'node:fs';
import {
  buildMessage,
  computeTax,
  createLocalSigner,
  DEFAULT_TAX_POLICY_2019,
  isSandanError,
  MemoryQuotaStore,
  parseCebXml,
  parseDeclaration,
  parseRateTable,
  QuotaLedger,
  SandanError,
  signMessage,
  taxResultToJSON,
  validate,
  verifyMessage,
  type Issue,
  type QuotaBalance,
  type SenderProfile,
  type TaxResult,
} from 'sandan';
import { openSqliteQuotaStore, type SqliteDatabase } from 'sandan/quota/sqlite';
import { openPostgresQuotaStore } from 'sandan/quota/postgres';
import { SandanError as TaxSandanError, computeTax as computeTaxOnly } from 'sandan/tax';
import { createCustomsEmulator, type CustomsEmulator, type OutgoingReceipt } from 'sandan/emulator';
import type { Decimal } from 'decimal.js';

const sender: SenderProfile = { copCode: '3301964J31', copName: '示例跨境电商有限公司', dxpId: 'DXPENT0000012345' };

export async function checkout(json: unknown, keyPem: string, certPem: string): Promise<string> {
  const { valid, issues } = validate(json);
  const codes: string[] = issues.map((i: Issue) => i.code);
  if (!valid) return codes.join(',');

  const parsed = parseDeclaration(json);
  if (!parsed.success) return parsed.issues.map((i) => i.message.en).join('\\n');
  const rates = parseRateTable(JSON.parse(readFileSync('rates.json', 'utf8')), 'rates.json');
  const tax: TaxResult = computeTax(parsed.data, { policy: DEFAULT_TAX_POLICY_2019, rates: [rates] });
  const total: Decimal = tax.taxTotal.plus(tax.customsTax);
  const shown: string = total.toFixed(2);
  const sameFigures: Decimal = computeTaxOnly(parsed.data, { policy: DEFAULT_TAX_POLICY_2019, rates }).valueAddedTax;
  JSON.stringify(taxResultToJSON(tax));

  const ledger = new QuotaLedger({ store: await openSqliteQuotaStore('/var/lib/shop/quota.sqlite'), secret: 'a secret of sixteen+ chars', reservationTtlMs: 30 * 60_000 });
  const r = await ledger.reserve('SD202611200001', '330106199003071519', tax.dutiableValue, '2026-11-20T10:15:00+08:00', { copNo: 'INV-1' });
  if (!r.ok) return \`\${r.reason} \${r.remaining?.toFixed() ?? ''}\`;
  const left: Decimal = r.remaining;
  await ledger.commit('SD202611200001');
  const balance: QuotaBalance = await ledger.remaining('330106199003071519', 2026);
  await ledger.close();
  const inMemory = new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'a secret of sixteen+ chars' });
  await inMemory.close();
  const shared = await openPostgresQuotaStore('postgres://shop@localhost/shop', { schema: 'quota' });
  await shared.close();

  if (!parsed.data.inventory) return 'no inventory';
  const built = buildMessage('CEB621', parsed.data.inventory, { now: () => new Date(), newId: () => '4CDE1CFD-EDED-46B1-946C-B8022E42FC94', sender });
  if (!built.ok) return built.issues.map((i) => i.path).join(',');
  const signer = createLocalSigner({ key: keyPem, certificate: certPem, certificateNumber: '03000000000cde6f' });
  const { xml: signed } = await signMessage(built.xml, signer);
  const verified = verifyMessage(signed, { trustedCertificates: [certPem] });
  const message = parseCebXml(signed);
  const type: string = message.kind === 'ceb' ? message.messageType : message.kind;

  try {
    parseCebXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>');
  } catch (e) {
    if (e instanceof SandanError) return e.code;
    if (isSandanError(e) || e instanceof TaxSandanError) return e.message;
  }
  return [shown, sameFigures.toFixed(2), left.toFixed(), balance.remaining.toFixed(), verified.valid ? 'ok' : verified.reason, type].join(' ');
}

/** A caller's own database handle fits the structural type (no @types/better-sqlite3 needed). */
export function describeDb(db: SqliteDatabase): string {
  return db.open ? db.name : 'closed';
}

/** The customs emulator in a test: a message in, the receipts out (docs/emulator.md). */
export async function emulate(orderXml: string): Promise<string> {
  const customs: CustomsEmulator = await createCustomsEmulator({ clock: 'manual', folder: false });
  const ack = await customs.submit(orderXml);
  customs.scenario('SD202611200001', { hold: { status: '500', for: '2h' } });
  await customs.advance('1h');
  const receipts: OutgoingReceipt[] = customs.receipts(0, { orderNo: 'SD202611200001' });
  await customs.close();
  return \`\${customs.url} \${ack.httpStatus} \${receipts.map((r) => r.type).join(',')}\`;
}
`;

/** Must not compile: a Decimal is no number. If Decimal decayed to any, this file would pass. */
const BAD = `
import { computeTax, DEFAULT_TAX_POLICY_2019, type Declaration, type RateTable } from 'sandan';

declare const declaration: Declaration;
declare const rates: RateTable;
export const total: number = computeTax(declaration, { policy: DEFAULT_TAX_POLICY_2019, rates }).taxTotal;
`;
const BAD_LINE = BAD.split('\n').findIndex((l) => l.startsWith('export const total')) + 1;

/** The example order service (README, "In an order service"), as a user copies it into an ESM project of their own. */
const ORDER_SERVICE = Object.fromEntries(
  ['checkout.ts', 'customs-client.ts'].map((f) => [
    `src/order-service/${f}`,
    readFileSync(join(root, 'examples', 'order-service', f), 'utf8'),
  ]),
);

/**
 * A project as TypeScript 7's `tsc --init` writes it: `"types": []` (TypeScript 6 and later include no @types package
 * unless named), and code that uses none of Node's APIs itself. sandan's declarations must bring Node's types along:
 * without them skipLibCheck false fails in sandan's .d.ts files, and skipLibCheck true reads X509Certificate as any.
 */
const NO_TYPES = `
import { verifyMessage, type VerifySuccess } from 'sandan';
import { validateStream } from 'sandan/rules';
import { createLocalSigner } from 'sandan/sign';

export const checks = [verifyMessage, validateStream, createLocalSigner].length;
declare const verified: VerifySuccess;
export const certificate: number = verified.certificate;
`;
const NO_TYPES_LINE = NO_TYPES.split('\n').findIndex((l) => l.startsWith('export const certificate')) + 1;

const CONSUMERS = [
  { name: 'esm', type: 'module', module: 'NodeNext', moduleResolution: 'NodeNext' },
  { name: 'cjs', type: 'commonjs', module: 'Node16', moduleResolution: 'Node16' },
] as const;

/**
 * Scripts npm runs when a project installs a package: the first three for every dependency; `prepare` for one
 * installed from git, and npm 11 lists it among the scripts to approve for a tarball too.
 */
const INSTALL_TIME = ['preinstall', 'install', 'postinstall', 'prepare'];

/** README.md and the pages of docs/. */
const DOCS = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The command lines of the ```sh blocks of a doc (a leading `$ ` dropped). */
function shellLines(doc: string): string[] {
  const text = readFileSync(join(root, doc), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]!.split('\n').map((l) => l.replace(/^\$ /, '').trim()),
  );
}

let work: string;
let tarball: string;
/** Paths inside the tarball, as `npm pack --json` lists them (no `package/` prefix). */
let packedFiles: string[];
/** A plain project with the tarball unpacked and the optional drivers too, as `npm install sandan` leaves it. */
let installed: string;
/** Started together in beforeAll (the machine has few cores; each tsc run takes seconds). */
let results: Promise<{
  esm: string[];
  cjs: string[];
  esm7: string[];
  cjs7: string[];
  typesNone7: string[];
  check: { ok: boolean; out: string };
}>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sandan-consumers-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
    }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const [pack] = packed;
  if (!pack) throw new Error('npm pack wrote no tarball');
  tarball = join(work, pack.filename);
  packedFiles = pack.files.map((f) => f.path);
  installed = join(work, 'installed');
  createConsumer(installed, { type: 'module', sandan: { tarball }, compilerOptions: {}, files: {}, optional: true });
  for (const c of CONSUMERS) {
    createConsumer(join(work, c.name), {
      type: c.type,
      sandan: { tarball },
      compilerOptions: {
        module: c.module,
        moduleResolution: c.moduleResolution,
        target: 'ES2022',
        lib: ['ES2022'],
        types: ['node'],
        strict: true,
        skipLibCheck: false,
      },
      files: { 'src/use.ts': USE, 'src/bad.ts': BAD, ...(c.type === 'module' && ORDER_SERVICE) },
    });
  }
  createConsumer(join(work, 'types-none'), {
    type: 'module',
    sandan: { tarball },
    compilerOptions: {
      module: 'nodenext',
      target: 'esnext',
      types: [],
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
    },
    files: { 'src/use.ts': NO_TYPES },
  });
  const check = run(process.execPath, [join(root, 'scripts', 'check-package.mjs'), tarball], { cwd: root }).then(
    (r) => ({ ok: true, out: r.stdout + r.stderr }),
    (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  results = Promise.all([
    typeErrors(join(work, 'esm')),
    typeErrors(join(work, 'cjs')),
    typeErrors(join(work, 'esm'), TSC_7),
    typeErrors(join(work, 'cjs'), TSC_7),
    typeErrors(join(work, 'types-none'), TSC_7),
    check,
  ]).then(([esm, cjs, esm7, cjs7, typesNone7, c]) => ({ esm, cjs, esm7, cjs7, typesNone7, check: c }));
  // Settled here so that a failure shows in the tests, not as an unhandled rejection.
  results.catch(() => undefined);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball in consumer projects', () => {
  it.each(CONSUMERS)(
    '$name ($module, strict, skipLibCheck false): the documented API type-checks and a Decimal is never a number',
    async (c) => {
      // The only error is the one bad.ts must produce: nothing in use.ts and nothing in sandan's .d.ts files.
      expect((await results)[c.name]).toEqual([
        `src/bad.ts(${BAD_LINE},14): error TS2322: Type 'Decimal' is not assignable to type 'number'.`,
      ]);
    },
    240_000,
  );

  it.each(CONSUMERS)(
    '$name under TypeScript 7 (the native compiler): the same, and only, error',
    async (c) => {
      expect((await results)[`${c.name}7`]).toEqual([
        `src/bad.ts(${BAD_LINE},14): error TS2322: Type 'Decimal' is not assignable to type 'number'.`,
      ]);
    },
    240_000,
  );

  it("a project with `\"types\": []` (TypeScript 7's tsc --init) gets Node's types through sandan's declarations", async () => {
    expect((await results).typesNone7).toEqual([
      `src/use.ts(${NO_TYPES_LINE},14): error TS2322: Type 'X509Certificate' is not assignable to type 'number'.`,
    ]);
  }, 240_000);

  it('attw (node10, node16 from CJS and ESM, bundler) and publint --strict find no problem in the tarball', async () => {
    const { check } = await results;
    expect(check.ok, check.out).toBe(true);
    expect(check.out).toContain('No problems found');
    expect(check.out).toContain('All good!');
  }, 240_000);
});

describe('the packed tarball as a project installs it', () => {
  it('its package.json has no script that npm runs, or asks to approve, when a project installs sandan', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'node_modules', 'sandan', 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => INSTALL_TIME.includes(name))).toEqual([]);
  });

  it('holds every example file that the commands of README.md and docs/ name', () => {
    const named = new Set(
      DOCS.flatMap(shellLines).flatMap((l) =>
        [...l.matchAll(/(?:node_modules\/sandan\/)?(examples\/[\w./-]*[\w-])/g)].map((m) => m[1]!),
      ),
    );
    // What the README and the signing page's test-key section use, so a change in how they are found shows here.
    for (const p of ['examples/guangzhou-9610.json', 'examples/finance/month-end.mjs', 'examples/sender.json'])
      expect(named).toContain(p);
    // A folder (examples/ci/declarations) is there when a file under it is.
    const missing = [...named].filter((p) => !packedFiles.some((f) => f === p || f.startsWith(`${p}/`)));
    expect(missing).toEqual([]);
  });

  it('ships every file that an `npx sandan` command of README.md and docs/ reads (none only a clone has)', () => {
    const read = DOCS.flatMap((doc) =>
      shellLines(doc)
        .filter((l) => l.startsWith('npx sandan '))
        .flatMap((l) =>
          l
            .replace(/\s#.*$/, '')
            .split(/\s+/)
            .filter((t, i, all) => /\.(json|ndjson|xml|pem|crt|key)$/.test(t) && !['--out', '>'].includes(all[i - 1]!))
            .map((t) => ({ doc, file: t.replace(/^node_modules\/sandan\//, '') })),
        ),
    );
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((r) => !packedFiles.includes(r.file))).toEqual([]);
  });

  it("runs the README's commands for a project that installed sandan", () => {
    const commands = shellLines('README.md').filter((l) => l.includes('node_modules/sandan/'));
    expect(commands.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'npx sandan',
      'node node_modules/sandan/examples/finance/month-end.mjs',
    ]);
    for (const command of commands) {
      // npx would find the bin npm links into node_modules/.bin; the unpacked copy has none, so node runs it.
      const line = command.replace(/^npx sandan /, 'node node_modules/sandan/bin/sandan.js ');
      const r = spawnSync('sh', ['-c', line], { cwd: installed, encoding: 'utf8' });
      // 0 or 1 are answers about the example (the month-end example needs a look on purpose); 2 is a failure to run.
      expect([0, 1], `${command}\n${r.stderr}`).toContain(r.status);
      expect(r.stdout.length, command).toBeGreaterThan(0);
      // Node exits 1 on an uncaught error too (a module not found): that one leaves a stack trace.
      expect(r.stderr, command).not.toMatch(/^\s+at /m);
    }
  }, 120_000);

  it("the README's first command as a clone runs it, in a project that installed sandan, points at the shipped file", () => {
    const [first] = shellLines('README.md');
    const validate = first!.split(' && ').find((c) => c.startsWith('npx sandan validate '))!;
    expect(validate).toContain(' examples/rates.example.json');
    const line = validate.replace(/^npx sandan /, 'node node_modules/sandan/bin/sandan.js ');
    const r = spawnSync('sh', ['-c', line], { cwd: installed, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    // The rate table is read first; without the hint the user was told only "Check the path."
    expect(r.stderr).toBe(
      'sandan: Cannot read rate table examples/rates.example.json: no such file\n' +
        'hint: No such file here; sandan ships its examples with the package: use node_modules/sandan/examples/rates.example.json.\n',
    );
    const fixed = spawnSync('sh', ['-c', `${line.replace(' examples/rates', ' node_modules/sandan/examples/rates')}`], {
      cwd: installed,
      encoding: 'utf8',
    });
    expect(fixed.stderr).toBe(
      'sandan: Cannot read examples/hangzhou-1210.json: no such file\n' +
        'hint: No such file here; sandan ships its examples with the package: use node_modules/sandan/examples/hangzhou-1210.json.\n',
    );
  }, 120_000);
});
