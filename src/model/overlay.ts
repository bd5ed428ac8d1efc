/*
 * The hand-kept part of the CEB element descriptors: what the official XSDs do not say. The XSDs
 * give every element's children, occurrences and leaf types; this adds the Chinese field names,
 * the rules the model enforces beyond the XSD (fixed values, code formats, line-number ranges) and
 * which elements are model documents. Build-time data: scripts/gen-descriptors.ts merges it into
 * src/model/generated (run `npm run gen` after an edit); the runtime never imports this file.
 */

/** A model-level rule for a leaf, replacing the check its XSD type implies. */
export interface FieldRule {
  /** The only value the model accepts. */
  literal?: string;
  enum?: string[];
  /** A code of exactly that many digits. */
  digits?: number;
  /** A regular expression the whole value must match. */
  pattern?: string;
  format?: 'date8' | 'dateTime14' | 'dateTime17' | 'gcode';
  /** An integer in [min, max]. */
  int?: [number] | [number, number];
  /** A text of at most this many characters where the model differs from the XSD. */
  maxLength?: number;
  /** Exactly this many characters. */
  fixed?: number;
  /** Optional in the model whatever the XSD says (a default the builder fills). */
  optional?: boolean;
}

/** A message whose documents the model holds: head fields at the top, lines under `items`. */
interface DocumentSpec {
  /** The message root; the XSD that defines it is the document's schema. */
  root: string;
  /** Model type name; its schema is `${name}Schema`. */
  name: string;
  /** Key of the document in `sandan build` input and in issue paths, e.g. `order`. */
  key: string;
  /** Model type name of a line, when the document has lines. */
  item?: string;
  /** Generated into the declaration module (src/model) or the other-documents one (src/xml). */
  module: 'declaration' | 'other';
  /** TSDoc of the schema, the type, the line schema and the line type. */
  doc: [string, string] | [string, string, string, string];
}

export const CEB_OVERLAY: {
  messages: Readonly<Record<string, readonly [zh: string, en: string]>>;
  sentByCustoms: readonly string[];
  names: Readonly<Record<string, string>>;
  envelope: readonly string[];
  rules: Readonly<Record<string, FieldRule>>;
  documents: readonly DocumentSpec[];
} = {
  /**
   * Short names of every message root of the two business XSDs (receipts included), in Chinese and English, for
   * messages and listings (the XSD's own annotations are whole sentences). Which XSD defines a root is the XSD's.
   */
  // biome-ignore format: one line per message
  messages: {
    CEB311Message: ['电子订单', 'import order'],
    CEB312Message: ['电子订单回执', 'order receipt'],
    CEB411Message: ['支付凭证', 'payment voucher'],
    CEB412Message: ['支付凭证回执', 'payment receipt'],
    CEB511Message: ['物流运单', 'waybill'],
    CEB512Message: ['物流运单回执', 'waybill receipt'],
    CEB513Message: ['运单状态', 'waybill status'],
    CEB514Message: ['运单状态回执', 'waybill status receipt'],
    CEB621Message: ['进口清单', 'import inventory'],
    CEB622Message: ['进口清单回执', 'inventory receipt'],
    CEB623Message: ['撤销申请单', 'inventory cancel'],
    CEB624Message: ['撤销申请单回执', 'cancel receipt'],
    CEB625Message: ['退货申请单', 'inventory refund'],
    CEB626Message: ['退货申请单回执', 'refund receipt'],
    CEB711Message: ['入库明细单', 'warehouse-entry detail'],
    CEB712Message: ['入库明细单回执', 'warehouse-entry receipt'],
    CEB816Message: ['电子税单', 'electronic tax bill'],
    CEB818Message: ['电子税单状态', 'tax bill status'],
    CEB900Message: ['报文格式校验回执', 'format-check receipt'],
    CEB303Message: ['出口订单', 'export order'],
    CEB304Message: ['出口订单回执', 'export order receipt'],
    CEB403Message: ['收款单', 'payment receipt (export)'],
    CEB404Message: ['收款单回执', 'payment receipt acknowledgement'],
    CEB505Message: ['出口运单', 'export waybill'],
    CEB506Message: ['出口运单回执', 'export waybill receipt'],
    CEB507Message: ['运抵单', 'arrival'],
    CEB508Message: ['运抵单回执', 'arrival receipt'],
    CEB509Message: ['离境单', 'departure'],
    CEB510Message: ['离境单回执', 'departure receipt'],
    CEB603Message: ['出口清单', 'export inventory'],
    CEB604Message: ['出口清单回执', 'export inventory receipt'],
    CEB605Message: ['出口撤销申请单', 'export inventory cancel'],
    CEB606Message: ['出口撤销申请单回执', 'export cancel receipt'],
    CEB607Message: ['清单总分单', 'master/house bill'],
    CEB608Message: ['清单总分单回执', 'master/house bill receipt'],
    CEB213Message: ['出口退货申请单', 'export return'],
    CEB214Message: ['出口退货申请单回执', 'export return receipt'],
    CEB215Message: ['退货理货明细单', 'return tally detail'],
    CEB216Message: ['退货理货明细单回执', 'return tally receipt'],
    CEB701Message: ['汇总申请单', 'summary application'],
    CEB702Message: ['汇总申请单回执', 'summary application receipt'],
    CEB792Message: ['汇总结果单', 'summary result'],
  },
  /**
   * The messages customs (or E-Port) writes and the enterprise receives: the receipts, the tax bill and its status,
   * the format-check receipt and the export summary result (the spec's message definitions). Every other root is an
   * enterprise's (an export return tally, CEB215, is the supervised site's).
   */
  // biome-ignore format: a list of names
  sentByCustoms: [
    'CEB312Message', 'CEB412Message', 'CEB512Message', 'CEB514Message', 'CEB622Message', 'CEB624Message', 'CEB626Message',
    'CEB712Message', 'CEB816Message', 'CEB818Message', 'CEB900Message', 'CEB304Message', 'CEB404Message', 'CEB506Message',
    'CEB508Message', 'CEB510Message', 'CEB604Message', 'CEB606Message', 'CEB608Message', 'CEB214Message', 'CEB216Message',
    'CEB702Message', 'CEB792Message',
  ],
  /** Chinese names of CEB fields (the 2022-05 CEB interface spec) and of the model's documents, for issue messages. */
  names: {
    guid: '系统唯一序号',
    appType: '报送类型',
    appTime: '报送时间',
    appStatus: '业务状态',
    orderType: '订单类型',
    orderNo: '订单编号',
    ebpCode: '电商平台代码',
    ebpName: '电商平台名称',
    ebcCode: '电商企业代码',
    ebcName: '电商企业名称',
    goodsValue: '商品价格',
    freight: '运杂费',
    discount: '非现金抵扣金额',
    taxTotal: '代扣税款',
    acturalPaid: '实际支付金额',
    currency: '币制',
    buyerRegNo: '订购人注册号',
    buyerName: '订购人姓名',
    buyerTelephone: '订购人电话',
    buyerIdType: '订购人证件类型',
    buyerIdNumber: '订购人证件号码',
    payCode: '支付企业代码',
    payName: '支付企业名称',
    payTransactionId: '支付交易编号',
    batchNumbers: '商品批次号',
    consignee: '收货人姓名',
    consigneeTelephone: '收货人电话',
    consigneeAddress: '收货地址',
    consigneeDistrict: '收货地址行政区划代码',
    note: '备注',
    items: '表体商品项',
    gnum: '商品序号',
    itemNo: '企业商品货号',
    itemName: '企业商品名称',
    gmodel: '规格型号',
    itemDescribe: '企业商品描述',
    barCode: '条形码',
    unit: '计量单位',
    qty: '数量',
    price: '单价',
    totalPrice: '总价',
    country: '国家(地区)',
    payerIdType: '支付人证件类型',
    payerIdNumber: '支付人证件号码',
    payerName: '支付人姓名',
    telephone: '支付人电话',
    amountPaid: '支付金额',
    payTime: '支付时间',
    logisticsCode: '物流企业代码',
    logisticsName: '物流企业名称',
    logisticsNo: '物流运单编号',
    billNo: '提运单号',
    insuredFee: '保价费',
    weight: '毛重',
    packNo: '件数',
    goodsInfo: '主要货物信息',
    copNo: '企业内部编号',
    preNo: '预录入编号',
    assureCode: '担保企业编号',
    emsNo: '账册编号',
    invtNo: '清单编号',
    ieFlag: '进出口标记',
    declTime: '申报日期',
    customsCode: '申报地海关代码',
    portCode: '口岸海关代码',
    ieDate: '进口日期',
    agentCode: '申报企业代码',
    agentName: '申报企业名称',
    areaCode: '区内企业代码',
    areaName: '区内企业名称',
    tradeMode: '贸易方式',
    trafMode: '运输方式',
    trafNo: '运输工具编号',
    voyageNo: '航班航次号',
    loctNo: '监管场所代码',
    licenseNo: '许可证件号',
    wrapType: '包装种类代码',
    grossWeight: '毛重',
    netWeight: '净重',
    itemRecordNo: '账册备案料号',
    gcode: '商品编码',
    gname: '商品名称',
    tradeCountry: '贸易国',
    qty1: '法定数量',
    unit1: '法定计量单位',
    qty2: '第二数量',
    unit2: '第二计量单位',
    order: '订单',
    payment: '支付单',
    logistics: '运单',
    inventory: '清单',
    // Export documents (export XSD annotations).
    payNo: '支付交易编号',
    charge: '收款金额',
    accountingDate: '到账时间',
    reason: '原因',
    operatorCode: '监管场所经营人代码',
    operatorName: '监管场所经营人名称',
    domesticTrafNo: '境内运输工具编号',
    msgCount: '报文总数',
    msgSeqNo: '报文序号',
    totalPackageNo: '总包号',
    trafName: '运输工具名称',
    leaveTime: '离境时间',
    sumNo: '汇总申请编号',
    declAgentCode: '报关单位代码',
    declAgentName: '报关单位名称',
    startTime: '汇总开始时间',
    endTime: '汇总结束时间',
    summaryFlag: '收发货人汇总标志',
    itemNameFlag: '按商品名汇总标志',
    exportOrder: '出口订单',
    exportReceipts: '收款单',
    exportLogistics: '出口运单',
    arrival: '运抵单',
    departure: '离境单',
    exportInventory: '出口清单',
    exportInvtCancel: '出口撤销申请单',
    wayBill: '清单总分单',
    summaryApply: '汇总申请单',
    // Fields of the other documents, shortened from their XSD annotations.
    logisticsStatus: '物流签收状态',
    logisticsTime: '物流状态时间',
    rkdNo: '入库单编号',
    unloadLocation: '卸货存放位置',
    ebcTelephone: '收发货人电话',
    statisticsFlag: '申报业务类型',
    ownerCode: '生产销售单位代码',
    ownerName: '生产销售单位名称',
    iacCode: '区内企业代码',
    iacName: '区内企业名称',
    POD: '指运港代码',
    fCurrency: '运费币制',
    fFlag: '运费标志',
    iCurrency: '保费币制',
    iFlag: '保费标志',
    // Fields of receipts and tax bills, shortened from their XSD annotations.
    returnStatus: '操作结果',
    returnTime: '操作时间',
    returnInfo: '回执信息',
    taxNo: '电子税单编号',
    customsTax: '应征关税',
    valueAddedTax: '应征增值税',
    consumptionTax: '应征消费税',
    entDutyNo: '缴款书编号',
    taxPrice: '完税总价格',
    oriCopMsgId: '原始报文编号',
    oriMessageType: '原始报文类型',
    oriBizMessage: '原始报文内容',
  },
  /** Leading head fields every declared document carries; optional in the model (`envelope`, the builder fills them). */
  envelope: ['guid', 'appType', 'appTime', 'appStatus'],
  /**
   * Model rules by `schema:Element.field`, `schema:*.field` or `*.field` (most specific wins),
   * applied to the model documents only.
   */
  rules: {
    // Import documents are declared in RMB by a buyer with a resident ID card: the model admits no other value.
    'import:*.currency': { literal: '142' },
    '*.buyerIdType': { literal: '1' },
    '*.payerIdType': { literal: '1' },
    'import:*.ieFlag': { literal: 'I' },
    'export:*.ieFlag': { literal: 'E' },
    'import:OrderHead.orderType': { literal: 'I' },
    // E B2C, B B2B, W overseas warehouse (export XSD annotation).
    'export:OrderHead.orderType': { enum: ['E', 'B', 'W'] },
    '*.logisticsStatus': { literal: 'S' },
    '*.statisticsFlag': { enum: ['A', 'B'] },
    '*.summaryFlag': { enum: ['1', '2'] },
    // Code tables' codes are digits, not just characters of that length.
    'export:*.currency': { digits: 3 },
    '*.fCurrency': { digits: 3 },
    '*.iCurrency': { digits: 3 },
    // country: the numeric JGS-20 table, not alpha-3: the spec fixes 保税进口 起运国 at “142” (China there, CHN in
    // alpha-3) and all its sample messages use 116/142/303 (rulesets/codes/country.json, source XSD).
    '*.country': { digits: 3 },
    '*.unit': { digits: 3 },
    '*.unit1': { digits: 3 },
    '*.unit2': { digits: 3 },
    '*.customsCode': { digits: 4 },
    '*.portCode': { digits: 4 },
    '*.tradeMode': { digits: 4 },
    '*.consigneeDistrict': { digits: 6 },
    '*.trafMode': { pattern: '^[0-9A-Z]$' },
    '*.POD': { pattern: '^[0-9A-Z]{3,4}$' },
    '*.gcode': { format: 'gcode' },
    // Dates and times are real ones in the spec's formats, not just 8 or 14 characters.
    '*.declTime': { format: 'date8' },
    '*.ieDate': { format: 'date8' },
    '*.payTime': { format: 'dateTime14' },
    '*.logisticsTime': { format: 'dateTime14' },
    '*.accountingDate': { format: 'dateTime14' },
    '*.leaveTime': { format: 'dateTime14' },
    '*.startTime': { format: 'dateTime14' },
    '*.endTime': { format: 'dateTime14' },
    // Line numbers count from 1; the lines of a document are at most 99 (import) or 100 (export) anyway.
    'import:*.gnum': { int: [1, 9999] },
    'import:DeliveryList.gnum': { int: [1] },
    'export:*.gnum': { int: [1, 99999] },
    'export:OrderList.gnum': { int: [1, 9999] },
    'export:InventoryList.gnum': { int: [1, 9999] },
    // Split documents: msgCount messages in all, msgSeqNo this one's number from 1 (XSD annotations).
    '*.msgCount': { int: [1] },
    '*.msgSeqNo': { int: [1] },
    // The XSD fixes 18 characters; the model has always taken up to 18 here.
    'export:InventoryHead.preNo': { maxLength: 18 },
  },
  // biome-ignore format: one line per document
  documents: [
    { root: 'CEB311Message', name: 'Order', key: 'order', item: 'OrderItem', module: 'declaration', doc: ['OrderHead + OrderList lines as `items` (CEB311 电子订单).', 'A parsed order (OrderHead and its lines).', 'OrderList: one line of the order (CEB311).', 'A parsed OrderList line.'] },
    { root: 'CEB411Message', name: 'Payment', key: 'payment', module: 'declaration', doc: ['PaymentHead (CEB411 支付凭证).', 'A parsed PaymentHead.'] },
    { root: 'CEB511Message', name: 'Logistics', key: 'logistics', module: 'declaration', doc: ['LogisticsHead (CEB511 物流运单).', 'A parsed LogisticsHead.'] },
    { root: 'CEB621Message', name: 'Inventory', key: 'inventory', item: 'InventoryItem', module: 'declaration', doc: ['InventoryHead + InventoryList lines as `items` (CEB621 进口清单).', 'A parsed inventory (InventoryHead and its lines).', 'InventoryList: one line of the inventory (CEB621).', 'A parsed InventoryList line.'] },
    { root: 'CEB513Message', name: 'LogisticsStatus', key: 'logisticsStatus', module: 'other', doc: ['LogisticsStatus (CEB513 运单状态): the parcel was signed for.', 'A waybill status (CEB513) in model form.'] },
    { root: 'CEB623Message', name: 'InvtCancel', key: 'invtCancel', module: 'other', doc: ['InvtCancel (CEB623 撤销申请单): cancels a declared inventory by its invtNo.', 'An inventory cancel (CEB623) in model form.'] },
    { root: 'CEB625Message', name: 'InvtRefund', key: 'invtRefund', item: 'InvtRefundItem', module: 'other', doc: ['InvtRefundHead + InvtRefundList lines as `items` (CEB625 退货申请单).', 'An inventory refund (CEB625) in model form.', 'InvtRefundList: one returned line, referring to the original inventory line by gnum.', 'A refund line in model form.'] },
    { root: 'CEB711Message', name: 'Delivery', key: 'delivery', item: 'DeliveryItem', module: 'other', doc: ['DeliveryHead + DeliveryList lines as `items` (CEB711 入库明细单, one per message).', 'A warehouse-entry detail (CEB711) in model form.', 'DeliveryList: one waybill entering the supervised site.', 'A warehouse-entry line in model form.'] },
    { root: 'CEB303Message', name: 'ExportOrder', key: 'exportOrder', item: 'ExportOrderItem', module: 'other', doc: ['Export OrderHead + lines as `items` (CEB303 出口订单; orderType E B2C, B B2B, W overseas warehouse).', 'An export order (CEB303) in model form.', 'Export OrderList: one line of the export order (CEB303).', 'An export order line in model form.'] },
    { root: 'CEB403Message', name: 'ExportReceipts', key: 'exportReceipts', module: 'other', doc: ["Receipts (CEB403 收款单): the payment company's record of the money received for an export order.", 'An export payment receipt (CEB403) in model form.'] },
    { root: 'CEB505Message', name: 'ExportLogistics', key: 'exportLogistics', module: 'other', doc: ['Export Logistics (CEB505 出口运单).', 'An export waybill (CEB505) in model form.'] },
    { root: 'CEB507Message', name: 'Arrival', key: 'arrival', item: 'ArrivalItem', module: 'other', doc: ['ArrivalHead + ArrivalList lines as `items` (CEB507 运抵单; the XSD allows no lines).', 'An arrival (CEB507) in model form.', 'ArrivalList: one parcel arriving at the supervised site.', 'An arrival line in model form.'] },
    { root: 'CEB509Message', name: 'Departure', key: 'departure', item: 'DepartureItem', module: 'other', doc: ['DepartureHead + DepartureList lines as `items` (CEB509 离境单).', 'A departure (CEB509) in model form.', 'DepartureList: one parcel leaving the country.', 'A departure line in model form.'] },
    { root: 'CEB603Message', name: 'ExportInventory', key: 'exportInventory', item: 'ExportInventoryItem', module: 'other', doc: ['Export InventoryHead + lines as `items` (CEB603 出口清单).', 'An export inventory (CEB603) in model form.', 'Export InventoryList: one line of the export inventory (CEB603).', 'An export inventory line in model form.'] },
    { root: 'CEB605Message', name: 'ExportInvtCancel', key: 'exportInvtCancel', module: 'other', doc: ['Export InvtCancel (CEB605 撤销申请单): cancels an export inventory by its invtNo.', 'An export inventory cancel (CEB605) in model form.'] },
    { root: 'CEB607Message', name: 'WayBill', key: 'wayBill', item: 'WayBillItem', module: 'other', doc: ['WayBillHead + WayBillList lines as `items` (CEB607 清单总分单; appStatus 2 must be signed, XSD annotation).', 'A master/house bill (CEB607) in model form.', 'WayBillList: one parcel (and its inventory) under the master bill.', 'A master/house bill line in model form.'] },
    { root: 'CEB701Message', name: 'SummaryApply', key: 'summaryApply', item: 'SummaryApplyItem', module: 'other', doc: ['SummaryApplyHead + SummaryApplyList lines as `items` (CEB701 汇总申请单). summaryFlag 1 summarises by consignor, 2 by consignor and producer; with startTime/endTime the lines are ignored (XSD annotations).', 'A summary application (CEB701) in model form.', 'SummaryApplyList: one export inventory to summarise.', 'A summary application line in model form.'] },
  ],
};

/** A receipt (customs → enterprise) whose document sandan builds, for tests and the emulator (src/xml/receipt-build.ts). */
interface ReceiptSpec {
  /** Message type, e.g. `CEB622`. */
  type: string;
  /** The message root; all receipts are in the import XSD. */
  root: string;
  /** Type name of the document; its schema is `${name}Schema`. */
  name: string;
  /** Type name of a line, when the document has lines (the CEB816 TaxListRd). */
  item?: string;
  /** Key of the document in issue paths, e.g. `inventoryReturn` (`inventoryReturn[1].guid`). */
  key: string;
  /** TSDoc of the schema and the type (and of the line schema and type). */
  doc: [string, string] | [string, string, string, string];
}

/**
 * The receipts sandan builds. Their fields are the XSD's; `rules` (same keys as `CEB_OVERLAY.rules`,
 * looked up before them) says what the builder fills and checks beyond the XSD type.
 */
export const CEB_RECEIPT_OVERLAY: { rules: Readonly<Record<string, FieldRule>>; receipts: readonly ReceiptSpec[] } = {
  rules: {
    // The builder fills guid from newId() and returnTime from now() when they are not given.
    '*.guid': { optional: true },
    // 回执时间 YYYYMMDDhhmmssSSS (XSD annotation), a real time.
    '*.returnTime': { format: 'dateTime17', optional: true },
    // 税单状态 1 已生成, 2 已汇总, 3 作废 (XSD annotation of TaxHeadRd and TaxHeadStatus).
    'import:TaxHeadRd.status': { enum: ['1', '2', '3'] },
    'import:TaxHeadStatus.status': { enum: ['1', '2', '3'] },
  },
  // biome-ignore format: one line per receipt
  receipts: [
    { type: 'CEB312', root: 'CEB312Message', name: 'OrderReturn', key: 'orderReturn', doc: ['OrderReturn (CEB312 电子订单回执).', 'An order receipt (CEB312) as `buildReceipt` takes it.'] },
    { type: 'CEB412', root: 'CEB412Message', name: 'PaymentReturn', key: 'paymentReturn', doc: ['PaymentReturn (CEB412 支付凭证回执).', 'A payment receipt (CEB412) as `buildReceipt` takes it.'] },
    { type: 'CEB512', root: 'CEB512Message', name: 'LogisticsReturn', key: 'logisticsReturn', doc: ['LogisticsReturn (CEB512 物流运单回执).', 'A waybill receipt (CEB512) as `buildReceipt` takes it.'] },
    { type: 'CEB514', root: 'CEB514Message', name: 'LogisticsStatusReturn', key: 'logisticsStatusReturn', doc: ['LogisticsStatusReturn (CEB514 运单状态回执).', 'A waybill status receipt (CEB514) as `buildReceipt` takes it.'] },
    { type: 'CEB622', root: 'CEB622Message', name: 'InventoryReturn', key: 'inventoryReturn', doc: ['InventoryReturn (CEB622 进口清单回执).', 'An inventory receipt (CEB622) as `buildReceipt` takes it.'] },
    { type: 'CEB624', root: 'CEB624Message', name: 'InvtCancelReturn', key: 'invtCancelReturn', doc: ['InvtCancelReturn (CEB624 撤销申请单回执).', 'An inventory cancel receipt (CEB624) as `buildReceipt` takes it.'] },
    { type: 'CEB626', root: 'CEB626Message', name: 'InvtRefundReturn', key: 'invtRefundReturn', doc: ['InvtRefundReturn (CEB626 退货申请单回执).', 'An inventory refund receipt (CEB626) as `buildReceipt` takes it.'] },
    { type: 'CEB712', root: 'CEB712Message', name: 'DeliveryReturn', key: 'deliveryReturn', doc: ['DeliveryReturn (CEB712 入库明细单回执).', 'A warehouse-entry receipt (CEB712) as `buildReceipt` takes it.'] },
    { type: 'CEB816', root: 'CEB816Message', name: 'TaxBillReceipt', item: 'TaxBillReceiptItem', key: 'taxBill', doc: ['One Tax of a CEB816 电子税单: TaxHeadRd fields, TaxListRd lines as `items`.', 'A tax bill (one CEB816 Tax) as `buildReceipt` takes it.', 'TaxListRd: the tax of one inventory line (gnum).', 'A tax bill line as `buildReceipt` takes it.'] },
    { type: 'CEB818', root: 'CEB818Message', name: 'TaxBillStatusReceipt', key: 'taxBillStatus', doc: ['One Tax of a CEB818 电子税单状态: the TaxHeadStatus fields.', 'A tax bill status (one CEB818 Tax) as `buildReceipt` takes it.'] },
    { type: 'CEB900', root: 'CEB900Message', name: 'MessageReturn', key: 'messageReturn', doc: ['MessageReturn (CEB900 报文格式校验回执).', 'A format-check receipt (CEB900) as `buildReceipt` takes it.'] },
  ],
};
