import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { fileSink, generate, type Calculate } from './generator.js';
import { calculate, reconcileArgs } from './helpers.js';

/*
 * `sandan reconcile` with --out given several times: one reconciliation, each file in the format of its extension,
 * the same bytes as one call per format writes.
 */
const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-outs-'));
generate(dir, fileSink(), { orders: 120, calculate: calculate as unknown as Calculate, billsPerFile: 20 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = [...reconcileArgs(dir), '--workers', '0'];
const EXTENSIONS = { json: 'json', csv: 'csv', html: 'html', xlsx: 'xlsx', text: 'txt' } as const;

/** Runs the CLI in-process with standard error as a terminal, so that each phase's progress bar is drawn. */
async function runOnTerminal(args: string[]) {
  let stderr = '';
  let stdout = '';
  const code = await main(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([Buffer.from('')]),
    stderrIsTTY: true,
    env: { COLUMNS: '120' },
  });
  return { code, stdout, stderr };
}

/** Each entry of a workbook (a zip), read by Python; the creation and modification times in docProps/core.xml masked. */
function xlsxEntries(file: string): Record<string, string> {
  const script = [
    'import hashlib, json, re, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'out = {}',
    'for n in z.namelist():',
    '    b = z.read(n)',
    "    if n == 'docProps/core.xml': b = re.sub(rb'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ', b'TIME', b)",
    '    out[n] = hashlib.sha256(b).hexdigest()',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/**
 * The phases of the progress bars drawn on standard error, in order, each redraw of one bar counted once: a
 * reconciliation draws its first two phases once each (the third may not be drawn in so small a month), a second
 * reconciliation would draw them again.
 */
const phasesOf = (stderr: string) =>
  [...stderr.matchAll(/reading bills and receipts|reconciling declarations/g)]
    .map((m) => m[0])
    .filter((p, i, all) => p !== all[i - 1]);
const ONE_RUN = ['reading bills and receipts', 'reconciling declarations'];

describe('sandan reconcile --out … --out …', () => {
  it('writes every format from one reconciliation, byte for byte what one call per format writes', async () => {
    const many = join(dir, 'many');
    const one = join(dir, 'one');
    mkdirSync(many);
    mkdirSync(one);
    const outs = Object.values(EXTENSIONS).flatMap((ext) => ['--out', join(many, `month.${ext}`)]);
    const together = await runOnTerminal([...base, ...outs]);
    expect(together.code, together.stderr).toBe(1);
    // Nothing on standard output, as with one --out; the month was reconciled once (its phases drawn once each), where
    // one call per format reconciles it five times.
    expect(together.stdout).toBe('');
    expect(phasesOf(together.stderr)).toEqual(ONE_RUN);
    let separate: string[] = [];
    for (const [format, ext] of Object.entries(EXTENSIONS)) {
      const r = await runOnTerminal([...base, '--format', format, '--out', join(one, `month.${ext}`)]);
      expect(r.code, r.stderr).toBe(1);
      separate = [...separate, ...phasesOf(r.stderr)];
    }
    expect(separate).toEqual([...ONE_RUN, ...ONE_RUN, ...ONE_RUN, ...ONE_RUN, ...ONE_RUN]);
    expect(readdirSync(many).sort()).toEqual(readdirSync(one).sort());
    for (const ext of ['json', 'csv', 'html', 'txt']) {
      const a = readFileSync(join(many, `month.${ext}`));
      expect(a.length, ext).toBeGreaterThan(1000);
      expect(a.equals(readFileSync(join(one, `month.${ext}`))), ext).toBe(true);
    }
    // A workbook carries the time it was written (docProps/core.xml and each zip entry's time): all else is equal.
    const book = xlsxEntries(join(many, 'month.xlsx'));
    expect(Object.keys(book)).toContain('xl/worksheets/sheet2.xml');
    expect(book).toEqual(xlsxEntries(join(one, 'month.xlsx')));
    // The text file is the summary standard output shows without --out.
    const text = await runCli(base);
    expect(readFileSync(join(many, 'month.txt'), 'utf8')).toBe(text.stdout);
  });

  it('takes the extension in any case, and a single --out keeps --format (the extension is not read)', async () => {
    const out = join(dir, 'case');
    mkdirSync(out);
    const r = await runCli([...base, '--out', join(out, 'M.JSON'), '--out', join(out, 'm.Csv')]);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'M.JSON'), 'utf8')).summary.orders).toBe(121);
    expect(readFileSync(join(out, 'm.Csv'), 'utf8')).toMatch(/^\uFEFF/);
    const single = await runCli([...base, '--format', 'csv', '--out', join(out, 'single.json')]);
    expect(single.code, single.stderr).toBe(1);
    expect(readFileSync(join(out, 'single.json'), 'utf8')).toMatch(/^\uFEFF/);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'replaces no target when one output fails part-way (a full disk): every file is written before any is renamed',
    async () => {
      const out = join(dir, 'full');
      mkdirSync(out);
      writeFileSync(join(out, 'month.json'), 'last month');
      // A link to /dev/full is written straight to (a device is not replaced), and every write there fails: ENOSPC.
      symlinkSync('/dev/full', join(out, 'month.csv'));
      const r = await runCli([...base, '--out', join(out, 'month.json'), '--out', join(out, 'month.csv')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Cannot write ${join(out, 'month.csv')}`);
      expect(readFileSync(join(out, 'month.json'), 'utf8')).toBe('last month');
      // (and no temporary file is left beside it)
      expect(readdirSync(out).sort()).toEqual(['month.csv', 'month.json']);
    },
  );

  describe('usage errors (exit 2, nothing written)', () => {
    const target = join(dir, 'refused');
    mkdirSync(target);
    writeFileSync(join(target, 'kept.json'), 'kept');
    symlinkSync(join(target, 'kept.json'), join(target, 'link.json'));
    const refused = async (outs: string[], extra: string[] = []) => {
      const r = await runCli([...base, ...extra, ...outs.flatMap((o) => ['--out', o])]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(readdirSync(target).sort()).toEqual(['kept.json', 'link.json']);
      expect(readFileSync(join(target, 'kept.json'), 'utf8')).toBe('kept');
      return r.stderr.split('\n')[0];
    };

    it('--format with several --out', async () => {
      expect(await refused([join(target, 'a.json'), join(target, 'b.csv')], ['--format', 'json'])).toBe(
        "sandan: --format json with 2 --out files: with several, each file's format comes from its extension (.json .csv .html .xlsx .txt); leave out --format",
      );
    });

    it('an extension that names no format, or none', async () => {
      const doc = join(target, 'b.doc');
      expect(await refused([join(target, 'a.json'), doc])).toBe(
        `sandan: --out ${doc}: with several --out files each one's format comes from its extension, and .doc names none: use .json .csv .html .xlsx .txt`,
      );
      expect(await refused([join(target, 'a.json'), join(target, 'summary')])).toContain('and no extension names none');
    });

    it('two --out naming one file: the same path, another spelling of it, or a link to it', async () => {
      const a = join(target, 'a.json');
      expect(await refused([a, join(target, 'b.csv'), a])).toBe(
        `sandan: --out ${a} names the same file as --out ${a}: the second would replace the first; give each output its own file`,
      );
      expect(await refused([a, join(target, '..', 'refused', 'a.json')])).toContain('names the same file as');
      const kept = join(target, 'kept.json');
      expect(await refused([kept, join(target, 'b.csv'), join(target, 'link.json')])).toContain(
        `--out ${join(target, 'link.json')} names the same file as --out ${kept}`,
      );
    });

    it('an --out that is an input file', async () => {
      const rates = join(dir, 'rates.json');
      expect(await refused([join(target, 'a.json'), rates])).toBe(
        `sandan: --out ${rates} is the --rates input ${rates}: writing there would replace the input; write to another file`,
      );
    });
  });
});
