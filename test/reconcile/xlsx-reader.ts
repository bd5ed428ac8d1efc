/*
 * An independent reader of .xlsx files for the tests: Python's standard library (zipfile and
 * ElementTree) reads the sheet XML directly, without exceljs, and reports per sheet its frozen
 * pane, its auto filter and every cell's type, value, number format, formula (if any) and whether it is bold.
 */
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import json, re, sys, zipfile
import xml.etree.ElementTree as ET
NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
      'p': 'http://schemas.openxmlformats.org/package/2006/relationships'}
z = zipfile.ZipFile(sys.argv[1])
names = {n.lstrip('/'): n for n in z.namelist()}
def read(path):
    return ET.fromstring(z.read(names[path.lstrip('/')]))
wb = read('xl/workbook.xml')
rels = {r.get('Id'): r.get('Target') for r in read('xl/_rels/workbook.xml.rels').findall('p:Relationship', NS)}
shared = []
if 'xl/sharedStrings.xml' in names:
    shared = [''.join(t.text or '' for t in si.iter('{%s}t' % NS['m'])) for si in read('xl/sharedStrings.xml').findall('m:si', NS)]
styles = read('xl/styles.xml')
fmts = {int(f.get('numFmtId')): f.get('formatCode') for f in styles.findall('m:numFmts/m:numFmt', NS)}
builtin = {0: 'General', 2: '0.00', 49: '@'}
xfs = [int(x.get('numFmtId') or 0) for x in styles.findall('m:cellXfs/m:xf', NS)]
def is_bold(font):
    b = font.find('m:b', NS)
    return b is not None and b.get('val', '1') not in ('0', 'false')
fonts = [is_bold(f) for f in styles.findall('m:fonts/m:font', NS)]
xf_bold = [fonts[int(x.get('fontId') or 0)] if fonts else False for x in styles.findall('m:cellXfs/m:xf', NS)]
out = []
for s in wb.findall('m:sheets/m:sheet', NS):
    target = rels[s.get('{%s}id' % NS['r'])]
    path = target.lstrip('/') if target.startswith('/') else 'xl/' + target
    sh = read(path)
    pane = sh.find('m:sheetViews/m:sheetView/m:pane', NS)
    af = sh.find('m:autoFilter', NS)
    rows = []
    for row in sh.findall('m:sheetData/m:row', NS):
        cells = []
        for c in row.findall('m:c', NS):
            t = c.get('t') or 'n'
            v = c.find('m:v', NS)
            f = c.find('m:f', NS)
            if t == 'inlineStr':
                value = ''.join(x.text or '' for x in c.iter('{%s}t' % NS['m']))
            elif t == 's':
                value = shared[int(v.text)]
            else:
                value = None if v is None else v.text
            fid = xfs[int(c.get('s') or 0)] if xfs else 0
            col = re.match(r'[A-Z]+', c.get('r')).group(0)
            bold = xf_bold[int(c.get('s') or 0)] if xf_bold else False
            cells.append({'ref': c.get('r'), 'col': col, 't': t, 'v': value,
                          'fmt': fmts.get(fid, builtin.get(fid, str(fid))), 'f': None if f is None else f.text,
                          'bold': bold})
        rows.append(cells)
    out.append({'name': s.get('name'),
                'pane': None if pane is None else dict(pane.attrib),
                'autoFilter': None if af is None else af.get('ref'),
                'rows': rows})
print(json.dumps(out))
`;

/** One cell as stored in the sheet XML. */
export interface XlsxCell {
  ref: string;
  col: string;
  /** The cell type: `n` number, `s` shared string, `inlineStr`, `str` formula string, `b`, `e`. */
  t: string;
  v: string | null;
  /** Its number format code (`0.00`, `General`, `@`…). */
  fmt: string;
  /** Its formula, if it has one. */
  f: string | null;
  /** Whether its font is bold. */
  bold: boolean;
}

/** One sheet as stored. */
export interface XlsxSheet {
  name: string;
  pane: Record<string, string> | null;
  autoFilter: string | null;
  rows: XlsxCell[][];
}

/** Reads a workbook with python3's standard library. */
export function readXlsxWithPython(file: string): XlsxSheet[] {
  const r = spawnSync('python3', ['-c', SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python3 could not read ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as XlsxSheet[];
}
