/*
 * The size check of workbooks before exceljs reads them (src/cli/zip-size.ts), on archives written by
 * Python's zipfile (an independent ZIP writer) and by exceljs, and on the CLI with a ZIP bomb: a
 * workbook of 1 MB that inflates to 1.2 GB made exceljs run out of memory and crash Node after 150 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_WORKBOOK_INFLATED_BYTES } from '../../src/cli/positive-list-command.js';
import { MAX_ZIP_ENTRIES, zipInflationProblem } from '../../src/cli/zip-size.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A ZIP written by Python: `entries` maps a name to [size of its content in bytes (all `A`), stored or deflated].
 * With `zip64`, every entry has a ZIP64 extra field.
 */
function pythonZip(name: string, entries: Record<string, [number, 'stored' | 'deflated']>, zip64 = false): Buffer {
  const file = join(dir, name);
  const script = `
import json, sys, zipfile
entries = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for n, (size, how) in entries.items():
        info = zipfile.ZipInfo(n)
        info.compress_type = zipfile.ZIP_STORED if how == 'stored' else zipfile.ZIP_DEFLATED
        with z.open(info, 'w', force_zip64=${zip64 ? 'True' : 'False'}) as f:
            left = size
            while left > 0:
                f.write(b'A' * min(left, 1 << 20))
                left -= 1 << 20
`;
  const r = spawnSync('python3', ['-c', script, file, JSON.stringify(entries)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file);
}

const MiB = 1 << 20;

describe('zipInflationProblem', () => {
  it('lets an archive through up to the limit, entries of both methods counted, and refuses one byte more', () => {
    const zip = pythonZip('two.zip', { 'a.xml': [MiB, 'deflated'], 'b.bin': [1000, 'stored'] });
    expect(zipInflationProblem(zip, MiB + 1000)).toBeUndefined();
    expect(zipInflationProblem(zip, MiB + 999)).toBe(`it inflates to more than ${MiB + 999} bytes (at b.bin)`);
    expect(zipInflationProblem(zip, MiB - 1)).toBe(`it inflates to more than ${MiB - 1} bytes (at a.xml)`);
  });

  it('reads ZIP64 sizes and offsets', () => {
    const zip = pythonZip('z64.zip', { 'a.xml': [2 * MiB, 'deflated'], 'b.xml': [10, 'deflated'] }, true);
    expect(zipInflationProblem(zip, 2 * MiB + 10)).toBeUndefined();
    expect(zipInflationProblem(zip, 2 * MiB + 9)).toMatch(/more than .* \(at b\.xml\)/);
  });

  it('inflates rather than trusts the sizes an archive declares', () => {
    const zip = pythonZip('lie.zip', { 'a.xml': [8 * MiB, 'deflated'] });
    // The declared uncompressed size: at 22 in the local header, at 24 in the central directory entry.
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 24)).toBe(8 * MiB);
    zip.writeUInt32LE(10, 22);
    zip.writeUInt32LE(10, central + 24);
    expect(zipInflationProblem(zip, MiB)).toBe(`it inflates to more than ${MiB} bytes (at a.xml)`);
  });

  it('reads the central directory exceljs reads (JSZip), not the one the end record seems to name', () => {
    // JSZip reads every central record that follows the first, whatever count the end record gives, and moves every
    // offset by the bytes before the end record that the directory's offset and size leave unexplained.
    const script = `
import io, json, struct, sys, zipfile
def archive(entries, method):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', method) as z:
        for n, d in entries:
            z.writestr(n, d)
    return b.getvalue()
big = archive([('x.xml', b'A' * (2 << 20)), ('y.xml', b'A' * 10)], zipfile.ZIP_DEFLATED)
end = big.rfind(b'PK\\x05\\x06')
offset = struct.unpack_from('<I', big, end + 16)[0]
out = {}
for count in (0, 1):
    b = bytearray(big)
    struct.pack_into('<HH', b, end + 8, count, count)
    out['count%d' % count] = bytes(b)
# Before the archive, a small one whose directory sits where the big one's offset points, counted from the file's
# start; JSZip counts from where the big archive starts.
def decoy(pad):
    return archive([('a', b'P' * pad), ('b', b'b')], zipfile.ZIP_STORED)
first = decoy(0)
at = struct.unpack_from('<I', first, first.rfind(b'PK\\x05\\x06') + 16)[0]
small = decoy(offset - at)
out['decoy'] = small[:small.rfind(b'PK\\x05\\x06')] + big
out['prefixed'] = b'#!/bin/sh\\n' * 10 + big
out['big'] = big
for name, data in out.items():
    open(sys.argv[1] + '/' + name + '.zip', 'wb').write(data)
`;
    const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const read = (name: string) => readFileSync(join(dir, `${name}.zip`));
    const refusal = `it inflates to more than ${MiB} bytes (at x.xml)`;
    expect(zipInflationProblem(read('big'), MiB)).toBe(refusal);
    // An end record that counts no entry, or one: the check read none or the first only.
    expect(zipInflationProblem(read('count0'), MiB)).toBe(refusal);
    expect(zipInflationProblem(read('count1'), MiB)).toBe(refusal);
    // A decoy directory where the offset points from the file's start: the check read the decoy's two small entries.
    expect(zipInflationProblem(read('decoy'), MiB)).toBe(refusal);
    // Bytes before an archive (a self-extracting one's): JSZip reads it, and so does the check now (it said damaged).
    expect(zipInflationProblem(read('prefixed'), MiB)).toBe(refusal);
    expect(zipInflationProblem(read('prefixed'), 3 * MiB)).toBeUndefined();
  });

  it('says what is wrong with what is not a ZIP archive, or a damaged one', () => {
    expect(zipInflationProblem(Buffer.from('序号,税则号列\n'), MiB)).toBe('it is not a ZIP archive');
    const zip = pythonZip('one.zip', { 'a.xml': [100, 'deflated'] });
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const broken = Buffer.from(zip);
    broken.writeUInt32LE(0, central);
    expect(zipInflationProblem(broken, MiB)).toBe('its central directory is damaged');
    const noData = Buffer.from(zip);
    noData.fill(0xff, 30 + 'a.xml'.length, central); // the deflate stream overwritten
    expect(zipInflationProblem(noData, MiB)).toBe('its entry a.xml cannot be inflated');
  });

  it('never throws on a damaged archive: any byte changed, or the file cut anywhere', () => {
    const zip = pythonZip('fuzz.zip', { 'a.xml': [5000, 'deflated'], 'b.bin': [300, 'stored'] }, true);
    fc.assert(
      fc.property(fc.nat(zip.length - 1), fc.nat(255), fc.nat(zip.length), (at, byte, cut) => {
        const edited = Buffer.from(zip);
        edited[at] = byte;
        for (const z of [edited, zip.subarray(0, cut)]) {
          const problem = zipInflationProblem(z, 6000);
          if (problem !== undefined) expect(typeof problem).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  // Attack (session 59): 300,000 empty entries (27 MB, nothing to inflate) made `sandan positive-list import` hold
  // 643 MB for 15 s before it found no sheet; at the 64 MiB file limit, 1.5 GB.
  it('refuses an archive of more than 10,000 entries, counted as JSZip reads them', () => {
    const empty = (name: string, n: number) => {
      const file = join(dir, name);
      const script = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for i in range(int(sys.argv[2])):
        z.writestr(f'e{i}', b'')
`;
      const r = spawnSync('python3', ['-c', script, file, String(n)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(file);
    };
    expect(MAX_ZIP_ENTRIES).toBe(10_000);
    expect(zipInflationProblem(empty('fits.zip', 10_000), MiB)).toBeUndefined();
    const many = empty('many.zip', 10_001);
    expect(zipInflationProblem(many, MiB)).toBe('it has more than 10000 entries (a workbook has a few dozen)');
    // The end record's count does not hide them: JSZip reads every central record that follows the first.
    const end = many.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    many.writeUInt16LE(1, end + 8);
    many.writeUInt16LE(1, end + 10);
    expect(zipInflationProblem(many, MiB)).toBe('it has more than 10000 entries (a workbook has a few dozen)');
  });

  it('lets a workbook written by exceljs through', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('附件');
    sheet.addRow(['序号', '税则号列', '商品名称', '备注']);
    for (let i = 1; i <= 1500; i++) sheet.addRow([i, `0${1000000 + i}`, `商品${i}`, '']);
    const xlsx = Buffer.from(await book.xlsx.writeBuffer());
    expect(zipInflationProblem(xlsx, MAX_WORKBOOK_INFLATED_BYTES)).toBeUndefined();
    expect(zipInflationProblem(xlsx, 1000)).toMatch(/^it inflates to more than 1000 bytes/);
  });
});

describe('sandan positive-list import of a ZIP bomb', () => {
  it('refuses it at once, with exit 2 and a hint, instead of running out of memory', async () => {
    // 96 MiB of sheet XML in 0.1 MB, with the parts a workbook needs.
    const file = join(dir, 'bomb.xlsx');
    const script = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    with z.open('xl/worksheets/sheet1.xml', 'w') as f:
        f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        row = b'<row><c><v>1</v></c></row>' * 40000
        for _ in range(96):
            f.write(row)
        f.write(b'</sheetData></worksheet>')
`;
    const py = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const started = performance.now();
    const r = await runCli(['positive-list', 'import', file, '--edition', '2022', '--out', join(dir, 'out.json')]);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `sandan: ${file}: not a readable .xlsx workbook: it inflates to more than ${MAX_WORKBOOK_INFLATED_BYTES} bytes (at xl/worksheets/sheet1.xml)\n` +
        'hint: Open the workbook in a spreadsheet program and save it again as .xlsx, or save the annex as CSV.\n',
    );
  }, 60_000);
});
