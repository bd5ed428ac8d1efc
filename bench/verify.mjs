// Verification cost (issue #18): verifyMessage of a 1-inventory CEB621 against its floor, the raw
// signature verify (node:crypto) plus the SHA-1 of the canonical document, which any verifier
// must do; and SM2 verifications per second against sm-crypto-v2 with a precomputed key and
// `openssl speed sm2`. One core (CPU time); the keys are made with the OpenSSL command line.
import { createHash, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import { createLocalSigner, signMessage, signPayExchange, verifyMessage, verifyPayExchange } from '../dist/index.js';
import {
  ceb621Samples,
  makeSigningKeys,
  micros,
  opensslSm2Speed,
  opsPerSec,
  rate,
  signedPayExchange,
} from './fixtures.mjs';

/** Milliseconds per call: a short warm-up, and the clock read every 10 calls. */
const SLOW = { warmup: 50, batch: 10 };

/** Median over `rounds` of (CPU time of `n` calls of fn) ÷ (CPU time of `n` calls of floor), measured back to back. */
function pairedRatio(fn, floor, rounds = 21, n = 200) {
  const cpu = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  const time = (f) => {
    const t0 = cpu();
    for (let i = 0; i < n; i++) f();
    return cpu() - t0;
  };
  time(fn);
  time(floor);
  const ratios = [];
  for (let r = 0; r < rounds; r++) ratios.push(time(fn) / time(floor));
  return ratios.sort((a, b) => a - b)[rounds >> 1];
}

const keys = makeSigningKeys();
try {
  const { single } = ceb621Samples();

  // RSA: end to end ÷ (raw verify of the SignedInfo + SHA-1 of the canonical document).
  const rsaCert = keys.text('rsa.crt');
  const rsa = createLocalSigner({ key: keys.read('rsa.key'), certificate: rsaCert });
  const signed = await signMessage(single, rsa);
  const v = verifyMessage(signed.xml);
  if (!v.valid) throw new Error(`bench RSA message does not verify: ${JSON.stringify(v)}`);
  const si = Buffer.from(signed.canonicalSignedInfo);
  const doc = Buffer.from(signed.canonicalDocument);
  const sig = Buffer.from(signed.signatureValue, 'base64');
  const publicKey = new X509Certificate(rsaCert).publicKey;
  const rawVerify = opsPerSec(() => nodeVerify('sha1', si, publicKey, sig));
  const sha1 = opsPerSec(() => createHash('sha1').update(doc).digest());
  const e2e = opsPerSec(() => verifyMessage(signed.xml), 2000, SLOW);
  const floorUs = 1e6 / rawVerify + 1e6 / sha1;
  // The ratio from interleaved rounds (floor, then end to end, 21 times; the median of the
  // per-round ratios): on a shared machine the load changes between two separate measurements.
  const ratio = pairedRatio(
    () => verifyMessage(signed.xml),
    () => {
      nodeVerify('sha1', si, publicKey, sig);
      createHash('sha1').update(doc).digest();
    },
  );
  console.log(
    JSON.stringify({
      name: `verifyMessage CEB621, 1 inventory (${Buffer.byteLength(signed.xml)} bytes), RSA-2048 rsa-sha1: end to end ÷ floor (raw verify + SHA-1 of the canonical document)`,
      unit: 'ratio',
      value: Number(ratio.toFixed(2)),
      endToEndPerSec: Math.round(e2e),
      rawVerifyPerSec: Math.round(rawVerify),
      sha1PerSec: Math.round(sha1),
      target: 3,
      lowerIsBetter: true,
      issue: 18,

      summary: `verifyMessage CEB621 (RSA): ${rate(e2e)}; floor ${micros(floorUs)} (verify ${micros(1e6 / rawVerify)} + SHA-1 ${micros(1e6 / sha1)}); ratio ${ratio.toFixed(1)}× (median of interleaved rounds); target ≤ 3×`,
    }),
  );

  // SM2: sandan's verification of a small signed text (a 179 payment upload: JSON, sign string,
  // SM3withSM2 verify), and of a whole CEB621; sm-crypto-v2 with a precomputed key verifying the
  // same sign string (it computes Z and e itself, in JavaScript); OpenSSL's native SM2.
  const sm2Cert = new X509Certificate(keys.text('sm2.crt'));
  const sm2 = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
  const payex = await signedPayExchange(signPayExchange, sm2);
  if (!verifyPayExchange(payex.payExInfoStr, { certificate: sm2Cert }).valid)
    throw new Error('bench 179 upload does not verify');
  const sm2Verify = opsPerSec(() => verifyPayExchange(payex.payExInfoStr, { certificate: sm2Cert }), 3000, SLOW);
  const pointHex = Buffer.from(sm2Cert.publicKey.export({ format: 'der', type: 'spki' }))
    .subarray(-65)
    .toString('hex');
  const precomputed = smCrypto.precomputePublicKey(pointHex);
  const sigHex = Buffer.from(payex.signValue, 'base64').toString('hex');
  const signString = Buffer.from(payex.signString, 'utf8');
  if (!smCrypto.doVerifySignature(signString, sigHex, precomputed, { hash: true }))
    throw new Error('sm-crypto-v2 does not verify the bench signature');
  const smCryptoVerify = opsPerSec(
    () => smCrypto.doVerifySignature(signString, sigHex, precomputed, { hash: true }),
    3000,
    SLOW,
  );
  const openssl = opensslSm2Speed()?.verify ?? null;
  const sm2Message = await signMessage(single, sm2);
  if (!verifyMessage(sm2Message.xml).valid) throw new Error('bench SM2 message does not verify');
  const sm2E2e = opsPerSec(() => verifyMessage(sm2Message.xml), 3000, SLOW);
  console.log(
    JSON.stringify({
      name: 'SM2 verifications (verifyPayExchange of a 179 upload, SM3withSM2), one core',
      unit: 'verifications/s',
      value: Math.round(sm2Verify),
      smCryptoPrecomputedPerSec: Math.round(smCryptoVerify),
      opensslSpeedSm2VerifyPerSec: openssl,
      ratioToSmCrypto: Number((sm2Verify / smCryptoVerify).toFixed(2)),
      ratioToOpenssl: openssl ? Number((sm2Verify / openssl).toFixed(2)) : null,
      verifyMessageCeb621PerSec: Math.round(sm2E2e),
      target: 1500,
      issue: 18,

      summary: `SM2 verify: ${rate(sm2Verify)}; sm-crypto-v2 precomputed ${rate(smCryptoVerify)} (ratio ${(sm2Verify / smCryptoVerify).toFixed(2)}); ${openssl ? `OpenSSL ${rate(openssl)} (ratio ${(sm2Verify / openssl).toFixed(2)})` : 'OpenSSL not available'}; verifyMessage CEB621 SM2 ${rate(sm2E2e)}; target ≥ 1,500/s`,
    }),
  );
} finally {
  keys.cleanup();
}
