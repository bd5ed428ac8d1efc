import { z } from 'zod';
import {
  InventorySchema,
  LogisticsSchema,
  OrderSchema,
  PaymentSchema,
  type Inventory,
  type Logistics,
  type Order,
  type Payment,
} from './generated/declaration-documents.js';

/*
 * The three documents and the inventory, generated field for field from the 2022-05 import XSD
 * (the 2022-05 CEB interface spec) and the overlay's model rules (src/model/overlay.ts). Field
 * names are the CEB names, including the spec's `acturalPaid`. A field the model does not know is
 * stripped from the parsed model and reported by parseDeclaration as `unknown-field`, never silently dropped.
 */
export * from './generated/declaration-documents.js';

/** One parcel's declaration: the three documents and, when prepared, the inventory. */
export const DeclarationSchema = z.object({
  order: OrderSchema,
  payment: PaymentSchema,
  logistics: LogisticsSchema,
  inventory: InventorySchema.optional(),
});

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
