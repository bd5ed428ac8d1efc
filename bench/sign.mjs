// Signing cost: a CEB621 signed end to end vs the raw crypto sign of its SignedInfo (RSA-2048),
// and SM2 signatures per second vs `openssl speed -seconds 2 sm2` on the same machine.
// Test keys are generated into a temp dir with the OpenSSL command line and removed afterwards.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSigner, signMessage } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-bench-sign-'));
const ossl = (args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
try {
  const p = (n) => join(dir, n);
  ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('rsa.key')]);
  ossl(['req', '-x509', '-new', '-key', p('rsa.key'), '-subj', '/CN=bench', '-days', '1', '-out', p('rsa.crt')]);
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', p('sm2.key')]);
  ossl([
    'req',
    '-x509',
    '-new',
    '-key',
    p('sm2.key'),
    '-sm3',
    '-sigopt',
    'distid:1234567812345678',
    '-subj',
    '/CN=bench',
    '-days',
    '1',
    '-out',
    p('sm2.crt'),
  ]);

  const sample = readFileSync(
    new URL('../test/fixtures/ceb-spec/samples-202205/import/CEB621Message.xml', import.meta.url),
    'utf8',
  )
    .replace(/^\uFEFF/, '')
    .replace(/\s*<ds:Signature[\s\S]*<\/ds:Signature>/, '');
  // A typical message carries one inventory: keep the first of the sample's eight.
  const first = sample.indexOf('<ceb:Inventory>');
  const base = sample.indexOf('<ceb:BaseTransfer>');
  const single = `${sample.slice(0, sample.indexOf('</ceb:Inventory>') + '</ceb:Inventory>'.length)}\n\t${sample.slice(base)}`;
  if (first < 0 || base < 0) throw new Error('unexpected sample layout');

  async function asyncOpsPerSec(fn, ms = 2000) {
    for (let i = 0; i < 200; i++) await fn();
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 50; i++) await fn();
      n += 50;
      now = performance.now();
    }
    return n / ((now - start) / 1000);
  }
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

  const rsa = createLocalSigner({ key: readFileSync(p('rsa.key')), certificate: readFileSync(p('rsa.crt'), 'utf8') });
  const rsaKey = createPrivateKey(readFileSync(p('rsa.key')));
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

  const sm2 = createLocalSigner({ key: readFileSync(p('sm2.key')), certificate: readFileSync(p('sm2.crt'), 'utf8') });
  const si = Buffer.from((await signMessage(single, sm2)).canonicalSignedInfo);
  const sm2Raw = await asyncOpsPerSec(() => sm2.sign(si, 'sm2-sm3'));
  const speed = ossl(['speed', '-seconds', '2', 'sm2']);
  const m = /SM2 \(CurveSM2\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/.exec(speed);
  const opensslSign = m ? Number(m[1]) : null;
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
  rmSync(dir, { recursive: true, force: true });
}
