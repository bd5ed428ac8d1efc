import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xsdBase64, xsdBase64Bytes } from '../../src/xml/base64.js';
import { parseCebXml, unwrapDxp, wrapDxp } from '../../src/xml/index.js';
import { verifyMessage } from '../../src/sign/index.js';

/*
 * A security audit (session 28) found the xs:base64Binary check written as a pattern of repeated four-character
 * groups, which overflows the stack at about 4.5 million characters: verifyMessage, parseCebXml and unwrapDxp threw
 * RangeError on a DxpMsg of 3.6 MB of payload, well within the documented limits. The check is now a loop.
 */

// The grammar as the old patterns wrote it: the oracle for short values, where they do not overflow.
const ZERO = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;
const ANY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('xsdBase64', () => {
  it('accepts exactly what the xs:base64Binary grammar accepts (zero or any bits under the padding)', () => {
    const chars = fc.constantFrom(...'ABQRgwxz09+/=  \n-'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 14 }).map((a) => a.join('')),
        (s) => {
          const t = s.replace(/[ \t\n\r]/g, '');
          expect(xsdBase64(s)).toBe(ZERO.test(t) ? t : undefined);
          expect(xsdBase64(s, 'any')).toBe(ANY.test(t) ? t : undefined);
        },
      ),
      { numRuns: 3000 },
    );
    // hand-picked: padding bits, '=' inside, lengths
    expect(
      ['QQ==', 'QR==', 'QUI=', 'QUJ=', 'A===', '====', 'QQ==QQ==', '', 'QUJD'].map((v) => xsdBase64(v) !== undefined),
    ).toEqual([true, false, true, false, false, false, false, true, true]);
  });

  it('reads 8 million characters without overflowing the stack (the patterns threw RangeError at about 4.5 million)', () => {
    const big = 'QUJD'.repeat(2_000_000);
    expect(xsdBase64(big)).toBe(big);
    expect(xsdBase64(`${big}QQ==`, 'any')?.length).toBe(8_000_004);
    expect(xsdBase64(`${big}!`)).toBeUndefined();
  });

  it('a DxpMsg carrying 6 MB of base64 is read by parseCebXml and unwrapDxp, and verifyMessage answers (no throw)', () => {
    // A CEB message with a 4.5 MB note is no declaration, but the envelope around it must still be read.
    const inner = `<?xml version="1.0" encoding="UTF-8"?><ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0"><ceb:Order><ceb:OrderHead><ceb:note>${'x'.repeat(4_500_000)}</ceb:note></ceb:OrderHead></ceb:Order></ceb:CEB311Message>`;
    const wrapped = wrapDxp(inner, { senderId: 'DXPENT0000012345', now: () => new Date(0), newId: () => 'm1' });
    expect(wrapped.length).toBeGreaterThan(6_000_000);
    expect(() => unwrapDxp(wrapped)).not.toThrow();
    expect(unwrapDxp(wrapped).payload?.length).toBe(inner.length);
    expect(() => parseCebXml(wrapped)).not.toThrow();
    expect(verifyMessage(wrapped, { diagnose: false })).toMatchObject({ valid: false });
  });
});

describe('xsdBase64Bytes', () => {
  it('gives the bytes of exactly the values xsdBase64 accepts, checked natively or by the loop', () => {
    // Node's decoder alone takes '-', '_', a misplaced '=' and bits under the padding, and skips what is not base64:
    // the bytes are given only when re-encoding them gives the text back, else the loop decides.
    const chars = fc.constantFrom(...'ABQRgwxz09+/=  \n-_!'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 14 }).map((a) => a.join('')),
        (s) => {
          for (const bits of ['zero', 'any'] as const) {
            const t = xsdBase64(s, bits);
            expect(xsdBase64Bytes(s, bits)).toEqual(t === undefined ? undefined : Buffer.from(t, 'base64'));
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(['QQ==', 'QR==', 'QUI=', 'QUJ=', 'QUJD', 'QU-D', 'QU_D', 'Q=Q=', ''].map((v) => xsdBase64Bytes(v))).toEqual([
      Buffer.from('A'),
      undefined,
      Buffer.from('AB'),
      undefined,
      Buffer.from('ABC'),
      undefined,
      undefined,
      undefined,
      Buffer.alloc(0),
    ]);
    expect(xsdBase64Bytes('QR==', 'any')).toEqual(Buffer.from('A'));
    expect(xsdBase64Bytes(' QU\nJD ')).toEqual(Buffer.from('ABC'));
  });
});
