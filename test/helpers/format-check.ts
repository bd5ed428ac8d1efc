import { expect } from 'vitest';
import { createEngine, manualClock } from '../../src/emulator/index.js';
import { parseCebXml, toJsonValue } from '../../src/xml/index.js';

/**
 * Submits `xml` to a fresh emulator (memory store, its clock at `now`) and asserts that customs' format check
 * refuses it as customs would: HTTP 400 with a reason naming `where`, and one CEB900 receipt, status -1, with `code`
 * (0002 a message the XSD refuses, 0001 one that is not XML). Returns the CEB900's returnInfo for the caller's own
 * assertions.
 */
export async function expectFormatCheckRefusal(
  xml: string | Uint8Array,
  where: string,
  now: Date,
  code: '0001' | '0002' = '0002',
): Promise<string> {
  const engine = await createEngine({ store: 'memory', clock: manualClock(now) });
  try {
    const ack = await engine.submit(xml, { transport: 'api' });
    expect(ack).toMatchObject({ accepted: false, httpStatus: 400 });
    expect(ack.reason).toContain(where);
    const receipts = engine.receipts(0);
    expect(receipts.map((x) => [x.type, x.returnStatus])).toEqual([['CEB900', '-1']]);
    const answer = parseCebXml(receipts[0]!.xml);
    if (answer.kind !== 'ceb') throw new Error('not a CEB message');
    expect(toJsonValue(answer.documents[0])).toMatchObject({ returnInfoParsed: { code } });
    return String(answer.documents[0]!.returnInfo);
  } finally {
    await engine.close();
  }
}
