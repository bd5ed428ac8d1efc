import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { amount, date8, digits, envelope, fixed, gcode, int, text } from './primitives.js';

/*
 * The three documents and the inventory, field for field as in the 2022-05 import XSD
 * (the 2022-05 CEB interface spec). Field names are the CEB names, including the spec's `acturalPaid`.
 * A field the model does not know is stripped from the parsed model and reported by
 * parseDeclaration as `unknown-field`, never silently dropped.
 */

const currency = z.literal('142');
const idType = z.literal('1');
const unit = digits(3);
const country = digits(3);

/** OrderList: one line of the order (CEB311). */
export const OrderItemSchema = z.object({
  gnum: int(1, 9999),
  itemNo: text(30).optional(),
  itemName: text(250),
  gmodel: text(510),
  itemDescribe: text(1000).optional(),
  barCode: text(50).optional(),
  unit,
  qty: amount(),
  price: amount(),
  totalPrice: amount(),
  currency,
  country,
  note: text(1000).optional(),
});

/** OrderHead + OrderList lines as `items` (CEB311 电子订单). */
export const OrderSchema = z.object({
  ...envelope,
  orderType: z.literal('I'),
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(100),
  ebcCode: text(18),
  ebcName: text(100),
  goodsValue: amount(),
  freight: amount(),
  discount: amount(),
  taxTotal: amount(),
  acturalPaid: amount(),
  currency,
  buyerRegNo: text(60),
  buyerName: text(60),
  buyerTelephone: text(30),
  buyerIdType: idType,
  buyerIdNumber: text(60),
  payCode: text(18).optional(),
  payName: text(100).optional(),
  payTransactionId: text(60).optional(),
  batchNumbers: text(100).optional(),
  consignee: text(100),
  consigneeTelephone: text(50),
  consigneeAddress: text(200),
  consigneeDistrict: digits(6).optional(),
  note: text(1000).optional(),
  items: z.array(OrderItemSchema).min(1).max(99),
});

/** PaymentHead (CEB411 支付凭证). */
export const PaymentSchema = z.object({
  ...envelope,
  payCode: text(18),
  payName: text(100),
  payTransactionId: text(60),
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(100),
  payerIdType: idType,
  payerIdNumber: text(60),
  payerName: text(60),
  telephone: text(60).optional(),
  amountPaid: amount(),
  currency,
  payTime: envelope.appTime.unwrap(),
  note: text(1000).optional(),
});

/** LogisticsHead (CEB511 物流运单). */
export const LogisticsSchema = z.object({
  ...envelope,
  logisticsCode: text(18),
  logisticsName: text(100),
  logisticsNo: text(60),
  billNo: text(37).optional(),
  orderNo: text(60),
  freight: amount().optional(),
  insuredFee: amount().optional(),
  currency,
  weight: amount(),
  packNo: int(0),
  goodsInfo: text(200).optional(),
  consignee: text(100),
  consigneeAddress: text(200),
  consigneeTelephone: text(50),
  note: text(1000).optional(),
});

/** InventoryList: one line of the inventory (CEB621). */
export const InventoryItemSchema = z.object({
  gnum: int(1, 9999),
  itemRecordNo: text(30).optional(),
  itemNo: text(20).optional(),
  itemName: text(250).optional(),
  gcode: gcode(),
  gname: text(250),
  gmodel: text(510),
  barCode: text(50).optional(),
  country,
  tradeCountry: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
  currency,
  qty: amount(),
  unit,
  qty1: amount(),
  unit1: unit,
  qty2: amount().optional(),
  unit2: unit.optional(),
  price: amount(),
  totalPrice: amount(),
  note: text(1000).optional(),
});

/** InventoryHead + InventoryList lines as `items` (CEB621 进口清单). */
export const InventorySchema = z.object({
  ...envelope,
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
  assureCode: text(30),
  emsNo: text(30).optional(),
  invtNo: text(18).optional(),
  ieFlag: z.literal('I'),
  declTime: date8(),
  customsCode: digits(4),
  portCode: digits(4),
  ieDate: date8().optional(),
  buyerIdType: idType,
  buyerIdNumber: text(60),
  buyerName: text(60),
  buyerTelephone: text(30),
  consigneeAddress: text(200),
  agentCode: text(18),
  agentName: text(100),
  areaCode: text(18).optional(),
  areaName: text(100).optional(),
  tradeMode: digits(4),
  trafMode: z.string().regex(/^[0-9A-Z]$/),
  trafNo: text(100).optional(),
  voyageNo: text(32).optional(),
  billNo: text(37).optional(),
  loctNo: text(10).optional(),
  licenseNo: text(19).optional(),
  country,
  freight: amount(),
  insuredFee: amount(),
  currency,
  wrapType: fixed(1).optional(),
  packNo: int(0),
  grossWeight: amount(),
  netWeight: amount(),
  note: text(1000).optional(),
  items: z.array(InventoryItemSchema).min(1).max(99),
});

/** One parcel's declaration: the three documents and, when prepared, the inventory. */
export const DeclarationSchema = z.object({
  order: OrderSchema,
  payment: PaymentSchema,
  logistics: LogisticsSchema,
  inventory: InventorySchema.optional(),
});

type Amount = Decimal;
/** Replaces the wire types of amount and integer fields with their model types. */
type Model<T, A extends string, I extends string = never> = Omit<T, A | I> & {
  [K in A & keyof T]: undefined extends T[K] ? Amount | undefined : Amount;
} & {
  [K in I & keyof T]: number;
};

/** A parsed OrderList line. */
export type OrderItem = Model<z.output<typeof OrderItemSchema>, 'qty' | 'price' | 'totalPrice', 'gnum'>;
/** A parsed order (OrderHead and its lines). */
export type Order = Model<
  Omit<z.output<typeof OrderSchema>, 'items'>,
  'goodsValue' | 'freight' | 'discount' | 'taxTotal' | 'acturalPaid'
> & { items: OrderItem[] };
/** A parsed PaymentHead. */
export type Payment = Model<z.output<typeof PaymentSchema>, 'amountPaid'>;
/** A parsed LogisticsHead. */
export type Logistics = Model<z.output<typeof LogisticsSchema>, 'freight' | 'insuredFee' | 'weight', 'packNo'>;
/** A parsed InventoryList line. */
export type InventoryItem = Model<
  z.output<typeof InventoryItemSchema>,
  'qty' | 'qty1' | 'qty2' | 'price' | 'totalPrice',
  'gnum'
>;
/** A parsed inventory (InventoryHead and its lines). */
export type Inventory = Model<
  Omit<z.output<typeof InventorySchema>, 'items'>,
  'freight' | 'insuredFee' | 'grossWeight' | 'netWeight',
  'packNo'
> & { items: InventoryItem[] };
/** A parsed declaration: amounts are `Decimal`, line numbers and package counts are numbers, codes are strings. */
export interface Declaration {
  order: Order;
  payment: Payment;
  logistics: Logistics;
  inventory?: Inventory | undefined;
}
/** The JSON input shape as the schema checks it: amounts as numbers or decimal strings. */
export type DeclarationWire = z.output<typeof DeclarationSchema>;
/** The JSON input shape. */
export type DeclarationInput = z.input<typeof DeclarationSchema>;
