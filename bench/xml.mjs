// CEB621 builds and CEB622 receipt parses per second, one core.
import { buildMessage, parseCebXml, parseDeclaration } from '../dist/index.js';
import { opsPerSec, threeLineDeclaration } from './fixtures.mjs';

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

const receipt = `<?xml version="1.0" encoding="UTF-8"?>
<CEB622Message guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0" xmlns="http://www.chinaport.gov.cn/ceb">
  <InventoryReturn>
    <guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC95</guid>
    <customsCode>2924</customsCode>
    <ebpCode>3301964J31</ebpCode>
    <ebcCode>3301964J31</ebcCode>
    <agentCode>3301980BRK</agentCode>
    <copNo>INV202611200001</copNo>
    <preNo>B20261120000000001</preNo>
    <invtNo>29242026I000000001</invtNo>
    <returnStatus>800</returnStatus>
    <returnTime>20261120120000123</returnTime>
    <returnInfo>[Code:2600;Desc:放行]</returnInfo>
  </InventoryReturn>
</CEB622Message>`;
const r = parseCebXml(receipt);
if (r.kind !== 'ceb' || r.issues.length) throw new Error('bench receipt does not parse cleanly');
console.log(
  JSON.stringify({
    name: 'parse CEB622 (one InventoryReturn)',
    unit: 'receipts/s',
    value: Math.round(opsPerSec(() => parseCebXml(receipt))),
    target: 20000,
  }),
);
