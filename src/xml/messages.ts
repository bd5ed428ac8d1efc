import type { z } from 'zod';
import {
  InventorySchema,
  LogisticsSchema,
  OrderSchema,
  PaymentSchema,
  type Inventory,
  type Logistics,
  type Order,
  type Payment,
} from '../model/documents.js';
import type { CebSchema } from './content-model.js';
import {
  ArrivalSchema,
  DeliverySchema,
  DepartureSchema,
  ExportInventorySchema,
  ExportInvtCancelSchema,
  ExportLogisticsSchema,
  ExportOrderSchema,
  ExportReceiptsSchema,
  InvtCancelSchema,
  InvtRefundSchema,
  LogisticsStatusSchema,
  SummaryApplySchema,
  WayBillSchema,
  type Arrival,
  type Delivery,
  type Departure,
  type ExportInventory,
  type ExportInvtCancel,
  type ExportLogistics,
  type ExportOrder,
  type ExportReceipts,
  type InvtCancel,
  type InvtRefund,
  type LogisticsStatus,
  type SummaryApply,
  type WayBill,
} from './other-documents.js';

/** DXP receiver of import messages (the 2022-05 CEB interface spec). */
export const IMPORT_RECEIVER_ID = 'DXPEDCCEB0000002';
/** DXP receiver of export messages (the 2022-05 CEB interface spec). */
export const EXPORT_RECEIVER_ID = 'DXPEDCCEB0000003';

/** Names of every message root of the two business XSDs (receipts included), by root element. */
export const MESSAGE_NAMES: Readonly<Record<string, { schema: CebSchema; zh: string; en: string }>> = {
  CEB311Message: { schema: 'import', zh: '电子订单', en: 'import order' },
  CEB312Message: { schema: 'import', zh: '电子订单回执', en: 'order receipt' },
  CEB411Message: { schema: 'import', zh: '支付凭证', en: 'payment voucher' },
  CEB412Message: { schema: 'import', zh: '支付凭证回执', en: 'payment receipt' },
  CEB511Message: { schema: 'import', zh: '物流运单', en: 'waybill' },
  CEB512Message: { schema: 'import', zh: '物流运单回执', en: 'waybill receipt' },
  CEB513Message: { schema: 'import', zh: '运单状态', en: 'waybill status' },
  CEB514Message: { schema: 'import', zh: '运单状态回执', en: 'waybill status receipt' },
  CEB621Message: { schema: 'import', zh: '进口清单', en: 'import inventory' },
  CEB622Message: { schema: 'import', zh: '进口清单回执', en: 'inventory receipt' },
  CEB623Message: { schema: 'import', zh: '撤销申请单', en: 'inventory cancel' },
  CEB624Message: { schema: 'import', zh: '撤销申请单回执', en: 'cancel receipt' },
  CEB625Message: { schema: 'import', zh: '退货申请单', en: 'inventory refund' },
  CEB626Message: { schema: 'import', zh: '退货申请单回执', en: 'refund receipt' },
  CEB711Message: { schema: 'import', zh: '入库明细单', en: 'warehouse-entry detail' },
  CEB712Message: { schema: 'import', zh: '入库明细单回执', en: 'warehouse-entry receipt' },
  CEB816Message: { schema: 'import', zh: '电子税单', en: 'electronic tax bill' },
  CEB818Message: { schema: 'import', zh: '电子税单状态', en: 'tax bill status' },
  CEB900Message: { schema: 'import', zh: '报文格式校验回执', en: 'format-check receipt' },
  CEB303Message: { schema: 'export', zh: '出口订单', en: 'export order' },
  CEB304Message: { schema: 'export', zh: '出口订单回执', en: 'export order receipt' },
  CEB403Message: { schema: 'export', zh: '收款单', en: 'payment receipt (export)' },
  CEB404Message: { schema: 'export', zh: '收款单回执', en: 'payment receipt acknowledgement' },
  CEB505Message: { schema: 'export', zh: '出口运单', en: 'export waybill' },
  CEB506Message: { schema: 'export', zh: '出口运单回执', en: 'export waybill receipt' },
  CEB507Message: { schema: 'export', zh: '运抵单', en: 'arrival' },
  CEB508Message: { schema: 'export', zh: '运抵单回执', en: 'arrival receipt' },
  CEB509Message: { schema: 'export', zh: '离境单', en: 'departure' },
  CEB510Message: { schema: 'export', zh: '离境单回执', en: 'departure receipt' },
  CEB603Message: { schema: 'export', zh: '出口清单', en: 'export inventory' },
  CEB604Message: { schema: 'export', zh: '出口清单回执', en: 'export inventory receipt' },
  CEB605Message: { schema: 'export', zh: '出口撤销申请单', en: 'export inventory cancel' },
  CEB606Message: { schema: 'export', zh: '出口撤销申请单回执', en: 'export cancel receipt' },
  CEB607Message: { schema: 'export', zh: '清单总分单', en: 'master/house bill' },
  CEB608Message: { schema: 'export', zh: '清单总分单回执', en: 'master/house bill receipt' },
  CEB213Message: { schema: 'export', zh: '出口退货申请单', en: 'export return' },
  CEB214Message: { schema: 'export', zh: '出口退货申请单回执', en: 'export return receipt' },
  CEB215Message: { schema: 'export', zh: '退货理货明细单', en: 'return tally detail' },
  CEB216Message: { schema: 'export', zh: '退货理货明细单回执', en: 'return tally receipt' },
  CEB701Message: { schema: 'export', zh: '汇总申请单', en: 'summary application' },
  CEB702Message: { schema: 'export', zh: '汇总申请单回执', en: 'summary application receipt' },
  CEB792Message: { schema: 'export', zh: '汇总结果单', en: 'summary result' },
};

/** What sandan knows about one buildable message type. */
export interface BuildableMessage {
  root: string;
  schema: CebSchema;
  /** Key of the document in `sandan build` input, e.g. `order`. */
  key: string;
  zh: string;
  en: string;
  documentSchema: z.ZodType;
  /** The XSD makes ds:Signature mandatory: the built message is complete only once signed. */
  signatureRequired: boolean;
}

/** A buildable message's entry: its root, schema and names from {@link MESSAGE_NAMES}. */
function buildable(type: string, key: string, documentSchema: z.ZodType, signatureRequired = false): BuildableMessage {
  const root = `${type}Message`;
  const { schema, zh, en } = MESSAGE_NAMES[root]!;
  return { root, schema, key, zh, en, documentSchema, signatureRequired };
}

/** The messages sandan builds, by message type. */
export const BUILDABLE = {
  CEB311: buildable('CEB311', 'order', OrderSchema),
  CEB411: buildable('CEB411', 'payment', PaymentSchema),
  CEB511: buildable('CEB511', 'logistics', LogisticsSchema),
  CEB513: buildable('CEB513', 'logisticsStatus', LogisticsStatusSchema),
  CEB621: buildable('CEB621', 'inventory', InventorySchema, true),
  CEB623: buildable('CEB623', 'invtCancel', InvtCancelSchema, true),
  CEB625: buildable('CEB625', 'invtRefund', InvtRefundSchema, true),
  CEB711: buildable('CEB711', 'delivery', DeliverySchema, true),
  CEB303: buildable('CEB303', 'exportOrder', ExportOrderSchema),
  CEB403: buildable('CEB403', 'exportReceipts', ExportReceiptsSchema),
  CEB505: buildable('CEB505', 'exportLogistics', ExportLogisticsSchema),
  CEB507: buildable('CEB507', 'arrival', ArrivalSchema),
  CEB509: buildable('CEB509', 'departure', DepartureSchema),
  CEB603: buildable('CEB603', 'exportInventory', ExportInventorySchema),
  CEB605: buildable('CEB605', 'exportInvtCancel', ExportInvtCancelSchema),
  CEB607: buildable('CEB607', 'wayBill', WayBillSchema),
  CEB701: buildable('CEB701', 'summaryApply', SummaryApplySchema),
} as const;

/** A message type sandan can build, e.g. `CEB621`. */
export type BuildableType = keyof typeof BUILDABLE;

/** The model type of the documents of each buildable message. */
export interface DocumentOf {
  CEB311: Order;
  CEB411: Payment;
  CEB511: Logistics;
  CEB513: LogisticsStatus;
  CEB621: Inventory;
  CEB623: InvtCancel;
  CEB625: InvtRefund;
  CEB711: Delivery;
  CEB303: ExportOrder;
  CEB403: ExportReceipts;
  CEB505: ExportLogistics;
  CEB507: Arrival;
  CEB509: Departure;
  CEB603: ExportInventory;
  CEB605: ExportInvtCancel;
  CEB607: WayBill;
  CEB701: SummaryApply;
}

/** True for a message type sandan builds. */
export function isBuildableType(t: string): t is BuildableType {
  return Object.hasOwn(BUILDABLE, t);
}
