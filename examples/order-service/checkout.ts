/**
 * Journey 1 — an order service. At checkout it validates the three documents and the
 * inventory, checks and reserves the buyer's annual quota, computes the tax to show the
 * buyer, builds and signs the four messages — the order (CEB311), and, standing in for the
 * payment and logistics companies that send them in real life, the payment (CEB411) and the
 * waybill (CEB511), then the inventory (CEB621) — and wraps them for the DXP channel. Later
 * it applies the customs receipts to the quota ledger, and answers "where is this parcel, and why" from the
 * messages it sent and the receipts it got. customs-client.ts sends the messages
 * to a customs endpoint (the emulator, `sandan emulate`, in tests) and reads the receipts back.
 *
 * Everything with side effects (the ledger's store, the signer's key, the clock, ids) is
 * passed in, so the same code runs in a service, a test and a script.
 */
import {
  applyReceipts,
  buildMessage,
  createTaxCalculator,
  openReqResponse,
  parseCebXml,
  parseOpenReq,
  parseDeclaration,
  quotaReceiptsOf,
  signMessage,
  signPayExchange,
  status,
  statusInputsOfMessage,
  taxResultToJSON,
  validateWithQuota,
  wrapDxp,
  type Issue,
  type OrderStatus,
  type PayExchangeData,
  type ParsedXml,
  type QuotaLedger,
  type RateTable,
  type SenderProfile,
  type SentDocument,
  type Signer,
  type StatusReceipt,
} from 'sandan';

export interface OrderServiceDeps {
  ledger: QuotaLedger;
  signer: Signer;
  sender: SenderProfile;
  rates: RateTable;
  now(): Date;
  newId(): string;
}

export type CheckoutResult =
  | { ok: false; stage: 'validate' | 'quota' | 'build'; issues: Issue[]; remaining?: string }
  | {
      ok: true;
      /** What to show the buyer: the tax per kind and in total, as decimal strings. */
      tax: { customsTax: string; consumptionTax: string; valueAddedTax: string; taxTotal: string };
      /** Quota left this year after this order's reservation. */
      remaining: string;
      /** Signed messages wrapped in DxpMsg, ready for the transport, in the order they are sent. */
      messages: { CEB311: string; CEB411: string; CEB511: string; CEB621: string };
      warnings: Issue[];
    };

export function createOrderService(deps: OrderServiceDeps) {
  const taxOf = createTaxCalculator({ rates: deps.rates });
  // What status() reads of each message sent and each receipt (in a real service: a table).
  const sent: SentDocument[] = [];
  const receipts: StatusReceipt[] = [];
  // What a "179" upload needs of each order, kept at checkout (in a real service: the payment table).
  const payments = new Map<string, Omit<PayExchangeData, 'sessionID' | 'serviceTime'>>();
  /** Keeps what status reads of a message; its issues say what it could not read (a receipt naming no order…). */
  function track(message: ParsedXml): Issue[] {
    const got = statusInputsOfMessage(message);
    sent.push(...got.sent);
    receipts.push(...got.receipts);
    return got.issues;
  }

  async function sealed(type: 'CEB311' | 'CEB411' | 'CEB511' | 'CEB621', doc: unknown): Promise<string | Issue[]> {
    const built = buildMessage(type, doc as never, { sender: deps.sender, now: deps.now, newId: deps.newId });
    if (!built.ok) return built.issues;
    const signed = await signMessage(built.xml, deps.signer);
    return wrapDxp(signed.xml, { senderId: deps.sender.dxpId, now: deps.now, newId: deps.newId });
  }

  return {
    /** Runs at checkout, before the buyer pays. */
    async checkout(input: unknown): Promise<CheckoutResult> {
      // 1. The four documents against the national and district rules, quota included.
      const checked = await validateWithQuota(input, deps.ledger, { rates: deps.rates });
      const errors = checked.issues.filter((i) => i.severity === 'error');
      if (errors.length > 0) return { ok: false, stage: 'validate', issues: errors };

      // 2. The tax the buyer pays (and that order.taxTotal already carries).
      const tax = taxOf(input);
      if (!tax.ok) return { ok: false, stage: 'validate', issues: tax.issues };
      const t = taxResultToJSON(tax.result);

      // 3. Reserve the quota; the same order (platform and order number) reserves once however often
      // it is retried. The platform's code keeps it apart from another platform's order of the same number.
      const parsed = parseDeclaration(input);
      if (!parsed.success || !parsed.data.inventory) return { ok: false, stage: 'validate', issues: parsed.issues };
      const { order, payment, logistics, inventory } = parsed.data;
      const orderKey = { ebpCode: order.ebpCode, orderNo: order.orderNo };
      const reserved = await deps.ledger.reserve(
        orderKey,
        inventory.buyerIdNumber,
        { dutiableValue: tax.result.dutiableValue, actualPaid: order.acturalPaid },
        deps.now(),
        {
          ...(inventory.copNo !== undefined && { copNo: inventory.copNo }),
        },
      );
      if (!reserved.ok) {
        return {
          ok: false,
          stage: 'quota',
          ...(reserved.remaining && { remaining: reserved.remaining.toFixed(2) }),
          issues: [
            {
              code: '1313',
              severity: 'error',
              path: 'inventory.buyerIdNumber',
              ruleId: 'quota',
              message: { zh: '超过年度限额', en: `The buyer's annual quota would be passed (${reserved.reason})` },
            },
          ],
        };
      }

      // 4. Build, sign and wrap the four messages.
      const sealedAll = {
        CEB311: await sealed('CEB311', order),
        CEB411: await sealed('CEB411', payment),
        CEB511: await sealed('CEB511', logistics),
        CEB621: await sealed('CEB621', inventory),
      };
      const failed = Object.values(sealedAll).flatMap((m) => (typeof m === 'string' ? [] : m));
      if (failed.length > 0) {
        await deps.ledger.release(orderKey);
        return { ok: false, stage: 'build', issues: failed };
      }
      const messages = sealedAll as { [K in keyof typeof sealedAll]: string };
      for (const xml of Object.values(messages)) track(parseCebXml(xml));
      payments.set(order.orderNo, {
        payExchangeInfoHead: {
          guid: deps.newId().toUpperCase(),
          // The raw request to the payment company and its answer; this example has no payment company, so it
          // keeps the payment document in their place.
          initalRequest: JSON.stringify(input && (input as { payment?: unknown }).payment),
          initalResponse: 'SUCCESS',
          ebpCode: order.ebpCode,
          payCode: payment.payCode,
          payTransactionId: payment.payTransactionId,
          totalAmount: payment.amountPaid,
          currency: payment.currency,
          verDept: '3',
          tradingTime: payment.payTime,
        },
        payExchangeInfoLists: [
          {
            orderNo: order.orderNo,
            goodsInfo: order.items.map((i) => ({
              gname: i.itemName,
              itemLink: `https://shop.example/item/${i.itemNo}`,
            })),
            recpAccount: '6222000000000000',
            recpName: order.ebpName,
          },
        ],
      });
      return {
        ok: true,
        tax: {
          customsTax: t.customsTax,
          consumptionTax: t.consumptionTax,
          valueAddedTax: t.valueAddedTax,
          taxTotal: t.taxTotal,
        },
        remaining: reserved.remaining.toFixed(2),
        messages,
        warnings: checked.issues.filter((i) => i.severity === 'warning'),
      };
    },

    /**
     * Runs for every message customs sends back: releases commit the quota, cancels and refunds give it back. The
     * issues name what the order's status will not show of it (a receipt that names no order may be a rejection).
     */
    async onReceipt(xml: string): Promise<{ outcomes: Awaited<ReturnType<typeof applyReceipts>>; issues: Issue[] }> {
      const parsed = parseCebXml(xml);
      const issues = track(parsed);
      return { outcomes: await applyReceipts(deps.ledger, quotaReceiptsOf(parsed)), issues };
    },

    /**
     * Customs' "179" request (the body it POSTs to this service's platDataOpen): the JSON to answer at once, and the
     * signed payment data to POST to realTimeDataUpload right after (none for an order this service does not know).
     */
    async paymentData(openReqBody: string): Promise<{ answer: string; upload?: string }> {
      const req = parseOpenReq(openReqBody);
      const answer = openReqResponse({ serviceTime: deps.now() });
      const data = payments.get(req.orderNo);
      if (!data) return { answer };
      const signed = await signPayExchange({ ...data, sessionID: req.sessionID, serviceTime: deps.now() }, deps.signer);
      return { answer, upload: signed.payExInfoStr };
    },

    /** Where the order is and why: its timeline, state and anomalies (a document without a receipt after a day…). */
    whereIs(orderNo: string): OrderStatus | undefined {
      return status(receipts, { now: deps.now(), sent }).find((o) => o.order === orderNo);
    },
  };
}
