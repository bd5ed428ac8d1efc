// Signing cost: a CEB621 signed end to end vs the raw crypto sign of its SignedInfo (RSA-2048),
// and SM2 signatures per second vs `openssl speed -seconds 2 sm2` on the same machine.
// Test keys are generated into a temp dir with the OpenSSL command line and removed afterwards.
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { createLocalSigner, signMessage } from '../dist/index.js';
import { asyncOpsPerSec, ceb621Samples, makeSigningKeys, opensslSm2Speed } from './fixtures.mjs';

const keys = makeSigningKeys();
try {
  const { sample, single } = ceb621Samples();

  function syncOpsPerSec(fn, ms = 2000) {
    for (let i = 0; i < 200; i++) fn();
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      now = performance.now();
    }
    return n / ((now - start) / 1000);
  }

  const rsa = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  const rsaKey = createPrivateKey(keys.read('rsa.key'));
  for (const [label, xml] of [
    ['CEB621, 1 inventory', single],
    ['CEB621 official sample, 8 inventories', sample],
  ]) {
    const si = Buffer.from((await signMessage(xml, rsa)).canonicalSignedInfo);
    const raw = syncOpsPerSec(() => nodeSign('sha1', si, rsaKey));
    const e2e = await asyncOpsPerSec(() => signMessage(xml, rsa));
    console.log(
      JSON.stringify({
        name: `sign ${label} (${Buffer.byteLength(xml)} bytes), RSA-2048 rsa-sha1: end to end ÷ raw sign of SignedInfo`,
        unit: 'ratio',
        value: Number((raw / e2e).toFixed(3)),
        endToEndPerSec: Math.round(e2e),
        rawSignPerSec: Math.round(raw),
        target: 1.3,
        lowerIsBetter: true,
      }),
    );
  }

  const sm2 = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
  const si = Buffer.from((await signMessage(single, sm2)).canonicalSignedInfo);
  const sm2Raw = await asyncOpsPerSec(() => sm2.sign(si, 'sm2-sm3'));
  const opensslSign = opensslSm2Speed()?.sign ?? null;
  console.log(
    JSON.stringify({
      name: 'SM2 signatures (SM3withSM2, user ID 1234567812345678) over a CEB621 SignedInfo, one core',
      unit: 'signatures/s',
      value: Math.round(sm2Raw),
      opensslSpeedSm2SignPerSec: opensslSign,
      ratioToOpenssl: opensslSign ? Number((sm2Raw / opensslSign).toFixed(2)) : null,
      target: 1000,
    }),
  );
  const sm2E2e = await asyncOpsPerSec(() => signMessage(single, sm2));
  console.log(
    JSON.stringify({
      name: 'sign CEB621 (1 inventory) end to end, SM2 sm2-sm3',
      unit: 'messages/s',
      value: Math.round(sm2E2e),
      ratioToRawSm2: Number((sm2Raw / sm2E2e).toFixed(3)),
    }),
  );
} finally {
  keys.cleanup();
}
