/*
 * Documents of the CEB messages that are not part of a declaration (src/model/documents.ts):
 * waybill status, inventory cancel and refund, warehouse-entry detail, and the export order,
 * payment receipt, waybill, arrival, departure, inventory, inventory cancel, master/house bill
 * and summary application. Generated from the 2022-05 XSDs and the overlay (src/model/overlay.ts).
 */
export * from '../model/generated/other-documents.js';
