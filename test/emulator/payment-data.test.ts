// The emulator's "179" desk: customs asks a platform for an order's raw payment data and takes the signed upload.
// The platform's side is sandan's own (parseOpenReq, openReqResponse, signPayExchange, payExUploadBody) and, once, a
// real E-Port card's upload that another project published with the card's certificate.
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, realClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import { startHttpTransport } from '../../src/emulator/http.js';
import { createCustomsEmulator } from '../../src/emulator/index.js';
import { PAYMENT_DATA_MESSAGES as M } from '../../src/emulator/payment-data.js';
import type { EmulatorEngine } from '../../src/emulator/types.js';
import {
  createLocalSigner,
  openReqResponse,
  parseOpenReq,
  payExUploadBody,
  signPayExchange,
  type Signer,
} from '../../src/index.js';
import { beijingIso } from '../../src/time/beijing.js';
import { cardCertificate, cardUpload179 } from '../helpers/eport-card.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { makeKeys, rsaCertificateOfKey, type TestKeys } from '../sign/helpers.js';

const T0 = '2026-11-20T02:20:00Z';
const noOpenssl = skipWithout('openssl');
let keys: TestKeys;
let card: Signer;
let other: Signer;

beforeAll(() => {
  if (noOpenssl) return;
  keys = makeKeys();
  // sm2.crt: serial 03000000000cde6f; sm2b.crt: another card the emulator does not trust.
  card = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
  other = createLocalSigner({ key: keys.read('sm2b.key'), certificate: keys.text('sm2b.crt') });
}, 120_000);
afterAll(() => keys?.cleanup());

// The test card's certificate is valid from the moment makeKeys ran, after T0: its dates are not what these tests are
// about (the real card's test below is).
const engine = (extra: { window?: string } = {}) =>
  createEngine({
    store: 'memory',
    clock: manualClock(T0),
    trust: { certificates: [keys.text('sm2.crt')] },
    certificateDates: 'ignore',
    ...(extra.window !== undefined && { paymentDataWindow: extra.window }),
  });

/** The platform's upload for a request, signed by `signer`; `orderNo` and `ebpCode` as the platform writes them. */
async function upload(
  openReq: string,
  signer: Signer,
  o: { orderNo?: string; ebpCode?: string; totalAmount?: string } = {},
): Promise<string> {
  const req = parseOpenReq(openReq);
  const { payExInfoStr } = await signPayExchange(
    {
      sessionID: req.sessionID,
      payExchangeInfoHead: {
        guid: '9D55BA71-22DE-41F4-8B50-C36C83B3B530',
        initalRequest: 'https://openapi.alipay.com/gateway.do?method=alipay.trade.pay',
        initalResponse: 'ok',
        ebpCode: o.ebpCode ?? '3301964J31',
        payCode: '312226T001',
        payTransactionId: '2026112022001354081010726129',
        totalAmount: new Decimal(o.totalAmount ?? '761.52'),
        currency: '142',
        verDept: '3',
        payType: '1',
        tradingTime: '20261120101500',
      },
      payExchangeInfoLists: [
        {
          orderNo: o.orderNo ?? req.orderNo,
          goodsInfo: [{ gname: '婴儿奶粉', itemLink: 'https://example.com/item/1' }],
          recpAccount: '6222000000000000',
          recpName: 'sandan test',
        },
      ],
      serviceTime: new Date(T0).getTime() + 1000,
    },
    signer,
  );
  return payExInfoStr;
}

describe.skipIf(noOpenssl)('the "179" payment data desk', () => {
  beforeAll(() => needTool('openssl'));

  it('asks for an order, takes the signed upload once, and refuses it a second time', async () => {
    const e = await engine();
    const r = e.requestPaymentData('SD202611200001', { ebpCode: '3301964J31' });
    expect(r.sessionID).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    // serviceTime as a string of digits, as customs' requests were logged (the specification's example has a number)
    expect(r.openReq).toBe(
      `{"orderNo":"SD202611200001","sessionID":"${r.sessionID}","serviceTime":"${Date.parse(T0)}"}`,
    );
    expect(r.serviceTime).toBe(Date.parse(T0));
    // Two minutes by default: 10:20:00 Beijing + 2 min.
    expect(r.until).toBe('2026-11-20T10:22:00.000+08:00');
    const text = await upload(r.openReq, card);
    expect(e.uploadPaymentData(text)).toEqual({
      code: '10000',
      message: '上传成功',
      total: 0,
      serviceTime: Date.parse(T0),
    });
    expect(e.uploadPaymentData(text)).toMatchObject({ code: '20000', message: '上传失败，入库失败' });
    expect(e.paymentDataUploads().map((u) => [u.seq, u.accepted, u.sessionID, u.orderNo])).toEqual([
      [1, true, r.sessionID, 'SD202611200001'],
      [2, false, r.sessionID, 'SD202611200001'],
    ]);
    expect(e.paymentDataUploads(1)[0]?.reason).toBe(`session ${r.sessionID} was answered already`);
    await e.close();
  });

  it("answers an unregistered card's upload as customs does: code 20004, its words", async () => {
    // The answer customs' production system gave (2023-07-09), logged in the Javadoc of Upload179DataTests.upload in
    // Weasley-J/chinaport-data-signature (chinaport-data-signature-app/src/test/java/cn/alphahub/eport/signature/
    // report/Upload179DataTests.java at 95f729093c1bf18ca88990af4e09b535dcbf270f, GPL-3.0; facts only).
    const customs = { code: '20004', message: '企业实时数据获取验签证书未在服务系统注册', total: 0 };
    const e = await engine();
    const r = e.requestPaymentData('SD202611200001', { ebpCode: '3301964J31' });
    expect(e.uploadPaymentData(await upload(r.openReq, other))).toEqual({ ...customs, serviceTime: Date.parse(T0) });
    await e.close();
  });

  it('answers 验签失败 to a card whose certificate may not sign data (keyUsage without digitalSignature or nonRepudiation)', async () => {
    // An RSA card registered with an encryption-only certificate of the key that signs: the signature holds.
    const rsaSerial = new X509Certificate(keys.text('rsa.crt')).serialNumber.toLowerCase().replace(/^0+/, '');
    rsaCertificateOfKey(keys, 'rsa-enc', {
      subject: '/CN=encryption only',
      serial: `0x${rsaSerial}`,
      extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,keyEncipherment'],
    });
    const e = await createEngine({
      store: 'memory',
      clock: manualClock(T0),
      trust: { certificates: [keys.text('rsa-enc.crt')] },
      certificateDates: 'ignore',
    });
    const r = e.requestPaymentData('SD202611200001', { ebpCode: '3301964J31' });
    const rsaCard = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
    expect(e.uploadPaymentData(await upload(r.openReq, rsaCard))).toMatchObject({
      code: '20000',
      message: M.signature,
    });
    expect(e.paymentDataUploads()[0]?.reason).toMatch(/may not sign data: its keyUsage has neither/);
    await e.close();
  });

  it('answers each mistake with its own message, the first that applies', async () => {
    const e = await engine();
    const r = e.requestPaymentData('SD202611200001', { ebpCode: '3301964J31' });
    const good = await upload(r.openReq, card);
    const answer = (text: string) => e.uploadPaymentData(text).message;
    expect(answer('')).toBe(M.malformed);
    expect(answer('payExInfoStr={}')).toBe(M.malformed);
    expect(answer(JSON.stringify({ certNo: '03000000000cde6f' }))).toBe(M.malformed);
    // A card customs has not registered for the platform.
    expect(answer(await upload(r.openReq, other))).toBe(M.notRegistered);
    // The certNo as the card writes it, in lower case: upper case is another number.
    expect(answer(good.replace('"certNo":"03000000000cde6f"', '"certNo":"03000000000CDE6F"'))).toBe(M.notRegistered);
    // Changed after signing.
    expect(answer(good.replace('"totalAmount":761.52', '"totalAmount":761.53'))).toBe(M.signature);
    // Another order, another platform, a session customs never opened.
    expect(answer(await upload(r.openReq, card, { orderNo: 'SD202611200002' }))).toBe(M.order);
    expect(answer(await upload(r.openReq, card, { ebpCode: '3301964J77' }))).toBe(M.notRegistered);
    const stranger = JSON.stringify({ orderNo: 'SD202611200001', sessionID: 'NOT-ASKED', serviceTime: 1 });
    expect(answer(await upload(stranger, card))).toBe(M.session);
    // None of these used the session up.
    expect(answer(good)).toBe(M.uploaded);
    // An unregistered certificate (or another platform's) is 20004, as customs answers it; the rest 20000.
    expect(e.paymentDataUploads().map((u) => u.answer.code)).toEqual([
      ...['20000', '20000', '20000', '20004', '20004', '20000', '20000', '20004', '20000'],
      '10000',
    ]);
    await e.close();
  });

  it('takes an upload within the window only (a setting; two minutes by default)', async () => {
    const e = await engine({ window: '30s' });
    const late = e.requestPaymentData('SD202611200001');
    const inTime = e.requestPaymentData('SD202611200002');
    expect(inTime.until).toBe('2026-11-20T10:20:30.000+08:00');
    await e.advance('30s');
    expect(e.uploadPaymentData(await upload(inTime.openReq, card)).code).toBe('10000');
    await e.advance('1ms');
    expect(e.uploadPaymentData(await upload(late.openReq, card))).toMatchObject({ code: '20000', message: M.session });
    expect(e.paymentDataUploads().at(-1)?.reason).toBe(
      `session ${late.sessionID} expired at 2026-11-20T10:20:30.000+08:00`,
    );
    // A day after its window closed, the request is forgotten (memory stays bounded): the session is then unknown.
    const forgotten = e.requestPaymentData('SD202611200003');
    await e.advance('1d');
    await e.advance('30s');
    expect(e.uploadPaymentData(await upload(forgotten.openReq, card)).message).toBe(M.session);
    expect(e.paymentDataUploads().at(-1)?.reason).toBe(`session ${forgotten.sessionID} expired at ${forgotten.until}`);
    await e.advance('1ms');
    expect(e.uploadPaymentData(await upload(forgotten.openReq, card)).message).toBe(M.session);
    expect(e.paymentDataUploads().at(-1)?.reason).toBe(`no request has session ${forgotten.sessionID}`);
    await e.close();
  });

  it('keeps the newest `history` uploads only (none with 0)', async () => {
    for (const [history, kept] of [
      [2, [2, 3]],
      [1, [3]],
      [0, []],
    ] as const) {
      const e = await createEngine({
        store: 'memory',
        clock: manualClock(T0),
        trust: { certificates: [keys.text('sm2.crt')] },
        history,
      });
      for (let i = 0; i < 3; i++) e.uploadPaymentData(`not JSON ${i}`);
      expect(
        e.paymentDataUploads().map((u) => u.seq),
        `history ${history}`,
      ).toEqual(kept);
      await e.close();
    }
  });

  it('refuses misuse: no orderNo, a session opened twice, a bad window', async () => {
    const e = await engine();
    expect(() => e.requestPaymentData('')).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    e.requestPaymentData('SD1', { sessionID: 'S-1' });
    expect(() => e.requestPaymentData('SD2', { sessionID: 'S-1' })).toThrowError(/already open/);
    await e.close();
    await expect(engine({ window: 'soon' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    // The trusted certificates are read once, when the engine is made: a bad list is misuse there.
    await expect(
      createEngine({ store: 'memory', clock: manualClock(T0), trust: { certificates: keys.text('sm2.crt') as never } }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/trust\.certificates must be a list/),
    });
    await expect(
      createEngine({ store: 'memory', clock: manualClock(T0), trust: { certificates: ['not a certificate'] } }),
    ).rejects.toMatchObject({ code: 'SIGN_CERT_INVALID' });
  });

  it("takes a real E-Port card's upload when the emulator trusts the card", async () => {
    // test/fixtures/outside: the 179 upload of card 03000000000cde6f and the card's certificate (see the README there).
    const e = await createEngine({
      store: 'memory',
      clock: realClock(),
      trust: { certificates: [cardCertificate().raw] },
    });
    e.requestPaymentData('202009231454218421271832', {
      ebpCode: '46016602EV',
      sessionID: 'IHWESX-WEASLEY-20230712210643-X7E4PL',
    });
    expect(e.uploadPaymentData(cardUpload179())).toMatchObject({ code: '10000', message: '上传成功' });
    await e.close();
  });

  it("refuses the real card's upload outside the card's dates (2023-03-29 to 2033-03-29), as a signed message is", async () => {
    const answer = async (at: string, certificateDates?: 'ignore') => {
      const e = await createEngine({
        store: 'memory',
        clock: manualClock(at),
        trust: { certificates: [cardCertificate().raw] },
        ...(certificateDates && { certificateDates }),
      });
      e.requestPaymentData('202009231454218421271832', { sessionID: 'IHWESX-WEASLEY-20230712210643-X7E4PL' });
      const a = e.uploadPaymentData(cardUpload179());
      const reason = e.paymentDataUploads()[0]?.reason;
      await e.close();
      return [a.code, a.message, reason];
    };
    const card = cardCertificate();
    // (Beijing time, as every time the emulator shows: notAfter 2033-03-29 00:00:00 UTC is 08:00 Beijing)
    const dates = `valid from ${beijingIso(Date.parse(card.validFrom))} to ${beijingIso(Date.parse(card.validTo))}`;
    // The signature is good either way: only the dates refuse it, and the settings file's `certificateDates: ignore`
    // takes it as it takes a message.
    expect(await answer('2033-03-29T12:00:00Z')).toEqual([
      '20000',
      M.certificateDates,
      `certificate 03000000000cde6f is ${dates}`,
    ]);
    expect(await answer('2023-03-01T00:00:00Z')).toEqual([
      '20000',
      M.certificateDates,
      `certificate 03000000000cde6f is ${dates}`,
    ]);
    expect(await answer('2033-03-29T12:00:00Z', 'ignore')).toEqual(['10000', M.uploaded, undefined]);
    expect(await answer('2026-12-05T00:00:00Z')).toEqual(['10000', M.uploaded, undefined]);
  });
});

describe.skipIf(noOpenssl)('the "179" desk over HTTP: the emulator calls the platform, the platform uploads', () => {
  let platform: Server;
  let platformUrl: string;
  let emulatorUrl: string;
  let e: EmulatorEngine;
  let stop: () => Promise<void>;
  const asked: string[] = [];

  beforeAll(async () => {
    needTool('openssl');
    e = await createEngine({ store: 'memory', clock: realClock(), trust: { certificates: [keys.text('sm2.crt')] } });
    // The order service's platDataOpen: answer at once, upload afterwards, as the specification asks.
    platform = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        asked.push(`${req.headers['content-type']} ${body.slice(0, 9)}`);
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(openReqResponse({ serviceTime: Date.now() }));
        void upload(body, card).then((text) =>
          fetch(`${emulatorUrl}/ceb2grab/grab/realTimeDataUpload`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: payExUploadBody(text),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    platformUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}/platDataOpen`;
    const http = await startHttpTransport(e, { platDataOpen: platformUrl });
    emulatorUrl = http.url;
    stop = () => http.close();
  }, 120_000);
  afterAll(async () => {
    await stop?.();
    await e?.close();
    await new Promise((resolve) => platform?.close(resolve));
  });

  it('posts openReq as a form, reports the platform answer, and takes the upload that follows', async () => {
    const r = await fetch(`${emulatorUrl}/admin/payment-data-request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ orderNo: 'SD202611200001', ebpCode: '3301964J31' }),
    });
    expect(r.status).toBe(200);
    const { request, platform: answer } = (await r.json()) as {
      request: { sessionID: string };
      platform: { status: number; code: string };
    };
    expect(answer).toMatchObject({ status: 200, code: '10000' });
    expect(asked).toEqual(['application/x-www-form-urlencoded openReq=%']);
    // The upload arrives after the answer: poll the admin list.
    let uploads: Array<{ accepted: boolean; sessionID: string }> = [];
    for (let i = 0; i < 100 && uploads.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      uploads = ((await (await fetch(`${emulatorUrl}/admin/payment-data`)).json()) as { uploads: typeof uploads })
        .uploads;
    }
    expect(uploads).toMatchObject([{ accepted: true, sessionID: request.sessionID }]);
  });

  it('createCustomsEmulator does the same in a program: requestPaymentData asks the platform, paymentDataUploads lists', async () => {
    const customs = await createCustomsEmulator({
      clock: 'real',
      folder: false,
      http: { platDataOpen: platformUrl },
      trust: { certificates: [keys.text('sm2.crt')] },
    });
    const before = emulatorUrl;
    // The platform uploads to this emulator for now.
    emulatorUrl = customs.url!;
    try {
      const { request, platform: answer } = await customs.requestPaymentData('SD202611200002', {
        ebpCode: '3301964J31',
      });
      expect(request).toMatchObject({ orderNo: 'SD202611200002', ebpCode: '3301964J31' });
      expect(answer).toMatchObject({ status: 200, code: '10000' });
      let uploads = customs.paymentDataUploads();
      for (let i = 0; i < 100 && uploads.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        uploads = customs.paymentDataUploads();
      }
      expect(uploads).toMatchObject([{ seq: 1, accepted: true, sessionID: request.sessionID }]);
    } finally {
      emulatorUrl = before;
      await customs.close();
    }
    // Without the HTTP transport (or without platDataOpen) the request is only opened: no platform is asked.
    const quiet = await createCustomsEmulator({ clock: 'real', folder: false, http: false });
    const only = await quiet.requestPaymentData('SD202611200003');
    expect(Object.keys(only)).toEqual(['request']);
    expect(JSON.parse(only.request.openReq)).toMatchObject({ orderNo: 'SD202611200003' });
    await quiet.close();
  });

  it('answers an upload in JSON, as customs does, and a bad request as misuse', async () => {
    const bad = await fetch(`${emulatorUrl}/ceb2grab/grab/realTimeDataUpload`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: payExUploadBody('{"certNo":"nobody"}'),
    });
    expect(bad.status).toBe(200);
    expect(await bad.json()).toMatchObject({ code: '20004', message: M.notRegistered, total: 0 });
    const misuse = await fetch(`${emulatorUrl}/admin/payment-data-request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ orderNo: '' }),
    });
    expect(misuse.status).toBe(400);
    expect(await misuse.json()).toMatchObject({ error: { code: 'INVALID_OPTION' } });
  });

  it('refuses a platDataOpen that is no http(s) URL', async () => {
    await expect(startHttpTransport(e, { platDataOpen: 'ftp://x' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

// Audit (session 40): the uploads list kept the newest `history` (10,000) uploads whole, in memory whatever the state,
// each as large as a request body (50 MiB): a few hundred large posts to realTimeDataUpload filled the memory.
describe('the "179" uploads list', () => {
  it('keeps no more than 64 Mi characters of uploads, dropping the oldest beyond', async () => {
    const e = await createEngine({ store: 'memory', clock: manualClock(T0) });
    const big = 'x'.repeat(20 * 1024 * 1024);
    for (let i = 0; i < 5; i++) e.uploadPaymentData(`${big}${i}`);
    const kept = e.paymentDataUploads();
    expect(kept.map((u) => [u.seq, u.payExInfoStr.slice(-1), u.answer.code])).toEqual([
      [3, '2', '20000'],
      [4, '3', '20000'],
      [5, '4', '20000'],
    ]);
    expect(e.paymentDataUploads(4).map((u) => u.seq)).toEqual([5]);
    await e.close();
  });
});

describe('the "179" payment data desk: a window past the end of time', () => {
  it('ends at the end of time (9999-12-31 Beijing), not at an empty until', async () => {
    // Past JavaScript's last date the window's end was Invalid Date: `until` was '' and the request never expired.
    const e = await createEngine({ store: 'memory', clock: manualClock(T0), paymentDataWindow: '99999999d' });
    try {
      const r = e.requestPaymentData('SD202611200001');
      expect(r.until).toBe('9999-12-31T23:59:59.999+08:00');
      expect(e.requestPaymentData('SD202611200002', {}).until).toBe(r.until);
    } finally {
      await e.close();
    }
  });
});
