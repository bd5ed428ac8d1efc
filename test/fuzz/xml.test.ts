/*
 * Fuzzing the XML entry points with mutated real messages (test/fuzz/mutations.ts). What must hold
 * for every input, however broken:
 * - parseCebXml, unwrapDxp, parseDxpRep, signMessage throw nothing but SandanError (nor statusInputsOfMessage on what
 *   the readers return); verifyMessage throws nothing;
 * - the reconciliation scanner reads exactly the parser's documents, or refuses what the parser refuses,
 *   whatever the chunk boundaries;
 * - what xmllint cannot read, no sandan entry point accepts;
 * - a message sandan signs is well-formed to xmllint and verifies;
 * - verify agrees with xmlsec1 on every mutated signed message xmlsec1 can read: sandan never calls valid
 *   what xmlsec1 rejects, and refuses what xmlsec1 accepts only for a documented layout rule.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { CebScanner } from '../../src/reconcile/scan.js';
import { statusInputsOfMessage } from '../../src/reconcile/status/inputs.js';
import { createLocalSigner, signMessage, verifyMessage, type Signer } from '../../src/sign/index.js';
import { unwrapDxp } from '../../src/xml/dxp.js';
import { parseCebXml, parseDxpRep } from '../../src/xml/parse.js';
import { expectScannerAgrees, parserDocuments } from '../helpers/scan-oracle.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { makeRsaKeys, put, type TestKeys, unsignedSample, xmlsec1 } from '../sign/helpers.js';
import {
  CORPUS,
  DXP_REP_CORPUS,
  FUZZ_TIMEOUT,
  fuzzParams,
  type Mutated,
  mutated,
  SCANNED_CORPUS,
} from './mutations.js';

/** Runs `f`; returns its error, or undefined. Fails the property on anything but a SandanError. */
function onlySandanErrors(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isSandanError(e)) throw new Error(`not a SandanError: ${e instanceof Error ? e.stack : String(e)}`);
    return e;
  }
}

describe('fuzzing the XML readers with mutated real messages', () => {
  it(
    'parseCebXml, unwrapDxp and parseDxpRep throw nothing but SandanError, nor status on what they read',
    () => {
      fc.assert(
        fc.property(mutated({ ...CORPUS, ...DXP_REP_CORPUS }), (m: Mutated) => {
          for (const read of [
            () => parseCebXml(m.text),
            () => parseCebXml(Buffer.from(m.text)),
            () => parseDxpRep(m.text),
            () => parseDxpRep(Buffer.from(m.text)),
          ])
            onlySandanErrors(() => {
              // What a reader returns, status takes as it is (an inbox holds receipts and DxpReps): nothing thrown.
              const parsed = read();
              expect(statusInputsOfMessage(parsed).issues.every((i) => typeof i.message.en === 'string')).toBe(true);
            });
          onlySandanErrors(() => unwrapDxp(m.text));
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'the reconciliation scanner sees exactly the documents the parser sees, in any chunks',
    () => {
      fc.assert(
        fc.property(mutated(SCANNED_CORPUS), fc.integer({ min: 1, max: 4096 }), (m: Mutated, chunk) => {
          const parserError = onlySandanErrors(() => parseCebXml(m.text));
          const scanned = (size: number) => {
            const s = new CebScanner();
            const out = [];
            for (let i = 0; i < m.text.length; i += size) out.push(...s.push(m.text.slice(i, i + size)));
            return [...out, ...s.end()];
          };
          if (parserError) {
            expect(() => scanned(m.text.length || 1), 'the scanner refuses what the parser refuses').toThrow();
            expect(() => scanned(chunk)).toThrow();
            return;
          }
          const whole = expectScannerAgrees(m.text);
          // A DxpMsg whose message the parser does not read: the scanner refuses it, in any chunks.
          if (parserDocuments(m.text) === undefined) expect(() => scanned(chunk)).toThrow();
          else expect(scanned(chunk)).toEqual(whole);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  // Without xmllint the property runs alone, and the xmllint half is reported skipped.
  const verifyNeverThrows = (xmllint: boolean) =>
    fc.assert(
      fc.property(mutated(CORPUS), (m: Mutated) => {
        const v = verifyMessage(m.text);
        expect(v.valid).toBe(false); // nothing in the corpus is signed by a key sandan could check
        if (xmllint && !wellFormed(m.text)) {
          expect(
            onlySandanErrors(() => parseCebXml(m.text)),
            'parseCebXml refuses it',
          ).toBeDefined();
          expect(v, 'verify calls it malformed').toMatchObject({ reason: 'xml-malformed' });
        }
      }),
      fuzzParams(),
    );

  it('verifyMessage never throws on a message', () => verifyNeverThrows(false), FUZZ_TIMEOUT);

  it.skipIf(skipWithout('xmllint'))(
    'verifyMessage never throws on a message, and refuses what xmllint cannot read',
    () => {
      needTool('xmllint');
      verifyNeverThrows(true);
    },
    FUZZ_TIMEOUT,
  );
});

/** xmllint's verdict on well-formedness (no network, no entity loading). */
function wellFormed(text: string): boolean {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: text });
  return r.status === 0;
}

describe('fuzzing signing and verification', () => {
  let keys: TestKeys;
  let signer: Signer;
  const signed: Record<string, string> = {};

  beforeAll(async () => {
    keys = makeRsaKeys();
    signer = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.read('rsa.crt') });
    for (const name of ['CEB311Message', 'CEB411Message', 'CEB511Message', 'CEB621Message']) {
      signed[name] = (await signMessage(unsignedSample(name), signer)).xml;
    }
  });
  afterAll(() => keys?.cleanup());

  const signsOnlyWhatVerifies = (xmllint: boolean) =>
    fc.assert(
      fc.asyncProperty(mutated(CORPUS), async (m: Mutated) => {
        let out: string | undefined;
        try {
          out = (await signMessage(m.text, signer)).xml;
        } catch (e) {
          if (!isSandanError(e)) throw e;
        }
        if (out === undefined) return;
        expect(verifyMessage(out, { trustedCertificates: [keys.read('rsa.crt')] })).toMatchObject({ valid: true });
        if (xmllint) expect(wellFormed(out), 'xmllint reads what sandan signed').toBe(true);
      }),
      fuzzParams(),
    );

  it(
    'signMessage signs only what verifies, and throws nothing but SandanError',
    () => signsOnlyWhatVerifies(false),
    FUZZ_TIMEOUT,
  );

  it.skipIf(skipWithout('xmllint'))(
    'signMessage signs only what verifies and xmllint reads, and throws nothing but SandanError',
    async () => {
      needTool('xmllint');
      await signsOnlyWhatVerifies(true);
    },
    FUZZ_TIMEOUT,
  );

  it.skipIf(skipWithout('xmlsec1') || skipWithout('xmllint'))(
    'verify agrees with xmlsec1 on mutated signed messages',
    () => {
      needTool('xmlsec1');
      needTool('xmllint');
      const cert = keys.path('rsa.crt');
      const trusted = [readFileSync(cert)];
      // Layout rules sandan adds to XML-DSig (documented on verifyMessage): xmlsec1 may accept these.
      const policy = new Set([
        'signature-misplaced',
        'signature-multiple',
        'signature-structure',
        'reference-not-whole-document',
        'transform-not-allowed',
        'xml-malformed',
      ]);
      let n = 0;
      fc.assert(
        fc.property(mutated(signed), (m: Mutated) => {
          const ours = verifyMessage(m.text, { trustedCertificates: trusted, diagnose: false });
          if (!wellFormed(m.text)) {
            expect(ours).toMatchObject({ valid: false, reason: 'xml-malformed' });
            return;
          }
          const theirs = xmlsec1(['--verify', '--pubkey-cert-pem', cert, put(keys, `fuzz-${n++}.xml`, m.text)]);
          if (ours.valid) expect(theirs.status, `xmlsec1 rejects what sandan accepted: ${theirs.out}`).toBe(0);
          else if (theirs.status === 0) expect(policy, `sandan refused (${ours.message})`).toContain(ours.reason);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
