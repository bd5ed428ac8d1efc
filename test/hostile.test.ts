/*
 * The corpus of hostile fixtures (test/fixtures/hostile): every file has its expected verdict in
 * verdicts.json, at each entry point, and xmllint is the oracle of what XML is: what it cannot
 * read, no sandan reader uses. A new attack is one more file and one more entry.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../src/errors.js';
import { readCebDocuments } from '../src/reconcile/files.js';
import { CebScanner } from '../src/reconcile/scan.js';
import { verifyMessage } from '../src/sign/verify-message.js';
import { parseCebXml } from '../src/xml/parse.js';
import { needTool, skipWithout } from './helpers/tools.js';

const DIR = fileURLToPath(new URL('./fixtures/hostile/', import.meta.url));

type Reading = { documents: number } | string;
interface Verdict {
  what: string;
  xmllint: boolean;
  parse: Reading;
  scan: Reading;
  verify: string | null;
}

const { files: VERDICTS } = JSON.parse(readFileSync(`${DIR}verdicts.json`, 'utf8')) as {
  files: Record<string, Verdict>;
};

function xmlFiles(sub = ''): string[] {
  return readdirSync(`${DIR}${sub}`, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? xmlFiles(`${sub}${e.name}/`) : e.name.endsWith('.xml') ? [`${sub}${e.name}`] : [],
  );
}

function parseVerdict(bytes: Buffer): Reading {
  try {
    return { documents: (parseCebXml(bytes) as { documents: unknown[] }).documents.length };
  } catch (e) {
    if (!isSandanError(e)) throw e;
    return e.code;
  }
}

async function scanVerdict(file: string): Promise<Reading> {
  let code: string | undefined;
  let documents = 0;
  for await (const _ of readCebDocuments([file], { onFileError: (_f, e) => (code = e.code) })) documents++;
  if (code !== undefined) expect(documents, 'a file the scanner refuses gives no document').toBe(0);
  return code ?? { documents };
}

function verifyVerdict(bytes: Buffer): string | null {
  let text: string;
  try {
    // As the CLI reads a file: strict UTF-8, every byte-order mark kept for the reader to judge.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
  const v = verifyMessage(text, { diagnose: false });
  return v.valid ? 'valid' : v.reason;
}

describe('hostile fixtures', () => {
  const files = xmlFiles();

  it('every file has a verdict, and every verdict a file', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(
      files.filter((f) => !VERDICTS[f]),
      'files without a verdict in verdicts.json',
    ).toEqual([]);
    expect(
      Object.keys(VERDICTS).filter((f) => !files.includes(f)),
      'verdicts without a file',
    ).toEqual([]);
  });

  it.each(files.filter((f) => VERDICTS[f]))('%s', async (name) => {
    const v = VERDICTS[name]!;
    const bytes = readFileSync(`${DIR}${name}`);
    expect(parseVerdict(bytes), `parseCebXml: ${v.what}`).toEqual(v.parse);
    expect(await scanVerdict(`${DIR}${name}`), `scanner: ${v.what}`).toEqual(v.scan);
    expect(verifyVerdict(bytes), `verifyMessage: ${v.what}`).toBe(v.verify);
    if (!v.xmllint) {
      // What libxml2 cannot read, no reader of sandan uses.
      expect(typeof v.parse).toBe('string');
      expect(typeof v.scan).toBe('string');
      if (v.verify !== null) expect(v.verify).toBe('xml-malformed');
    }
    if (skipWithout('xmllint')) return;
    needTool('xmllint');
    const r = spawnSync('xmllint', ['--noout', '--nonet', `${DIR}${name}`]);
    expect(r.status === 0, `xmllint's verdict on ${name}`).toBe(v.xmllint);
  });
});

describe('generated hostile inputs', () => {
  it('a bill that never ends is refused once it passes 16 Mi characters, not held until memory runs out', () => {
    const s = new CebScanner();
    s.push(
      '<?xml version="1.0" encoding="UTF-8"?><CEB816Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Tax><TaxHeadRd><orderNo>',
    );
    const mib = 'x'.repeat(1 << 20);
    let pushed = 0;
    const feed = () => {
      for (; pushed < 64; pushed++) s.push(mib);
    };
    expect(feed).toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED', message: expect.stringMatching(/larger than 16 Mi/) }),
    );
    expect(pushed, 'the 16th MiB (with the start tags) passes the limit').toBe(15);
  });
});
