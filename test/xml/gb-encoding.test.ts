// Receipts, bills and signed messages written in GB2312/GBK/GB18030 (`<?xml … encoding="GB2312"?>`, the bytes in that
// encoding), as older E-Port client software wrote them: read by decoding them as GB18030 (the superset of both),
// alike as the bytes of parseCebXml, `sandan status`, `sandan reconcile` and `sandan verify`. The files are made with
// iconv (glibc's tables, not sandan's decoder) from their UTF-8 twins, and xmlsec1 is the oracle for the signature.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { xmlFileText } from '../../src/reconcile/files.js';
import { scanCebText } from '../../src/reconcile/scan.js';
import { verifyMessage } from '../../src/sign/index.js';
import { parseCebXml, wrapDxp } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { expectScannerAgrees } from '../helpers/scan-oracle.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { fileSink, generate, type Calculate } from '../reconcile/generator.js';
import { calculate, reconcileArgs } from '../reconcile/helpers.js';
import { makeKeys, put, unsignedSample, xmlsec1, type TestKeys } from '../sign/helpers.js';

const RELEASED = readFileSync(
  fileURLToPath(new URL('../fixtures/outside/dandingtest/CEB622-released.xml', import.meta.url)),
  'utf8',
);

/** `xml` (UTF-8, declaring UTF-8) in `encoding` by iconv, its declaration naming `declared`. */
function encoded(xml: string, encoding: string, declared = encoding): Buffer {
  const relabelled = xml.replace(/^(<\?xml[^?]*encoding=")UTF-8"/, `$1${declared}"`);
  expect(relabelled).not.toBe(xml);
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', encoding], { input: relabelled });
}

/**
 * A DxpMsg as customs' import node delivers a receipt to an enterprise, its Data the Base64 of `bytes` (a message
 * as written, in whatever encoding it declares).
 */
function inDxp(bytes: Uint8Array): string {
  const env = wrapDxp(RELEASED, {
    senderId: 'DXPEDCCEB0000002',
    receiverIds: ['DXPENT0000012345'],
    now: () => new Date('2020-06-15T09:15:57Z'),
    newId: () => 'gb-in-data',
  });
  const data = /<Data>[^<]*<\/Data>/;
  expect(env).toMatch(data);
  return env.replace(data, `<Data>${Buffer.from(bytes).toString('base64')}</Data>`);
}

/** The error parseCebXml throws for `input`. */
function refusal(input: string | Uint8Array) {
  try {
    parseCebXml(input);
  } catch (e) {
    if (isSandanError(e)) return e;
    throw e;
  }
  throw new Error('parseCebXml accepted the input');
}

const dir = mkdtempSync(join(tmpdir(), 'sandan-gb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCebXml: bytes declared GB2312, GBK or GB18030', () => {
  it.each(['GB2312', 'GBK', 'GB18030', 'gb2312'])('%s: the same message as its UTF-8 twin, 放行 included', (name) => {
    const bytes = encoded(RELEASED, name === 'gb2312' ? 'GB2312' : name, name);
    // (the Chinese text really is in GB: 放 is D7 C5 there, E6 94 BE in UTF-8)
    expect(bytes.includes(Buffer.from([0xb7, 0xc5]))).toBe(true);
    const twin = parseCebXml(RELEASED);
    const got = parseCebXml(bytes);
    expect(got).toEqual(twin);
    expect(JSON.stringify(got)).toContain('[Code:2600;Desc:放行]');
  });

  it('a string already decoded may carry a GB declaration: it is read as it is', () => {
    expect(parseCebXml(RELEASED.replace('encoding="UTF-8"', 'encoding="GBK"'))).toEqual(parseCebXml(RELEASED));
  });

  it('an invalid GBK byte sequence is XML_MALFORMED at its byte, never a replacement character', () => {
    const good = encoded(RELEASED, 'GB2312');
    const at = good.indexOf(Buffer.from([0xb7, 0xc5]));
    // 0xFF leads no GB18030 character
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at + 1)]);
    const e = refusal(bad);
    expect(e.code).toBe('XML_MALFORMED');
    expect(e.message).toBe(
      `The XML input declares a GB encoding (GB2312, GBK or GB18030) but is not valid GB18030 (byte 0xFF at byte offset ${at})`,
    );
    expect(e.details).toMatchObject({ offset: at, encoding: 'GB18030' });
    // A file cut inside a two-byte character.
    const cut = refusal(good.subarray(0, at + 1));
    expect(cut.message).toMatch(/not valid GB18030 \(it ends inside a character\)$/);
  });

  it('any other encoding stays refused, as bytes and as a string (ISO-8859-1, Big5)', () => {
    for (const name of ['ISO-8859-1', 'Big5']) {
      const text = RELEASED.replace('encoding="UTF-8"', `encoding="${name}"`);
      for (const input of [text, Buffer.from(text)]) {
        const e = refusal(input);
        expect(e.code).toBe('XML_MALFORMED');
        expect(e.message).toContain(
          `the XML declares encoding ${name}; CEB messages are UTF-8 (convert the file first; GB2312, GBK and GB18030 are read too)`,
        );
      }
    }
  });
});

// The same bytes as the file of their own above, but as received through DXP: Base64 in a DxpMsg's Data. Data was
// decoded as UTF-8 whatever the message declared, so parse, status and reconcile refused what they read as a file.
describe('a message declared GB2312, GBK or GB18030 in the Data of a DxpMsg', () => {
  it.each(['GB2312', 'GBK', 'GB18030'])('%s: parseCebXml reads the message its UTF-8 twin in Data gives', (name) => {
    const twin = parseCebXml(inDxp(Buffer.from(RELEASED)));
    const got = parseCebXml(inDxp(encoded(RELEASED, name)));
    if (got.kind !== 'dxp' || twin.kind !== 'dxp') throw new Error('not read as a DxpMsg');
    expect(got.issues).toEqual([]);
    expect(got.message).toEqual(twin.message);
    expect(got.message?.documents[0]).toMatchObject({ returnStatus: '800', returnInfo: '[Code:2600;Desc:放行]' });
    // The text of Data as decoded: the message as written, its declaration kept.
    expect(got.payload).toBe(RELEASED.replace('encoding="UTF-8"', `encoding="${name}"`));
  });

  it('the scanner of sandan reconcile reads the same documents (it refused the file: Data not UTF-8)', () => {
    const docs = expectScannerAgrees(inDxp(encoded(RELEASED, 'GBK')));
    expect(docs.map((d) => [d.messageType, d.fields.returnStatus, d.fields.returnInfo])).toEqual([
      ['CEB622', '800', '[Code:2600;Desc:放行]'],
    ]);
  });

  it('sandan status gives what the UTF-8 twin gives (it skipped the DxpMsg: no CEB message that can be read)', async () => {
    writeFileSync(join(dir, 'dxp-utf8.xml'), inDxp(Buffer.from(RELEASED)));
    writeFileSync(join(dir, 'dxp-gbk.xml'), inDxp(encoded(RELEASED, 'GBK')));
    const now = ['--format', 'json', '--now', '2020-06-20T00:00:00'];
    const twin = await runCli(['status', join(dir, 'dxp-utf8.xml'), ...now]);
    const gb = await runCli(['status', join(dir, 'dxp-gbk.xml'), ...now]);
    expect(gb.stderr).toBe('');
    expect(JSON.parse(gb.stdout)).toEqual(JSON.parse(twin.stdout));
    expect(gb.stdout).toContain('放行');
  });

  it('a bad byte: an xml-value issue at Data naming GB18030 and the offset, and the scanner refuses the file', () => {
    const good = encoded(RELEASED, 'GBK');
    const at = good.indexOf(Buffer.from([0xb7, 0xc5]));
    const bad = inDxp(Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at + 1)]));
    const got = parseCebXml(bad);
    if (got.kind !== 'dxp') throw new Error('not read as a DxpMsg');
    expect(got.message).toBeUndefined();
    expect(got.issues.map((i) => [i.code, i.path, i.message])).toEqual([
      [
        'xml-value',
        'Data',
        {
          zh: `Data 中的报文声明编码 GBK，但解码所得不是有效的 GB18030（字节偏移 ${at}）`,
          en: `The message in Data declares encoding GBK but is not valid GB18030 (byte offset ${at})`,
        },
      ],
    ]);
    expect(() => scanCebText(bad)).toThrow('The XML cannot be read: the Data of the DxpMsg is not GB18030 text');
  });

  it('a message declared UTF-8 whose bytes are GBK is still not read, and said to look like GBK', () => {
    const got = parseCebXml(inDxp(execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: RELEASED })));
    if (got.kind !== 'dxp') throw new Error('not read as a DxpMsg');
    expect(got.message).toBeUndefined();
    expect(got.issues[0]?.message.en).toMatch(/^Data does not decode to UTF-8 text: .*it looks like GB18030 \(GBK\)$/);
  });
});

describe('sandan status: a GB2312 CEB622 receipt', () => {
  it('gives what its UTF-8 twin gives (it was skipped: not valid UTF-8)', async () => {
    writeFileSync(join(dir, 'utf8.xml'), RELEASED);
    writeFileSync(join(dir, 'gb2312.xml'), encoded(RELEASED, 'GB2312'));
    const now = ['--format', 'json', '--now', '2020-06-20T00:00:00'];
    const twin = await runCli(['status', join(dir, 'utf8.xml'), ...now]);
    const gb = await runCli(['status', join(dir, 'gb2312.xml'), ...now]);
    expect(gb.stderr).toBe('');
    expect(JSON.parse(gb.stdout)).toEqual(JSON.parse(twin.stdout));
    expect(gb.stdout).toContain('放行');
    expect(gb.code).toBe(twin.code);
  });

  it('a GB2312 receipt with a bad byte is named and skipped (exit 1), not read with U+FFFD', async () => {
    const good = encoded(RELEASED, 'GB2312');
    const at = good.indexOf(Buffer.from([0xb7, 0xc5]));
    writeFileSync(
      join(dir, 'bad.xml'),
      Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at + 1)]),
    );
    const r = await runCli(['status', join(dir, 'bad.xml'), '--now', '2020-06-20T00:00:00']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `bad.xml: The XML input declares a GB encoding (GB2312, GBK or GB18030) but is not valid GB18030 (byte 0xFF at byte offset ${at}); skipped`,
    );
    expect(r.stdout).not.toContain('\uFFFD');
  });
});

describe('sandan reconcile --receipts: a month of GB2312 receipts and bills', () => {
  const month = join(dir, 'month');
  const twin = join(dir, 'twin');
  beforeAll(() => {
    // 100 bills to a file: files of more than one 32 KiB piece, so the streaming decoder crosses pieces.
    generate(month, fileSink(), { orders: 150, calculate: calculate as unknown as Calculate, billsPerFile: 100 });
    mkdirSync(twin);
    for (const sub of ['receipts', 'bills']) {
      mkdirSync(join(twin, sub));
      for (const f of readdirSync(join(month, sub)))
        writeFileSync(join(twin, sub, f), encoded(readFileSync(join(month, sub, f), 'utf8'), 'GB2312'));
    }
    for (const f of ['declarations.ndjson', 'rates.json']) writeFileSync(join(twin, f), readFileSync(join(month, f)));
  });

  it.each(['0', '2'])(
    '%s workers: the same rows as the UTF-8 month',
    async (workers) => {
      const big = readdirSync(join(twin, 'bills')).map((f) => readFileSync(join(twin, 'bills', f)).length);
      expect(Math.max(...big)).toBeGreaterThan(32 * 1024);
      const utf8 = await runCli([...reconcileArgs(month), '--format', 'json', '--workers', workers]);
      const gb = await runCli([...reconcileArgs(twin), '--format', 'json', '--workers', workers]);
      expect(gb.stderr).toBe(utf8.stderr);
      const rows = (out: string) => JSON.parse(out).orders;
      expect(rows(gb.stdout).length).toBeGreaterThan(100);
      expect(rows(gb.stdout)).toEqual(rows(utf8.stdout));
      expect(JSON.parse(gb.stdout).summary.inputs.unreadableDocuments).toBe(0);
      expect(gb.code).toBe(utf8.code);
    },
    60_000,
  );

  it('a bad byte in a later piece of a GB2312 bill file is XML_MALFORMED at its offset in the file', async () => {
    const name = readdirSync(join(twin, 'bills')).find((f) => readFileSync(join(twin, 'bills', f)).length > 40_000)!;
    const good = readFileSync(join(twin, 'bills', name));
    const at = good.indexOf(0x3c, 40_000);
    writeFileSync(
      join(dir, 'bad-bill.xml'),
      Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at + 1)]),
    );
    const e = await (async () => {
      try {
        for await (const _ of xmlFileText(join(dir, 'bad-bill.xml')));
      } catch (e) {
        return e;
      }
    })();
    expect(isSandanError(e) && [e.code, e.details]).toEqual(['XML_MALFORMED', { offset: at, encoding: 'GB18030' }]);
  });
});

describe.skipIf(skipWithout('openssl'))('sandan verify: a GB18030 signed message', () => {
  let keys: TestKeys;
  beforeAll(() => {
    keys = makeKeys();
  });
  afterAll(() => keys?.cleanup());

  it.skipIf(skipWithout('xmlsec1'))(
    'is valid for sandan and for xmlsec1 alike; a changed byte fails both',
    async () => {
      needTool('xmlsec1');
      const input = put(keys, 'in.xml', unsignedSample('CEB311Message'));
      const signed = await runCli(['sign', input, '--key', keys.path('rsa.key'), '--cert', keys.path('rsa.crt')]);
      expect(signed.code, signed.stderr).toBe(0);
      expect(signed.stdout).toMatch(/[\u4e00-\u9fff]/);
      const gb = put(keys, 'gb18030.xml', encoded(signed.stdout, 'GB18030'));
      expect(readFileSync(gb).includes(Buffer.from(signed.stdout.match(/[\u4e00-\u9fff]+/)![0]))).toBe(false);
      expect(xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), gb]).status).toBe(0);
      const v = await runCli(['verify', gb, '--cert', keys.path('rsa.crt')]);
      expect(v.stderr).toBe('');
      expect(v.stdout).toContain('gb18030.xml: valid signature (rsa-sha1');
      expect(v.code).toBe(0);
      // The same file with one Chinese character changed (still GB18030): both say no.
      const first = signed.stdout.match(/[\u4e00-\u9fff]/)![0];
      const other = first === '一' ? '二' : '一';
      const forged = put(keys, 'forged.xml', encoded(signed.stdout.replace(first, other), 'GB18030'));
      expect(xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), forged]).status).not.toBe(0);
      const f = await runCli(['verify', forged, '--cert', keys.path('rsa.crt')]);
      expect(f.code).toBe(1);
      expect(f.stdout).toContain('invalid signature');
    },
  );

  it.skipIf(skipWithout('xmlsec1'))(
    'in the Data of a DxpMsg: sandan verify says valid, as xmlsec1 says of the message alone',
    async () => {
      needTool('xmlsec1');
      const input = put(keys, 'in-dxp.xml', unsignedSample('CEB311Message'));
      const signed = await runCli(['sign', input, '--key', keys.path('rsa.key'), '--cert', keys.path('rsa.crt')]);
      expect(signed.code, signed.stderr).toBe(0);
      const bytes = encoded(signed.stdout, 'GB18030');
      expect(
        xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), put(keys, 'alone.xml', bytes)]).status,
      ).toBe(0);
      const env = put(keys, 'dxp-gb18030.xml', inDxp(bytes));
      const v = await runCli(['verify', env, '--cert', keys.path('rsa.crt')]);
      expect(v.stderr).toBe('');
      expect(v.stdout).toContain("dxp-gb18030.xml (the CEB311Message in the DxpMsg's Data): valid signature (rsa-sha1");
      expect(v.code).toBe(0);
      // (verifyMessage alike: the message in Data is the one verified)
      expect(verifyMessage(readFileSync(env, 'utf8'))).toMatchObject({ valid: true, dxp: { envelope: 'DxpMsg' } });
    },
  );

  it('signing a GB file stays refused: its output would be UTF-8 under a GB declaration', async () => {
    const gb = put(keys, 'unsigned-gb.xml', encoded(unsignedSample('CEB311Message'), 'GB18030'));
    const r = await runCli(['sign', gb, '--key', keys.path('rsa.key'), '--cert', keys.path('rsa.crt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not UTF-8 text');
  });
});
