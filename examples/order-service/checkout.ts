/**
 * Journey 1 — an order service. At checkout it validates the three documents and the
 * inventory, checks and reserves the buyer's annual quota, computes the tax to show the
 * buyer, builds and signs the four messages — the order (CEB311), and, standing in for the
 * payment and logistics companies that send them in real life, the payment (CEB411) and the
 * waybill (CEB511), then the inventory (CEB621) — and wraps them for the DXP channel. Later
 * it applies the customs receipts to the quota ledger, and answers "where is this parcel, and why" from the
 * messages it sent and the receipts it got. After the sale it applies for the cancel of an
 * inventory customs has not released (撤单, CEB623) and for the return of a released one, whole
 * or in part (退货, CEB625), made from the declaration it keeps; the cancel's approval (CEB624
 * 399) gives the buyer's quota back, a return's (CEB626 399) the share of the lines returned, and
 * a refusal is kept as the application's result. customs-client.ts sends the messages
 * to a customs endpoint (the emulator, `sandan emulate`, in tests) and reads the receipts back.
 *
 * Everything with side effects (the ledger's store, the signer's key, the clock, ids) is
 * passed in, so the same code runs in a service, a test and a script.
 */
import {
  applyReceipts,
  buildMessage,
  createTaxCalculator,
  explainStatus,
  isApprovedReturnStatus,
  openReqResponse,
  parseCebXml,
  parseOpenReq,
  parseDeclaration,
  quotaReceiptsOf,
  signMessage,
  SandanError,
  signPayExchange,
  status,
  statusInputsOfMessage,
  taxResultToJSON,
  tryInvtCancelOf,
  tryInvtRefundOf,
  validateWithQuota,
  wrapDxp,
  type Declaration,
  type DocumentOf,
  type InvtRefund,
  type InvtRefundLine,
  type Issue,
  type OrderStatus,
  type PayExchangeData,
  type ParsedXml,
  type QuotaLedger,
  type QuotaReceipt,
  type RateTable,
  type ReceiptOutcome,
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

/** A cancel (CEB623) or a return (CEB625) this service applied for, and what customs said of it. */
export interface AfterSaleApplication {
  kind: 'cancel' | 'return';
  /** The application's own number (企业内部编号): its CEB624 or CEB626 names it. */
  copNo: string;
  ebpCode: string;
  orderNo: string;
  invtNo: string;
  /** The lines a return takes back (gnum and quantity), as sent. */
  items?: InvtRefund['items'];
  /** `sent`: no final word yet; `approved`: CEB624 399, CEB626 399 (or 800); `refused`: 100, an E-Port error or its 4 (send failed). */
  state: 'sent' | 'approved' | 'refused';
  /** The last receipt's status and why (`[Code:2300;Desc:审核通过]`, `清单状态不允许撤销`). */
  returnStatus?: string;
  returnInfo?: string;
  /** What the approval gave back to the buyer's annual quota (CNY, a decimal string). */
  quotaBack?: string;
}

/** An application built and signed, ready for the transport; or why none was made. */
export type AfterSaleResult =
  | { ok: false; stage: 'order' | 'validate' | 'build'; issues: Issue[] }
  | {
      ok: true;
      copNo: string;
      message: string;
      /** What went wrong beside the application, which is made all the same (a return the ledger did not record). */
      warnings: Issue[];
    };

/** What the buyer asks to return: the reason, and the lines (default every line, whole). */
export interface ReturnRequest {
  reason: string;
  items?: readonly InvtRefundLine[];
  /** The application's number; default one made from `newId()`. */
  copNo?: string;
}

/** What the buyer gives for a cancel. */
export interface CancelRequest {
  reason: string;
  /** The application's number; default one made from `newId()`. */
  copNo?: string;
}

const orderIssue = (code: string, path: string, zh: string, en: string): Issue => ({
  code,
  severity: 'error',
  path,
  ruleId: 'order-service',
  message: { zh, en },
});

/** Customs' yes: a cancel's 399 (审结); a return's 399, or its 800 (放行) as the E-Port's records give it. */
const approved = (r: QuotaReceipt) =>
  r.kind === 'CEB626' ? isApprovedReturnStatus(r.returnStatus) : String(r.returnStatus) === '399';
/** Customs' no (100 海关退单), the E-Port's (a negative status) or its 4 (发送海关失败: send it again), by the catalogue. */
const refused = (r: QuotaReceipt) => {
  const outcome = explainStatus(r.returnStatus, r.kind)?.outcome;
  return outcome === 'rejected' || outcome === 'failed';
};

export function createOrderService(deps: OrderServiceDeps) {
  const taxOf = createTaxCalculator({ rates: deps.rates });
  // What status() reads of each message sent and each receipt (in a real service: a table).
  const sent: SentDocument[] = [];
  const receipts: StatusReceipt[] = [];
  // What a "179" upload needs of each order, kept at checkout (in a real service: the payment table).
  const payments = new Map<string, Omit<PayExchangeData, 'sessionID' | 'serviceTime'>>();
  // The declarations as checked out, by orderNo: a cancel or a return repeats the inventory's head and lines
  // (in a real service: the orders table).
  const declarations = new Map<string, Declaration>();
  // The cancels and returns applied for, by their copNo (in a real service: the after-sale table).
  const applications = new Map<string, AfterSaleApplication>();
  /** Keeps what status reads of a message; its issues say what it could not read (a receipt naming no order…). */
  function track(message: ParsedXml): Issue[] {
    const got = statusInputsOfMessage(message);
    sent.push(...got.sent);
    receipts.push(...got.receipts);
    return got.issues;
  }

  async function sealed<T extends 'CEB311' | 'CEB411' | 'CEB511' | 'CEB621' | 'CEB623' | 'CEB625'>(
    type: T,
    doc: DocumentOf[T],
  ): Promise<string | Issue[]> {
    const built = buildMessage(type, doc, { sender: deps.sender, now: deps.now, newId: deps.newId });
    if (!built.ok) return built.issues;
    const signed = await signMessage(built.xml, deps.signer);
    return wrapDxp(signed.xml, { senderId: deps.sender.dxpId, now: deps.now, newId: deps.newId });
  }

  /**
   * The order a cancel or return is for, and the number customs gave its inventory (recorded on the ledger's
   * entry by the CEB622 that carried it); or why there is none to apply for yet.
   */
  async function declared(
    orderNo: string,
    kind: 'cancel' | 'return',
  ): Promise<{ declaration: Declaration; invtNo: string } | Issue> {
    const declaration = declarations.get(orderNo);
    if (!declaration?.inventory)
      return orderIssue(
        'order-unknown',
        'orderNo',
        `订单 ${orderNo} 未经本服务申报`,
        `No order ${orderNo} was checked out here`,
      );
    const { ebpCode } = declaration.order;
    const invtNo = (await deps.ledger.find({ ebpCode, orderNo }))?.invtNo;
    if (invtNo === undefined)
      return orderIssue(
        'invtNo-missing',
        'orderNo',
        `订单 ${orderNo} 的清单尚无海关清单编号（CEB622 120 之后才有），暂不能${kind === 'cancel' ? '撤单' : '退货'}`,
        `The inventory of order ${orderNo} has no invtNo from customs yet (a CEB622 of 120 or later gives it): nothing to ${kind === 'cancel' ? 'cancel' : 'return'} yet`,
      );
    return { declaration, invtNo };
  }

  /** Makes the application's number (C..20): a letter for its kind and the id's last 19 characters. */
  const applicationNo = (kind: 'cancel' | 'return') =>
    `${kind === 'cancel' ? 'C' : 'R'}${deps.newId().replace(/-/g, '').slice(-19).toUpperCase()}`;

  /** Signs and wraps the application, and keeps it to match its receipts. */
  async function applyFor<T extends 'CEB623' | 'CEB625'>(
    type: T,
    doc: DocumentOf[T],
    application: AfterSaleApplication,
  ): Promise<AfterSaleResult> {
    const message = await sealed(type, doc);
    if (typeof message !== 'string') return { ok: false, stage: 'build', issues: message };
    applications.set(application.copNo, application);
    track(parseCebXml(message));
    return { ok: true, copNo: application.copNo, message, warnings: [] };
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
      declarations.set(order.orderNo, parsed.data);
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
     * Applies for the cancel (撤单, CEB623) of an order's inventory, while customs has not released it: the
     * application, signed and wrapped, to send. Its CEB624 399 gives the order's quota back (onReceipt); after
     * release customs refuses it (-623005), and a return is the way.
     */
    async cancel(orderNo: string, request: CancelRequest): Promise<AfterSaleResult> {
      const found = await declared(orderNo, 'cancel');
      if (!('declaration' in found)) return { ok: false, stage: 'order', issues: [found] };
      const copNo = request.copNo ?? applicationNo('cancel');
      // The reason is the buyer's words: an empty one is an answer to give (cancel-no-reason), not an exception.
      const cancel = tryInvtCancelOf(found.declaration, { reason: request.reason, invtNo: found.invtNo, copNo });
      if (!cancel.ok) return { ok: false, stage: 'validate', issues: cancel.issues };
      const doc = cancel.data;
      const { ebpCode } = found.declaration.order;
      return applyFor('CEB623', doc, { kind: 'cancel', copNo, ebpCode, orderNo, invtNo: found.invtNo, state: 'sent' });
    },

    /**
     * Applies for the return (退货, CEB625) of a released order's goods: every line whole, or the lines and
     * quantities the buyer sends back. Its CEB626 399 gives back the share of the quota of the lines returned
     * (onReceipt). A line the inventory does not have, or more of one than it declared, is answered here with
     * tryInvtRefundOf's issues (-625209, return-qty-over…); more than the returns so far leave, customs refuses (100).
     */
    async returnGoods(orderNo: string, request: ReturnRequest): Promise<AfterSaleResult> {
      const found = await declared(orderNo, 'return');
      if (!('declaration' in found)) return { ok: false, stage: 'order', issues: [found] };
      const copNo = request.copNo ?? applicationNo('return');
      // The buyer's lines are data: a gnum the inventory lacks or a quantity past the line's is an answer to give.
      const refund = tryInvtRefundOf(found.declaration, {
        reason: request.reason,
        invtNo: found.invtNo,
        copNo,
        ...(request.items !== undefined && { items: request.items }),
      });
      if (!refund.ok) return { ok: false, stage: 'validate', issues: refund.issues };
      const doc = refund.data;
      const { ebpCode } = found.declaration.order;
      const sent = await applyFor('CEB625', doc, {
        kind: 'return',
        copNo,
        ebpCode,
        orderNo,
        invtNo: found.invtNo,
        items: doc.items,
        state: 'sent',
      });
      if (!sent.ok) return sent;
      // The ledger keeps the application's lines, so that its CEB626 (which names it, not its value) gives back
      // their share of the quota by itself. The application is made and kept whatever the ledger says: a failure
      // here (a store that keeps no return applications, QUOTA_STORE; a store that is down) is a warning beside it,
      // not an exception that would lose a message the caller is to send.
      let why: string | undefined;
      try {
        const recorded = await deps.ledger.recordReturn(
          { ebpCode, orderNo },
          { copNo, items: doc.items, inventory: found.declaration.inventory!.items, appliedAt: doc.appTime },
        );
        if (!recorded.ok) why = `${recorded.reason}: ${recorded.message}`;
      } catch (e) {
        why = e instanceof SandanError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
      }
      if (why === undefined) return sent;
      const unrecorded = orderIssue(
        'return-unrecorded',
        'copNo',
        `额度账本未记录退货申请 ${copNo} 的商品行（${why}）：海关审核通过后将退回订单尚计入的全部额度，而非所退商品行的份额`,
        `The quota ledger did not record the lines of return application ${copNo} (${why}): when customs approves it, the ledger gives back all the order still counts, not the share of the lines returned`,
      );
      return { ...sent, warnings: [{ ...unrecorded, severity: 'warning' }] };
    },

    /** A cancel or return applied for, by its copNo: where it stands, and what it gave back to the quota. */
    application(copNo: string): AfterSaleApplication | undefined {
      const a = applications.get(copNo);
      return a && { ...a };
    },

    /**
     * Runs for every message customs sends back: releases commit the quota, an approved cancel gives it back, an
     * approved return the share of its lines. A cancel's or return's receipt also settles the application it
     * names (application(copNo)). The issues name what the order's status will not show of it (a receipt that names
     * no order may be a rejection), and a return receipt of no application sent here, which changes no quota.
     */
    async onReceipt(xml: string): Promise<{ outcomes: ReceiptOutcome[]; issues: Issue[] }> {
      const parsed = parseCebXml(xml);
      const issues = track(parsed);
      const documents = (parsed.kind === 'dxp' ? parsed.message : parsed)?.documents ?? [];
      const toApply: QuotaReceipt[] = [];
      // (quotaReceiptsOf gives one receipt per document of the message, in their order)
      for (const [i, r] of quotaReceiptsOf(parsed).entries()) {
        const app = r.kind === 'CEB622' || r.copNo === undefined ? undefined : applications.get(r.copNo);
        if (r.kind === 'CEB626' && app === undefined && approved(r)) {
          // Without the lines returned its value is unknown, and all the order counts is more than a part returned.
          issues.push({
            ...orderIssue(
              'return-unknown',
              'copNo',
              `退货回执 ${r.copNo ?? ''} 不属于本服务的退货申请，未调整额度`,
              `The return receipt names the application ${r.copNo ?? '(no copNo)'}, which was not sent here: the quota is left as it is`,
            ),
            severity: 'warning',
          });
          continue;
        }
        toApply.push(r);
        if (app === undefined) continue;
        const doc = documents[i];
        app.returnStatus = String(r.returnStatus);
        if (typeof doc?.returnInfo === 'string') app.returnInfo = doc.returnInfo;
        app.state = approved(r) ? 'approved' : refused(r) ? 'refused' : app.state;
      }
      // An approved return gives back the share of its lines: the ledger recorded the application when it was sent,
      // and gives it once for a 399 and an 800 (a refund that failed is tried again by the next receipt).
      const outcomes = await applyReceipts(deps.ledger, toApply);
      for (const o of outcomes) {
        const app = o.receipt.kind === 'CEB622' ? undefined : applications.get(o.receipt.copNo ?? '');
        if (!app || o.status !== 'applied' || !o.result?.ok) continue;
        // A cancel gives back all the order counted; a return what its approval gave (0: the earlier ones gave all).
        if (o.action === 'release') app.quotaBack = o.result.entry.amount.toFixed(2);
        const back = o.result.returnApplication?.refunded;
        if (o.action === 'refund' && back !== undefined) app.quotaBack = back.toFixed(2);
      }
      return { outcomes, issues };
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
