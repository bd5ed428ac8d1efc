// CEB621 builds per second, and parses of a CEB622 receipt and a CEB816 tax bill per second, one
// core; each parse against sandan's reconciliation scanner reading the same text and against an
// indexOf floor (the leaf texts picked out with indexOf and slice: no checks at all).
import { readFileSync } from 'node:fs';
import { buildMessage, parseCebXml, parseDeclaration, scanCebText } from '../dist/index.js';
import { micros, opsPerSec, rate, threeLineDeclaration } from './fixtures.mjs';

const parsed = parseDeclaration(threeLineDeclaration());
if (!parsed.success) throw new Error('bench declaration does not parse');
const inventory = parsed.data.inventory;
const options = {
  now: () => new Date('2026-11-20T02:15:00Z'),
  newId: () => '00000000-0000-4000-8000-000000000001',
  sender: { copCode: '3301964J31', copName: '杭州示例跨境电商平台有限公司', dxpId: 'DXPENT0000012345' },
};
const built = buildMessage('CEB621', inventory, options);
if (!built.ok) throw new Error(`bench inventory does not build: ${JSON.stringify(built.issues)}`);
console.log(
  JSON.stringify({
    name: 'build CEB621 (3-line inventory, checked)',
    unit: 'messages/s',
    value: Math.round(opsPerSec(() => buildMessage('CEB621', inventory, options))),
    target: 10000,
  }),
);

const receipt = readFileSync(new URL('../test/fixtures/xml/CEB622-release.xml', import.meta.url), 'utf8');
const bill = readFileSync(new URL('../test/fixtures/xml/CEB816Message.xml', import.meta.url), 'utf8');

/** Every leaf element's name and text, found with indexOf: what reading the fields costs at the least. */
function indexOfLeaves(text) {
  const out = [];
  let i = text.indexOf('<', text.indexOf('?>') + 2);
  while (i !== -1) {
    const gt = text.indexOf('>', i);
    const next = text.indexOf('<', gt);
    if (next === -1) break;
    if (text.charCodeAt(next + 1) === 47 && text.charCodeAt(i + 1) !== 47)
      out.push(text.slice(i + 1, gt), text.slice(gt + 1, next));
    i = next;
  }
  return out;
}

for (const [type, label, text, target] of [
  ['CEB622', 'one InventoryReturn', receipt, 60000],
  ['CEB816', 'one tax bill, 2 lines', bill, 30000],
]) {
  const r = parseCebXml(text);
  if (r.kind !== 'ceb' || r.issues.length) throw new Error(`bench ${type} does not parse cleanly`);
  const scanned = scanCebText(text);
  if (scanned.messageType !== type || scanned.documents.length !== 1) throw new Error(`bench ${type} does not scan`);
  const parser = opsPerSec(() => parseCebXml(text));
  const scanner = opsPerSec(() => scanCebText(text));
  const floor = opsPerSec(() => indexOfLeaves(text));
  console.log(
    JSON.stringify({
      name: `parse ${type} (${label})`,
      unit: 'documents/s',
      value: Math.round(parser),
      scannerPerSec: Math.round(scanner),
      indexOfFloorPerSec: Math.round(floor),
      ratioToScanner: Number((scanner / parser).toFixed(1)),
      ratioToFloor: Number((floor / parser).toFixed(1)),
      target,
      issue: 18,

      summary: `parseCebXml ${type}: ${rate(parser)}; scanner ${micros(1e6 / scanner)}; indexOf floor ${micros(1e6 / floor)}; ratio parser/scanner ${(scanner / parser).toFixed(1)}×, parser/floor ${(floor / parser).toFixed(0)}×; target ≥ ${target.toLocaleString('en-US')}/s`,
    }),
  );
}
