import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalSigner,
  DIGEST_METHODS,
  districtSignOptions,
  isSandanError,
  SIGNATURE_METHODS,
  SIGNATURE_URIS,
  signMessage,
  signOptionsFromDistrict,
  verifyMessage,
  type Signer,
} from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { makeRsaKeys, put, unsignedSample, type TestKeys } from './helpers.js';

// Names an object finds on Object.prototype: an allow-list read with table[uri] took them for algorithms
// (security audit, session 15, finding 3): verifyMessage threw a TypeError, `sandan verify` said "internal error".
const PROTO_NAMES = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty'];

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');

let keys: TestKeys;
let rsa: Signer;
let signed: string;
beforeAll(async () => {
  keys = makeRsaKeys();
  rsa = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  signed = (await signMessage(unsignedSample('CEB621Message'), rsa)).xml;
}, 120_000);
afterAll(() => keys?.cleanup());

/** The signed message with one Algorithm attribute replaced (the element named, its nth occurrence). */
function withAlgorithm(xml: string, element: string, uri: string, name: string): string {
  const from = `<ds:${element} Algorithm="${uri}">`;
  expect(xml).toContain(from);
  return xml.replace(from, `<ds:${element} Algorithm="${name}">`);
}

/** `sandan sign` of `input` with the test RSA key and a DigestMethod of this name. */
const signArgs = (input: string, digestMethod: string) => [
  'sign',
  input,
  '--key',
  keys.path('rsa.key'),
  '--cert',
  keys.path('rsa.crt'),
  '--digest-method',
  digestMethod,
];

const OPTIONS = () => [{}, { diagnose: false }, { trustedCertificates: [keys.text('rsa.crt')] }];

describe('prototype names as algorithm URIs', () => {
  it.each(PROTO_NAMES)(
    '%s as DigestMethod, SignatureMethod or CanonicalizationMethod: algorithm-not-allowed',
    (name) => {
      for (const [element, uri, what] of [
        ['DigestMethod', SIGNATURE_URIS.sha1, 'DigestMethod'],
        ['SignatureMethod', SIGNATURE_URIS.rsaSha1, 'SignatureMethod'],
        ['CanonicalizationMethod', SIGNATURE_URIS.c14n, 'CanonicalizationMethod'],
      ] as const) {
        const xml = withAlgorithm(signed, element, uri, name);
        for (const options of OPTIONS()) {
          const v = verifyMessage(xml, options);
          expect(v, `${element} ${name} ${JSON.stringify(Object.keys(options))}`).toMatchObject({
            valid: false,
            reason: 'algorithm-not-allowed',
          });
          if (!v.valid) expect(v.message).toContain(`${what} ${name} is not allowed`);
        }
      }
    },
  );

  it.each(PROTO_NAMES)('%s as a Transform: transform-not-allowed', (name) => {
    const first = withAlgorithm(signed, 'Transform', SIGNATURE_URIS.envelopedSignature, name);
    const second = signed.replace(
      '</ds:Transform>\n</ds:Transforms>',
      `</ds:Transform>\n<ds:Transform Algorithm="${name}"></ds:Transform>\n</ds:Transforms>`,
    );
    expect(second).not.toBe(signed);
    for (const xml of [first, second])
      for (const options of OPTIONS())
        expect(verifyMessage(xml, options)).toMatchObject({ valid: false, reason: 'transform-not-allowed' });
  });

  it('a message properly signed with DigestMethod or SignatureMethod "constructor" is refused, not thrown on', async () => {
    // Signed by sandan itself, so SignedInfo (with the odd URI) verifies: only the allow-list can refuse it.
    const digest = await signMessage(unsignedSample('CEB621Message'), rsa, {
      digestMethod: 'constructor',
      digestAlgorithm: 'sha1',
    });
    expect(digest.xml).toContain('<ds:DigestMethod Algorithm="constructor">');
    const signature = await signMessage(unsignedSample('CEB621Message'), rsa, { signatureMethod: 'constructor' });
    expect(signature.xml).toContain('<ds:SignatureMethod Algorithm="constructor">');
    expect(signature.signatureAlgorithm).toBe('rsa-sha1');
    for (const [r, what] of [
      [digest, 'DigestMethod'],
      [signature, 'SignatureMethod'],
    ] as const)
      for (const options of OPTIONS())
        expect(verifyMessage(r.xml, options)).toMatchObject({
          valid: false,
          reason: 'algorithm-not-allowed',
          message: `${what} constructor is not allowed`,
        });
    // A caller's own allow-list may hold such a URI as its own entry: then it counts.
    expect(verifyMessage(digest.xml, { digestMethods: { constructor: 'sha1' as const } })).toMatchObject({
      valid: true,
      digestAlgorithm: 'sha1',
    });
    expect(
      verifyMessage(signature.xml, { signatureMethods: { ...SIGNATURE_METHODS, constructor: 'rsa-sha1' as const } }),
    ).toMatchObject({ valid: true, signatureAlgorithm: 'rsa-sha1' });
  });

  it('the default allow-lists have no prototype: their own entries only', () => {
    for (const name of PROTO_NAMES) {
      expect(SIGNATURE_METHODS[name]).toBeUndefined();
      expect(DIGEST_METHODS[name]).toBeUndefined();
    }
    expect(Object.keys(DIGEST_METHODS)).toEqual([SIGNATURE_URIS.sha1, SIGNATURE_URIS.sha256, SIGNATURE_URIS.sm3]);
    expect(Object.isFrozen(SIGNATURE_METHODS)).toBe(true);
  });

  it('misuse is a SandanError: an unknown digest URI or algorithm when signing, a table mapping to no algorithm', async () => {
    const code = async (f: () => unknown) => {
      try {
        await f();
      } catch (e) {
        return isSandanError(e) ? e.code : `not a SandanError: ${String(e)}`;
      }
      return 'no throw';
    };
    const doc = unsignedSample('CEB621Message');
    for (const name of PROTO_NAMES) {
      expect(await code(() => signMessage(doc, rsa, { digestMethod: name }))).toBe('INVALID_OPTION');
      expect(await code(() => signMessage(doc, rsa, { digestAlgorithm: name as 'sha1', digestMethod: 'urn:x' }))).toBe(
        'INVALID_OPTION',
      );
      expect(await code(() => signMessage(doc, rsa, { signatureAlgorithm: name as 'rsa-sha1' }))).toBe(
        'INVALID_OPTION',
      );
      expect(
        await code(() => signOptionsFromDistrict({ signatureMethod: name, digestMethod: SIGNATURE_URIS.sha1 })),
      ).toBe('INVALID_OPTION');
      expect(
        await code(() => signOptionsFromDistrict({ signatureMethod: SIGNATURE_URIS.rsaSha1, digestMethod: name })),
      ).toBe('INVALID_OPTION');
      expect(
        districtSignOptions(
          [
            { signatureMethod: name, digestMethod: SIGNATURE_URIS.sha1 },
            { signatureMethod: SIGNATURE_URIS.rsaSha1, digestMethod: SIGNATURE_URIS.sha1 },
          ],
          'rsa',
        ),
      ).toMatchObject({ signatureAlgorithm: 'rsa-sha1', signatureMethod: SIGNATURE_URIS.rsaSha1 });
    }
    expect(await code(() => verifyMessage(signed, { digestMethods: { 'urn:x': 'md5' as 'sha1' } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await code(() => verifyMessage(signed, { signatureMethods: { 'urn:x': 'toString' as 'rsa-sha1' } }))).toBe(
      'INVALID_OPTION',
    );
    expect(
      await code(() =>
        createLocalSigner({
          key: keys.read('rsa.key'),
          certificate: keys.text('rsa.crt'),
          algorithm: 'constructor' as 'rsa-sha1',
        }),
      ),
    ).toBe('INVALID_OPTION');
  });

  it('sandan verify: exit 1 with the verdict; sandan sign --digest-method constructor: a usage error (exit 2)', async () => {
    const file = put(
      keys,
      'digest-constructor.xml',
      withAlgorithm(signed, 'DigestMethod', SIGNATURE_URIS.sha1, 'constructor'),
    );
    for (const args of [[], ['--cert', keys.path('rsa.crt')], ['--format', 'json']]) {
      const v = await runCli(['verify', file, ...args]);
      expect(v.stderr).toBe('');
      expect(v.code).toBe(1);
      if (args[0] === '--format')
        expect(JSON.parse(v.stdout)).toMatchObject({ valid: false, reason: 'algorithm-not-allowed' });
      else
        expect(v.stdout).toContain('invalid signature: algorithm-not-allowed: DigestMethod constructor is not allowed');
    }
    const input = put(keys, 'unsigned.xml', unsignedSample('CEB621Message'));
    for (const name of PROTO_NAMES) {
      const s = await runCli(signArgs(input, name));
      expect(s.code).toBe(2);
      expect(s.stdout).toBe('');
      expect(s.stderr).toBe(
        `sandan: Unknown DigestMethod ${name}; say what it computes with digestAlgorithm\nhint: See \`sandan sign --help\`.\n`,
      );
    }
  });

  it('the built CLI (bin/sandan.js on dist/) gives the same verdict and usage error', () => {
    const file = put(
      keys,
      'digest-tostring.xml',
      withAlgorithm(signed, 'DigestMethod', SIGNATURE_URIS.sha1, 'toString'),
    );
    const v = spawnSync(process.execPath, [BIN, 'verify', file, '--cert', keys.path('rsa.crt')], { encoding: 'utf8' });
    expect(v.stderr).toBe('');
    expect(v.status).toBe(1);
    expect(v.stdout).toContain('invalid signature: algorithm-not-allowed: DigestMethod toString is not allowed');
    const input = put(keys, 'unsigned-bin.xml', unsignedSample('CEB621Message'));
    const s = spawnSync(process.execPath, [BIN, ...signArgs(input, 'constructor')], { encoding: 'utf8' });
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/^sandan: Unknown DigestMethod constructor; say what it computes with digestAlgorithm\n/);
    expect(s.stderr).not.toContain('internal error');
  });
});
