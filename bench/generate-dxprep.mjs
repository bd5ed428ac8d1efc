// Writes a DxpRep with N Response elements (each as the fixture test/fixtures/xml/DxpRep.xml's, its ids numbered):
// the XSD bounds neither the Response count nor the Results, so a big honest or hostile file is this shape.
//   node bench/generate-dxprep.mjs <responses> [out.xml]   (without out, to stdout)
import { writeFileSync } from 'node:fs';

/** The text of a DxpRep with `n` responses. */
export function dxpRepText(n) {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<DxpRep xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0">\n',
    '  <RecevierId>DXPENT0000012345</RecevierId>\n  <AdNodeId>00000001</AdNodeId>\n',
  ];
  for (let i = 0; i < n; i++) {
    const id = String(i).padStart(10, '0');
    parts.push(
      `  <Response>
    <NodeId>00000002</NodeId>
    <ResponseCode>0</ResponseCode>
    <ResponseInfo>received 接收成功</ResponseInfo>
    <Results>
      <Result><RecId>DXPEDCCEB0000002</RecId><Code>0</Code><Info>ok</Info><Note>n${i}</Note></Result>
    </Results>
    <NoticeTime>2026-11-20</NoticeTime>
    <OriHead>
      <CopMsgId>M${id}</CopMsgId>
      <SenderId>DXPENT0000012345</SenderId>
      <ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds>
      <CreatTime>2026-11-20T12:00:01</CreatTime>
      <MsgType>CEB311Message</MsgType>
    </OriHead>
  </Response>
`,
    );
  }
  parts.push('</DxpRep>\n');
  return parts.join('');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const n = Number(process.argv[2] ?? 1000);
  const text = dxpRepText(n);
  if (process.argv[3]) writeFileSync(process.argv[3], text);
  else process.stdout.write(text);
}
