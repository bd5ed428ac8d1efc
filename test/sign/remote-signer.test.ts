// The remote-signer example of docs/signing.md: the key lives in a service (here a stand-in for a
// server crypto device, 服务类密码设备, on 127.0.0.1), and sandan only sees certificate and signatures.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm2 } from 'sm-crypto-v2';
import {
  signMessage,
  signPayExchange,
  verifyMessage,
  verifyPayExchange,
  type SignatureAlgorithm,
  type Signer,
} from '../../src/index.js';
import { skipWithout } from '../helpers/tools.js';
import { makeKeys, openssl, unsignedSample, type TestKeys } from './helpers.js';

// ---- the example signer (copied verbatim into docs/signing.md) ----
async function createHttpSigner(baseUrl: string): Promise<Signer> {
  const res = await fetch(`${baseUrl}/certificate`);
  if (!res.ok) throw new Error(`certificate service answered ${res.status}`);
  const info = (await res.json()) as { certificate: string; certNo: string; algorithm: SignatureAlgorithm };
  return {
    algorithm: info.algorithm,
    certificate: info.certificate,
    certificateNumber: info.certNo,
    sm2Encoding: 'der', // this device returns DER; sandan converts to what the message needs
    async sign(data, algorithm) {
      const r = await fetch(`${baseUrl}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ algorithm, data: Buffer.from(data).toString('base64') }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!r.ok) throw new Error(`signing service answered ${r.status}: ${await r.text()}`);
      return Buffer.from(((await r.json()) as { signature: string }).signature, 'base64');
    },
  };
}
// ---- end of example ----

let keys: TestKeys;
let server: Server;
let base: string;
let signed = 0;
let failNext = false;

beforeAll(async () => {
  // The tests using the keys are skipped without OpenSSL: then so is making them.
  if (skipWithout('openssl')) return;
  keys = makeKeys();
  // The "device": holds the SM2 private scalar and signs with sm-crypto-v2 (DER, default user ID).
  const text = openssl(['ec', '-in', keys.path('sm2.key'), '-text', '-noout']).toString();
  const privHex = /priv:\s*([\s\S]*?)pub:/
    .exec(text)![1]!
    .replace(/[\s:]/g, '')
    .replace(/^00(?=.{64}$)/, '');
  const pubHex = /pub:\s*([\s\S]*?)ASN1/.exec(text)![1]!.replace(/[\s:]/g, '');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/certificate') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ certificate: keys.text('sm2.crt'), certNo: '03000000000cde6f', algorithm: 'sm2-sm3' }),
        );
      } else if (req.url === '/sign' && req.method === 'POST') {
        if (failNext) {
          failNext = false;
          res.statusCode = 503;
          res.end('device busy');
          return;
        }
        const { data, algorithm } = JSON.parse(body) as { data: string; algorithm: string };
        if (algorithm !== 'sm2-sm3') {
          res.statusCode = 400;
          res.end('unsupported algorithm');
          return;
        }
        signed++;
        const sigHex = sm2.doSignature(Buffer.from(data, 'base64'), privHex, {
          hash: true,
          der: true,
          publicKey: pubHex,
          userId: '1234567812345678',
        });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ signature: Buffer.from(sigHex, 'hex').toString('base64') }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  keys?.cleanup();
});

describe.skipIf(skipWithout('openssl'))('a remote signer (HTTP service on 127.0.0.1)', () => {
  it('signs a CEB message; the result verifies and is raw r‖s as the message default', async () => {
    const signer = await createHttpSigner(base);
    const before = signed;
    const r = await signMessage(unsignedSample('CEB621Message'), signer);
    expect(signed).toBe(before + 1);
    expect(Buffer.from(r.signatureValue, 'base64')).toHaveLength(64);
    expect(verifyMessage(r.xml, { trustedCertificates: [keys.text('sm2.crt')] })).toMatchObject({
      valid: true,
      certificateNumber: '03000000000cde6f',
      sm2Encoding: 'raw',
    });
    const der = await signMessage(unsignedSample('CEB311Message'), signer, { sm2SignatureEncoding: 'der' });
    expect(verifyMessage(der.xml)).toMatchObject({ valid: true, sm2Encoding: 'der' });
  });

  it('signs a 179 upload with the same signer', async () => {
    const signer = await createHttpSigner(base);
    const r = await signPayExchange(
      {
        sessionID: 'ad2254-8hewyf32-55616249',
        payExchangeInfoHead: {
          guid: '9D55BA71-22DE-41F4-8B50-C36C83B3B530',
          initalRequest: 'req',
          initalResponse: 'ok',
          ebpCode: '4404840022',
          payCode: '312226T001',
          payTransactionId: '2018121222001354081010726129',
          totalAmount: '100',
          currency: '142',
          verDept: '3',
          payType: '1',
          tradingTime: '20181212041803',
        },
        payExchangeInfoLists: [
          {
            orderNo: 'SO1',
            goodsInfo: [{ gname: 'g', itemLink: 'http://example.com/1' }],
            recpAccount: 'A1',
            recpName: 'N',
          },
        ],
        serviceTime: 1544519952469,
      },
      signer,
    );
    expect(verifyPayExchange(r.payExInfoStr, { certificate: keys.text('sm2.crt') })).toMatchObject({ valid: true });
  });

  it('turns a device failure into SIGN_SIGNER_FAILED', async () => {
    const signer = await createHttpSigner(base);
    failNext = true;
    await expect(signMessage('<a/>', signer)).rejects.toMatchObject({
      code: 'SIGN_SIGNER_FAILED',
      message: expect.stringContaining('device busy'),
    });
  });
});
