/**
 * The order service's side of the customs channel over HTTP: send a (signed, DxpMsg-wrapped)
 * message and read the receipts that came back since the last poll. In tests the other side is
 * sandan's customs emulator (`sandan emulate`, or `createCustomsEmulator` from `sandan/emulator`);
 * in production a platform puts its DXP client or its provincial port's gateway behind the same
 * two calls.
 */

/** One receipt as the emulator lists it (`GET /receipts` with `Accept: application/json`). */
export interface ReceivedReceipt {
  seq: number;
  type: string;
  orderNo?: string;
  invtNo?: string;
  returnStatus?: string;
  /** Why, as the receipt's document says it (`[Code:2600;Desc:放行]`); none on a tax bill. */
  returnInfo?: string;
  /** The receipt message, DxpMsg-wrapped when the message it answers was. */
  xml: string;
}

export interface CustomsClient {
  /** Sends one message; resolves with the immediate answer (accepted or why not). */
  send(xml: string): Promise<{ accepted: boolean; status: number; body: string }>;
  /** The receipts after the last one read (long-polls up to `waitMs` when there are none yet). */
  poll(waitMs?: number): Promise<ReceivedReceipt[]>;
}

export function createCustomsClient(baseUrl: string): CustomsClient {
  let after = 0;
  return {
    async send(xml) {
      const res = await fetch(new URL('/ceb', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: xml,
      });
      return { accepted: res.headers.get('x-sandan-accepted') === 'true', status: res.status, body: await res.text() };
    },
    async poll(waitMs = 0) {
      const url = new URL('/receipts', baseUrl);
      url.searchParams.set('after', String(after));
      url.searchParams.set('wait', String(waitMs));
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`GET /receipts answered ${res.status}: ${await res.text()}`);
      const page = (await res.json()) as { receipts: ReceivedReceipt[]; next: number };
      after = page.next;
      return page.receipts;
    },
  };
}
