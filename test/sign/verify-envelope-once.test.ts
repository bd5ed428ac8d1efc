// verifyMessage decides from the root element whether it was given a DxpMsg: a CEB message is parsed once, by the
// verifier's own reader, never first as a would-be envelope, even when its text says "DxpMsg" (a note, a comment);
// a DxpMsg (or DxpMsgSv) is read once as an envelope and the message in its Data once. The verdicts on every XML
// fixture, as they are and with "DxpMsg" said twice in a comment after the root (which no signature covers), are
// the ones recorded in verify-envelope-once.golden.json before the change.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyMessage, type VerifyResult } from '../../src/sign/verify-message.js';

const calls = vi.hoisted(() => ({ parseCebXml: 0, readEnvelope: 0, stoppedAtRoot: 0, tokenizers: 0 }));
vi.mock('../../src/xml/core/tokenizer.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/xml/core/tokenizer.js')>();
  class CountedTokenizer extends real.XmlTokenizer {
    constructor(...a: ConstructorParameters<typeof real.XmlTokenizer>) {
      super(...a);
      calls.tokenizers++;
    }
  }
  return { ...real, XmlTokenizer: CountedTokenizer };
});
vi.mock('../../src/xml/parse.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/xml/parse.js')>();
  return {
    ...real,
    parseCebXml: (...a: Parameters<typeof real.parseCebXml>) => {
      calls.parseCebXml++;
      return real.parseCebXml(...a);
    },
  };
});
vi.mock('../../src/sign/envelope.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sign/envelope.js')>();
  return {
    ...real,
    // A reading stopped at the root (a DxpMsg, opened instead) is counted apart from one that read the message.
    readEnvelope: (...a: Parameters<typeof real.readEnvelope>) => {
      try {
        const env = real.readEnvelope(...a);
        calls.readEnvelope++;
        return env;
      } catch (e) {
        if (typeof e === 'symbol') calls.stoppedAtRoot++;
        throw e;
      }
    },
  };
});

const ROOT = join(import.meta.dirname, '..', 'fixtures');
const GOLDEN = join(import.meta.dirname, 'verify-envelope-once.golden.json');
const AT = new Date('2026-11-20T02:20:00Z');

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? xmlFiles(join(dir, e.name)) : e.name.endsWith('.xml') ? [join(dir, e.name)] : [],
    )
    .sort();
}

/** The verdict, without what only restates the input (the signed text) or explains it (the diagnosis). */
function verdict(r: VerifyResult) {
  return r.valid
    ? {
        valid: true,
        signatureMethod: r.signatureMethod,
        digestMethod: r.digestMethod,
        subject: r.certificate.subject,
        dxp: r.dxp,
      }
    : { valid: false, reason: r.reason, message: r.message, dxp: r.dxp };
}

/** "DxpMsg" twice in the text, after the root: no signature covers a comment outside the root. */
const sayingDxpMsg = (xml: string) => `${xml.trimEnd()}\n<!-- not a DxpMsg; the DxpMsg is another file -->\n`;

beforeEach(() => {
  calls.parseCebXml = 0;
  calls.readEnvelope = 0;
  calls.stoppedAtRoot = 0;
  calls.tokenizers = 0;
});

describe('verifyMessage reads a message once', () => {
  it('a signed CEB message whose text says "DxpMsg" twice is read once, never as an envelope', () => {
    const file = join(ROOT, 'ceb-spec/samples-202205/import/CEB621Message.xml');
    const xml = sayingDxpMsg(readFileSync(file, 'utf8'));
    expect(xml.split('DxpMsg').length - 1).toBe(2);
    const r = verifyMessage(xml, { at: AT });
    expect(r.dxp).toBeUndefined();
    expect(calls).toMatchObject({ parseCebXml: 0, readEnvelope: 1, stoppedAtRoot: 0 });
  });

  it('a signed CEB message is tokenized once: whether it is a DxpMsg is read in the pass that verifies it', () => {
    // (Before, a tokenizer of its own read up to the root's start tag first: 2–3 % of verifying a small message.)
    const xml = readFileSync(join(ROOT, 'ceb-spec/samples-202205/import/CEB621Message.xml'), 'utf8');
    const r = verifyMessage(xml, { at: AT, diagnose: false });
    expect(r.dxp).toBeUndefined();
    expect(r.valid ? 'valid' : r.reason).not.toBe('xml-malformed');
    expect(calls).toEqual({ parseCebXml: 0, readEnvelope: 1, stoppedAtRoot: 0, tokenizers: 1 });
  });

  it('a DxpMsg is read once as an envelope, and the message in its Data once', () => {
    const xml = readFileSync(join(ROOT, 'outside/fucl123-crs/DxpMsg-CEB303-signed.xml'), 'utf8');
    const r = verifyMessage(xml, { at: AT });
    expect(r.dxp?.envelope).toBe('DxpMsg');
    // (the first reading stops at the envelope's root; the message in Data is read once)
    expect(calls).toMatchObject({ parseCebXml: 1, readEnvelope: 1, stoppedAtRoot: 1 });
  });

  it('a DxpMsg over maxBytes is refused as any message over it is, not read as an envelope past it', () => {
    const xml = readFileSync(join(ROOT, 'outside/fucl123-crs/DxpMsg-CEB303-signed.xml'), 'utf8');
    const r = verifyMessage(xml, { at: AT, maxBytes: 1000 });
    expect(r).toMatchObject({ valid: false, reason: 'xml-malformed' });
    expect(r.dxp).toBeUndefined();
  });

  it('gives the verdicts it gave before on every XML fixture, as it is and saying "DxpMsg" twice', () => {
    // The golden was written by the code before this change; the files are those it names (a fixture added later is
    // not held to it: rewriting the golden then would record the code under test, not the verdicts from before).
    const update = Boolean(process.env.UPDATE_GOLDEN);
    const names = update
      ? xmlFiles(ROOT).map((file) => relative(ROOT, file))
      : Object.keys(JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>).filter(
          (k) => !k.endsWith(' (saying DxpMsg)'),
        );
    expect(names.length).toBeGreaterThanOrEqual(100);
    const got: Record<string, unknown> = {};
    for (const name of names) {
      const text = readFileSync(join(ROOT, name), 'utf8');
      got[name] = verdict(verifyMessage(text, { at: AT }));
      got[`${name} (saying DxpMsg)`] = verdict(verifyMessage(sayingDxpMsg(text), { at: AT }));
    }
    if (update) writeFileSync(GOLDEN, `${JSON.stringify(got, null, 2)}\n`);
    expect(got).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
    // (the set holds envelopes verified through their Data, and refusals of many kinds)
    const verdicts = Object.values(got) as Array<{ reason?: string; dxp?: unknown }>;
    expect(verdicts.filter((v) => v.dxp !== undefined).length).toBeGreaterThanOrEqual(6);
    expect(new Set(verdicts.map((v) => v.reason)).size).toBeGreaterThanOrEqual(10);
  });
});
