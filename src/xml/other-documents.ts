import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { amount, date8, dateTime14, digits, envelope, fixed, gcode, int, text } from '../model/primitives.js';

/*
 * Documents of the CEB messages that are not part of a declaration (src/model/documents.ts):
 * waybill status, inventory cancel and refund, warehouse-entry detail, and the export order,
 * payment receipt, waybill, arrival, departure, inventory, inventory cancel, master/house bill
 * and summary application. Field for field as in the 2022-05 XSDs (the 2022-05 CEB interface spec),
 * with the conventions of documents.ts: CEB names, amounts as N19,5, envelope optional.
 */

const code3 = digits(3);
const trafMode = z.string().regex(/^[0-9A-Z]$/);

/** LogisticsStatus (CEB513 运单状态): the parcel was signed for. */
export const LogisticsStatusSchema = z.object({
  ...envelope,
  logisticsCode: text(18),
  logisticsName: text(100),
  logisticsNo: text(60),
  logisticsStatus: z.literal('S'),
  logisticsTime: dateTime14(),
  note: text(1000).optional(),
});

/** Head fields shared by the inventory cancel (CEB623) and refund (CEB625) documents. */
const cancelHead = {
  ...envelope,
  customsCode: digits(4),
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  logisticsNo: text(60),
  logisticsCode: text(18),
  logisticsName: text(100),
  copNo: text(20).optional(),
  preNo: text(18).optional(),
  invtNo: text(18),
  buyerIdType: z.literal('1'),
  buyerIdNumber: text(60),
  buyerName: text(60),
  buyerTelephone: text(30),
  agentCode: text(18),
  agentName: text(100),
  reason: text(1000),
  note: text(1000).optional(),
};

/** InvtCancel (CEB623 撤销申请单): cancels a declared inventory by its invtNo. */
export const InvtCancelSchema = z.object(cancelHead);

/** InvtRefundList: one returned line, referring to the original inventory line by gnum. */
export const InvtRefundItemSchema = z.object({
  gnum: int(1, 9999),
  gcode: gcode(),
  gname: text(250),
  qty: amount(),
  unit: code3,
  note: text(1000).optional(),
});

/** InvtRefundHead + InvtRefundList lines as `items` (CEB625 退货申请单). */
export const InvtRefundSchema = z.object({ ...cancelHead, items: z.array(InvtRefundItemSchema).min(1).max(99) });

/** DeliveryList: one waybill entering the supervised site. */
export const DeliveryItemSchema = z.object({
  gnum: int(1),
  logisticsNo: text(60),
  note: text(1000).optional(),
});

/** DeliveryHead + DeliveryList lines as `items` (CEB711 入库明细单, one per message). */
export const DeliverySchema = z.object({
  ...envelope,
  customsCode: digits(4),
  copNo: text(20).optional(),
  preNo: text(18).optional(),
  rkdNo: text(18).optional(),
  operatorCode: text(18),
  operatorName: text(100),
  ieFlag: z.literal('I'),
  trafMode,
  trafNo: text(100),
  voyageNo: text(32),
  billNo: text(37),
  logisticsCode: text(18),
  logisticsName: text(100),
  unloadLocation: text(100).optional(),
  note: text(1000).optional(),
  items: z.array(DeliveryItemSchema).min(1),
});

/** Export envelope: the export XSD allows appStatus 1 or 2 only (C1). */
const exportEnvelope = envelope;

/** Export OrderList: one line of the export order (CEB303). */
export const ExportOrderItemSchema = z.object({
  gnum: int(1, 9999),
  itemNo: text(30),
  itemName: text(250),
  itemDescribe: text(1000).optional(),
  barCode: text(50).optional(),
  unit: code3,
  currency: code3,
  qty: amount(),
  price: amount(),
  totalPrice: amount(),
  note: text(1000).optional(),
});

/** Export OrderHead + lines as `items` (CEB303 出口订单; orderType E B2C, B B2B, W overseas warehouse). */
export const ExportOrderSchema = z.object({
  ...exportEnvelope,
  orderType: z.enum(['E', 'B', 'W']),
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  goodsValue: amount(),
  freight: amount(),
  currency: code3,
  note: text(1000).optional(),
  items: z.array(ExportOrderItemSchema).min(1).max(100),
});

/** Export Logistics (CEB505 出口运单). */
export const ExportLogisticsSchema = z.object({
  ...exportEnvelope,
  logisticsCode: text(18),
  logisticsName: text(100),
  logisticsNo: text(32),
  freight: amount(),
  insuredFee: amount(),
  currency: code3,
  grossWeight: amount(),
  packNo: int(0),
  goodsInfo: text(200),
  ebcCode: text(18).optional(),
  ebcName: text(100).optional(),
  ebcTelephone: text(50).optional(),
  note: text(1000).optional(),
});

/** Export InventoryList: one line of the export inventory (CEB603). */
export const ExportInventoryItemSchema = z.object({
  gnum: int(1, 9999),
  itemNo: text(20),
  itemRecordNo: text(30).optional(),
  itemName: text(250).optional(),
  gcode: gcode(),
  gname: text(250),
  gmodel: text(250),
  barCode: text(50),
  country: code3,
  currency: code3,
  qty: amount(),
  qty1: amount(),
  qty2: amount().optional(),
  unit: code3,
  unit1: code3,
  unit2: code3.optional(),
  price: amount(),
  totalPrice: amount(),
  note: text(1000).optional(),
});

/** Export InventoryHead + lines as `items` (CEB603 出口清单). */
export const ExportInventorySchema = z.object({
  ...exportEnvelope,
  customsCode: digits(4),
  ebpCode: text(18),
  ebpName: text(100),
  orderNo: text(60),
  logisticsCode: text(18),
  logisticsName: text(100),
  logisticsNo: text(32),
  copNo: text(30),
  preNo: text(18).optional(),
  invtNo: text(20).optional(),
  ieFlag: z.literal('E'),
  portCode: digits(4),
  ieDate: date8(),
  statisticsFlag: z.enum(['A', 'B']),
  agentCode: text(18),
  agentName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  ownerCode: text(18),
  ownerName: text(100),
  iacCode: text(18).optional(),
  iacName: text(100).optional(),
  emsNo: text(30).optional(),
  tradeMode: digits(4),
  trafMode,
  trafName: text(100).optional(),
  voyageNo: text(32).optional(),
  billNo: text(37).optional(),
  totalPackageNo: text(37).optional(),
  loctNo: text(10).optional(),
  licenseNo: text(19).optional(),
  country: code3,
  POD: z.string().regex(/^[0-9A-Z]{3,4}$/),
  freight: amount(),
  fCurrency: code3,
  fFlag: fixed(1),
  insuredFee: amount(),
  iCurrency: code3,
  iFlag: fixed(1),
  wrapType: fixed(1),
  packNo: int(0),
  grossWeight: amount(),
  netWeight: amount(),
  note: text(1000).optional(),
  items: z.array(ExportInventoryItemSchema).min(1).max(100),
});

/** Receipts (CEB403 收款单): the payment company's record of the money received for an export order. */
export const ExportReceiptsSchema = z.object({
  ...exportEnvelope,
  ebpCode: text(18),
  ebpName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  orderNo: text(60),
  // Mandatory for a domestic payment company; offline payments name payName "现金支付" (XSD annotation).
  payCode: text(18).optional(),
  payName: text(100),
  payNo: text(60).optional(),
  charge: amount(),
  currency: code3,
  accountingDate: dateTime14(),
  note: text(1000).optional(),
});

/*
 * The arrival, departure, master/house bill and summary documents may be split over several
 * messages: msgCount is how many, msgSeqNo this one's number from 1 (XSD annotations).
 */
const split = { msgCount: int(1), msgSeqNo: int(1) };
/** List line numbers are xs:int with at most 5 digits in these documents. */
const lineNo = int(1, 99999);

/** ArrivalList: one parcel arriving at the supervised site. */
export const ArrivalItemSchema = z.object({
  gnum: lineNo,
  logisticsNo: text(32),
  totalPackageNo: text(37).optional(),
  note: text(1000).optional(),
});

/** ArrivalHead + ArrivalList lines as `items` (CEB507 运抵单; the XSD allows no lines). */
export const ArrivalSchema = z.object({
  ...exportEnvelope,
  customsCode: digits(4),
  copNo: text(30),
  preNo: fixed(18).optional(),
  operatorCode: text(18),
  operatorName: text(100),
  loctNo: text(10).optional(),
  ieFlag: z.literal('E'),
  trafMode,
  billNo: text(37).optional(),
  domesticTrafNo: text(100),
  logisticsCode: text(18),
  logisticsName: text(100),
  ...split,
  note: text(1000).optional(),
  items: z.array(ArrivalItemSchema),
});

/** DepartureList: one parcel leaving the country. */
export const DepartureItemSchema = z.object({
  gnum: lineNo,
  totalPackageNo: text(37).optional(),
  logisticsNo: text(32),
  note: text(1000).optional(),
});

/** DepartureHead + DepartureList lines as `items` (CEB509 离境单). */
export const DepartureSchema = z.object({
  ...exportEnvelope,
  customsCode: digits(4),
  copNo: text(30),
  preNo: fixed(18).optional(),
  logisticsCode: text(18),
  logisticsName: text(100),
  trafMode,
  trafName: text(100).optional(),
  voyageNo: text(32).optional(),
  billNo: text(37).optional(),
  leaveTime: dateTime14(),
  ...split,
  note: text(1000).optional(),
  items: z.array(DepartureItemSchema).min(1),
});

/** Export InvtCancel (CEB605 撤销申请单): cancels an export inventory by its invtNo. */
export const ExportInvtCancelSchema = z.object({
  ...exportEnvelope,
  customsCode: digits(4),
  copNo: text(30),
  preNo: fixed(18).optional(),
  invtNo: text(20),
  reason: text(1000),
  agentCode: text(18),
  agentName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  note: text(1000).optional(),
});

/** WayBillList: one parcel (and its inventory) under the master bill. */
export const WayBillItemSchema = z.object({
  gnum: lineNo,
  totalPackageNo: text(60).optional(),
  logisticsNo: text(32),
  invtNo: text(20).optional(),
  note: text(1000).optional(),
});

/** WayBillHead + WayBillList lines as `items` (CEB607 清单总分单; appStatus 2 must be signed, XSD annotation). */
export const WayBillSchema = z.object({
  ...exportEnvelope,
  customsCode: digits(4),
  copNo: text(30),
  preNo: fixed(18).optional(),
  agentCode: text(18),
  agentName: text(100),
  loctNo: text(10).optional(),
  trafMode,
  trafName: text(100),
  voyageNo: text(32),
  billNo: text(37),
  domesticTrafNo: text(100).optional(),
  grossWeight: amount(),
  logisticsCode: text(18),
  logisticsName: text(100),
  ...split,
  note: text(1000).optional(),
  items: z.array(WayBillItemSchema).min(1),
});

/** SummaryApplyList: one export inventory to summarise. */
export const SummaryApplyItemSchema = z.object({ invtNo: text(20) });

/**
 * SummaryApplyHead + SummaryApplyList lines as `items` (CEB701 汇总申请单). summaryFlag 1 summarises
 * by consignor, 2 by consignor and producer; with startTime/endTime the lines are ignored (XSD annotations).
 */
export const SummaryApplySchema = z.object({
  ...exportEnvelope,
  customsCode: digits(4),
  copNo: text(30),
  preNo: text(18).optional(),
  sumNo: text(18).optional(),
  agentCode: text(18),
  agentName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  declAgentCode: text(18),
  declAgentName: text(100),
  startTime: dateTime14().optional(),
  endTime: dateTime14().optional(),
  loctNo: text(10).optional(),
  summaryFlag: z.enum(['1', '2']),
  itemNameFlag: fixed(1),
  ...split,
  note: text(1000).optional(),
  items: z.array(SummaryApplyItemSchema),
});

/** Replaces the wire types of amount and integer fields with their model types (as in documents.ts). */
type Model<T, A extends string, I extends string = never> = Omit<T, A | I> & {
  [K in A & keyof T]: undefined extends T[K] ? Decimal | undefined : Decimal;
} & {
  [K in I & keyof T]: number;
};
type Lines<T, Item> = Omit<T, 'items'> & { items: Item[] };

/** A waybill status (CEB513) in model form. */
export type LogisticsStatus = z.output<typeof LogisticsStatusSchema>;
/** An inventory cancel (CEB623) in model form. */
export type InvtCancel = z.output<typeof InvtCancelSchema>;
/** A refund line in model form. */
export type InvtRefundItem = Model<z.output<typeof InvtRefundItemSchema>, 'qty', 'gnum'>;
/** An inventory refund (CEB625) in model form. */
export type InvtRefund = Lines<z.output<typeof InvtRefundSchema>, InvtRefundItem>;
/** A warehouse-entry line in model form. */
export type DeliveryItem = Model<z.output<typeof DeliveryItemSchema>, never, 'gnum'>;
/** A warehouse-entry detail (CEB711) in model form. */
export type Delivery = Lines<z.output<typeof DeliverySchema>, DeliveryItem>;
/** An export order line in model form. */
export type ExportOrderItem = Model<z.output<typeof ExportOrderItemSchema>, 'qty' | 'price' | 'totalPrice', 'gnum'>;
/** An export order (CEB303) in model form. */
export type ExportOrder = Lines<Model<z.output<typeof ExportOrderSchema>, 'goodsValue' | 'freight'>, ExportOrderItem>;
/** An export waybill (CEB505) in model form. */
export type ExportLogistics = Model<
  z.output<typeof ExportLogisticsSchema>,
  'freight' | 'insuredFee' | 'grossWeight',
  'packNo'
>;
/** An export inventory line in model form. */
export type ExportInventoryItem = Model<
  z.output<typeof ExportInventoryItemSchema>,
  'qty' | 'qty1' | 'qty2' | 'price' | 'totalPrice',
  'gnum'
>;
/** An export inventory (CEB603) in model form. */
export type ExportInventory = Lines<
  Model<z.output<typeof ExportInventorySchema>, 'freight' | 'insuredFee' | 'grossWeight' | 'netWeight', 'packNo'>,
  ExportInventoryItem
>;
/** An export payment receipt (CEB403) in model form. */
export type ExportReceipts = Model<z.output<typeof ExportReceiptsSchema>, 'charge'>;
/** An arrival line in model form. */
export type ArrivalItem = Model<z.output<typeof ArrivalItemSchema>, never, 'gnum'>;
/** An arrival (CEB507) in model form. */
export type Arrival = Lines<Model<z.output<typeof ArrivalSchema>, never, 'msgCount' | 'msgSeqNo'>, ArrivalItem>;
/** A departure line in model form. */
export type DepartureItem = Model<z.output<typeof DepartureItemSchema>, never, 'gnum'>;
/** A departure (CEB509) in model form. */
export type Departure = Lines<Model<z.output<typeof DepartureSchema>, never, 'msgCount' | 'msgSeqNo'>, DepartureItem>;
/** An export inventory cancel (CEB605) in model form. */
export type ExportInvtCancel = z.output<typeof ExportInvtCancelSchema>;
/** A master/house bill line in model form. */
export type WayBillItem = Model<z.output<typeof WayBillItemSchema>, never, 'gnum'>;
/** A master/house bill (CEB607) in model form. */
export type WayBill = Lines<Model<z.output<typeof WayBillSchema>, 'grossWeight', 'msgCount' | 'msgSeqNo'>, WayBillItem>;
/** A summary application line in model form. */
export type SummaryApplyItem = z.output<typeof SummaryApplyItemSchema>;
/** A summary application (CEB701) in model form. */
export type SummaryApply = Lines<
  Model<z.output<typeof SummaryApplySchema>, never, 'msgCount' | 'msgSeqNo'>,
  SummaryApplyItem
>;
