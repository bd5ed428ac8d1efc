// Two builds of sandan in one process, timed in alternating rounds: how much slower or faster a change is,
// when separate runs move with the machine's load more than the change moves them (docs/performance.md, session 18).
//   node bench/compare-builds.mjs validate|verify|sm2|parse BASE_DIST [NEW_DIST] [--rounds N] [--calls N]
// --calls sets the calls per timing (verify: 200): short timings (50) with many rounds (300) let the load slow fewer of
// them, and the 10th percentile, printed beside the median, reads the rounds it slowed least (session 53).
// sm2 times verifyPayExchange of a 179 upload signed with SM2 (SM3withSM2), as bench/verify.mjs does.
// parse times parseCebXml on a CEB622 receipt, a CEB816 bill, a signed one-inventory CEB621 (its ds:Signature
// checked against the xmldsig XSD) and that CEB621 in a DxpMsg, each with its own ratio.
// BASE_DIST is the dist folder of another build (e.g. a git worktree of the base commit, built with tsup);
// NEW_DIST defaults to this checkout's dist. Prints the median of the per-round ratios new ÷ base.
import { createHash, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ceb621Samples, makeSigningKeys, signedPayExchange, variedDeclarations } from './fixtures.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at === -1 ? 41 : Number(args.splice(at, 2)[1]);
const callsAt = args.indexOf('--calls');
const calls = callsAt === -1 ? undefined : Number(args.splice(callsAt, 2)[1]);
const [what, baseDir, newDir = new URL('../dist', import.meta.url).pathname] = args;
if (!['validate', 'verify', 'sm2', 'parse'].includes(what) || !baseDir) {
  console.error('usage: node bench/compare-builds.mjs validate|verify|sm2|parse BASE_DIST [NEW_DIST] [--rounds N]');
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, 'index.js')).href);
const [B, N] = [await load(baseDir), await load(newDir)];

const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
/** CPU µs per call of fn over n calls. */
const time = (fn, n) => {
  const t0 = cpu();
  for (let k = 0; k < n; k++) fn();
  return (cpu() - t0) / n;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p10 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 10)];

let base;
let next;
let n;
let keys;
let floor;
/** parse: the inputs by name, each timed with both builds in the same round. */
const inputs = [];
if (what === 'parse') {
  keys = makeSigningKeys();
  const signer = N.createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  const signed = (await N.signMessage(ceb621Samples().single, signer)).xml;
  const fixture = (f) => readFileSync(new URL(`../test/fixtures/xml/${f}`, import.meta.url), 'utf8');
  const dxp = N.wrapDxp(signed, {
    now: () => new Date(0),
    newId: () => 'bench',
    senderId: 'DXPENT0000012345',
    receiverIds: ['DXPEDCCEB0000002'],
  });
  for (const [name, text] of [
    ['CEB622', fixture('CEB622-release.xml')],
    ['CEB816', fixture('CEB816Message.xml')],
    ['CEB621 signed', signed],
    ['DxpMsg (CEB621 signed)', dxp],
  ]) {
    for (const P of [B, N]) {
      const r = P.parseCebXml(text);
      const m = r.kind === 'dxp' ? r.message : r;
      if (!m || r.issues.length || m.issues.length) throw new Error(`${name} does not parse cleanly`);
    }
    inputs.push([name, () => B.parseCebXml(text), () => N.parseCebXml(text)]);
  }
  n = 500;
} else if (what === 'validate') {
  const decls = await variedDeclarations();
  const rates = JSON.parse(readFileSync(new URL('../examples/rates.example.json', import.meta.url), 'utf8'));
  const vb = B.createValidator({ rates: B.parseRateTable(rates) });
  const vn = N.createValidator({ rates: N.parseRateTable(rates) });
  let i = 0;
  base = () => vb(decls[i++ & 511]);
  next = () => vn(decls[i++ & 511]);
  n = 2000;
} else if (what === 'sm2') {
  keys = makeSigningKeys();
  const certificate = new X509Certificate(keys.text('sm2.crt'));
  const signer = N.createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
  const payex = await signedPayExchange(N.signPayExchange, signer);
  for (const P of [B, N])
    if (!P.verifyPayExchange(payex.payExInfoStr, { certificate }).valid) throw new Error('does not verify');
  base = () => B.verifyPayExchange(payex.payExInfoStr, { certificate });
  next = () => N.verifyPayExchange(payex.payExInfoStr, { certificate });
  n = 20;
} else {
  keys = makeSigningKeys();
  const signer = N.createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  const signed = await N.signMessage(ceb621Samples().single, signer);
  if (!B.verifyMessage(signed.xml).valid || !N.verifyMessage(signed.xml).valid) throw new Error('does not verify');
  base = () => B.verifyMessage(signed.xml);
  next = () => N.verifyMessage(signed.xml);
  n = 200;
  // Also each against the floor (raw verify + SHA-1 of the canonical document), as bench/verify.mjs.
  const si = Buffer.from(signed.canonicalSignedInfo);
  const doc = Buffer.from(signed.canonicalDocument);
  const sig = Buffer.from(signed.signatureValue, 'base64');
  const pk = new X509Certificate(keys.text('rsa.crt')).publicKey;
  floor = () => {
    nodeVerify('sha1', si, pk, sig);
    createHash('sha1').update(doc).digest();
  };
}
/** Median ratio new ÷ base of `rounds` rounds (base, new, base, new in each); with `floor`, each against it too. */
function compare(label, base, next, floor) {
  if (calls !== undefined) n = calls;
  for (let r = 0; r < 5; r++) time(base, n), time(next, n);
  const ratios = [];
  const floors = [[], []];
  for (let r = 0; r < rounds; r++) {
    // base, new, base, new: a change in load within the round weighs on both.
    const b1 = time(base, n);
    const n1 = time(next, n);
    const b2 = time(base, n);
    const n2 = time(next, n);
    ratios.push((n1 + n2) / (b1 + b2));
    if (floor) {
      const f = time(floor, n);
      floors[0].push((b1 + b2) / 2 / f);
      floors[1].push((n1 + n2) / 2 / f);
    }
  }
  const spread = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
  console.log(`${label}: new ÷ base ${median(ratios).toFixed(3)} (median of ${rounds} rounds; rounds ${spread})`);
  if (floor)
    console.log(
      `verify ÷ floor: base ${median(floors[0]).toFixed(2)}×, new ${median(floors[1]).toFixed(2)}× (median); base ${p10(floors[0]).toFixed(2)}×, new ${p10(floors[1]).toFixed(2)}× (10th percentile)`,
    );
}
try {
  if (what === 'parse')
    for (const [name, b, x] of inputs) {
      // About 20 ms of CPU per timing, whatever the input's size.
      time(b, 2000), time(x, 2000);
      n = Math.max(50, Math.ceil(20000 / time(b, 1000)));
      compare(`parse ${name}`, b, x);
    }
  else compare(what, base, next, floor);
} finally {
  keys?.cleanup?.();
}
