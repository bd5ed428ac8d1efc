/*
 * Content models of the official 2022-05 CEB XSDs, one line per element, extracted from
 * test/fixtures/ceb-spec/xsd-202205 and checked against them by test/xml/tables.test.ts.
 * Notation: `name` element (a name that has its own entry is a complex element), `?` optional,
 * `*99` / `*n` at most 99 / unbounded, `=Key` complex content defined under Key,
 * `:d` decimal (N19,5), `:i` xs:int, `:x` any XML, `ds:` the xmldsig namespace.
 * Lengths are not repeated here: the zod document schemas check them before building.
 */

/** Content models of the import XSD (xsd-202205/ceb-import.xsd). */
export const IMPORT_MODELS: Readonly<Record<string, string>> = {
  'CEB311Message/Order': 'OrderHead OrderList*99',
  CEB311Message: 'Order*100=CEB311Message/Order BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature?',
  CEB312Message: 'OrderReturn*100',
  'CEB411Message/Payment': 'PaymentHead',
  CEB411Message: 'Payment*100=CEB411Message/Payment BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature?',
  CEB412Message: 'PaymentReturn*100',
  'CEB511Message/Logistics': 'LogisticsHead',
  CEB511Message: 'Logistics*100=CEB511Message/Logistics BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature?',
  CEB512Message: 'LogisticsReturn*100',
  CEB513Message: 'LogisticsStatus*100 BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature?',
  CEB514Message: 'LogisticsStatusReturn*100',
  'CEB621Message/Inventory': 'InventoryHead InventoryList*99',
  CEB621Message: 'Inventory*100=CEB621Message/Inventory BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature',
  CEB622Message: 'InventoryReturn*100',
  CEB623Message: 'InvtCancel*100 BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature',
  CEB624Message: 'InvtCancelReturn*100',
  'CEB625Message/InvtRefund': 'InvtRefundHead InvtRefundList*99',
  CEB625Message: 'InvtRefund*100=CEB625Message/InvtRefund BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature',
  CEB626Message: 'InvtRefundReturn*100',
  'CEB711Message/Delivery': 'DeliveryHead DeliveryList*n',
  CEB711Message: 'Delivery=CEB711Message/Delivery BaseTransfer BaseSubscribe?*5 ExtendMessage? ds:Signature',
  CEB712Message: 'DeliveryReturn*100',
  'CEB816Message/Tax': 'TaxHeadRd TaxListRd*99',
  CEB816Message: 'Tax*n=CEB816Message/Tax',
  'CEB818Message/Tax': 'TaxHeadStatus',
  CEB818Message: 'Tax*n=CEB818Message/Tax',
  CEB900Message: 'MessageReturn',
  MessageReturn: 'guid returnStatus returnInfo returnTime oriCopMsgId oriMessageType oriBizMessage',
  TaxHeadStatus: 'guid returnTime invtNo taxNo status entDutyNo? assureCode?',
  TaxHeadRd:
    'guid returnTime invtNo taxNo customsTax:d valueAddedTax:d consumptionTax:d status entDutyNo? note? assureCode? ebcCode? logisticsCode? agentCode? customsCode?',
  TaxListRd: 'gnum:i gcode taxPrice:d customsTax:d valueAddedTax:d consumptionTax:d',
  OrderHead:
    'guid appType appTime appStatus orderType orderNo ebpCode ebpName ebcCode ebcName goodsValue:d freight:d discount:d taxTotal:d acturalPaid:d currency buyerRegNo buyerName buyerTelephone buyerIdType buyerIdNumber payCode? payName? payTransactionId? batchNumbers? consignee consigneeTelephone consigneeAddress consigneeDistrict? note?',
  OrderList:
    'gnum:i itemNo? itemName gmodel itemDescribe? barCode? unit qty:d price:d totalPrice:d currency country note?',
  OrderReturn: 'guid ebpCode ebcCode orderNo returnStatus returnTime returnInfo',
  PaymentHead:
    'guid appType appTime appStatus payCode payName payTransactionId orderNo ebpCode ebpName payerIdType payerIdNumber payerName telephone? amountPaid:d currency payTime note?',
  PaymentReturn: 'guid payCode payTransactionId returnStatus returnTime returnInfo',
  LogisticsHead:
    'guid appType appTime appStatus logisticsCode logisticsName logisticsNo billNo? orderNo freight?:d insuredFee?:d currency weight:d packNo:i goodsInfo? consignee consigneeAddress consigneeTelephone note?',
  LogisticsReturn: 'guid logisticsCode logisticsNo returnStatus returnTime returnInfo',
  LogisticsStatus:
    'guid appType appTime appStatus logisticsCode logisticsName logisticsNo logisticsStatus logisticsTime note?',
  LogisticsStatusReturn: 'guid logisticsCode logisticsNo logisticsStatus returnStatus returnTime returnInfo',
  InventoryHead:
    'guid appType appTime appStatus orderNo ebpCode ebpName ebcCode ebcName logisticsNo logisticsCode logisticsName copNo? preNo? assureCode emsNo? invtNo? ieFlag declTime customsCode portCode ieDate? buyerIdType buyerIdNumber buyerName buyerTelephone consigneeAddress agentCode agentName areaCode? areaName? tradeMode trafMode trafNo? voyageNo? billNo? loctNo? licenseNo? country freight:d insuredFee:d currency wrapType? packNo:i grossWeight:d netWeight:d note?',
  InventoryList:
    'gnum:i itemRecordNo? itemNo? itemName? gcode gname gmodel barCode? country tradeCountry? currency qty:d unit qty1:d unit1 qty2?:d unit2? price:d totalPrice:d note?',
  InventoryReturn:
    'guid customsCode? ebpCode? ebcCode? agentCode? copNo preNo invtNo? returnStatus returnTime returnInfo',
  InvtCancel:
    'guid appType appTime appStatus customsCode orderNo ebpCode ebpName ebcCode ebcName logisticsNo logisticsCode logisticsName copNo? preNo? invtNo buyerIdType buyerIdNumber buyerName buyerTelephone agentCode agentName reason note?',
  InvtCancelReturn:
    'guid customsCode? agentCode? ebpCode? ebcCode? copNo preNo invtNo? returnStatus returnTime returnInfo',
  InvtRefundHead:
    'guid appType appTime appStatus customsCode orderNo ebpCode ebpName ebcCode ebcName logisticsNo logisticsCode logisticsName copNo? preNo? invtNo buyerIdType buyerIdNumber buyerName buyerTelephone agentCode agentName reason note?',
  InvtRefundList: 'gnum:i gcode gname qty:d unit note?',
  InvtRefundReturn:
    'guid customsCode? agentCode? ebpCode? ebcCode? copNo preNo invtNo? returnStatus returnTime returnInfo',
  DeliveryHead:
    'guid appType appTime appStatus customsCode copNo? preNo? rkdNo? operatorCode operatorName ieFlag trafMode trafNo voyageNo billNo logisticsCode logisticsName unloadLocation? note?',
  DeliveryList: 'gnum:i logisticsNo note?',
  DeliveryReturn: 'guid customsCode? operatorCode? copNo? preNo? rkdNo? returnStatus returnTime returnInfo',
  BaseTransfer: 'copCode copName dxpMode dxpId note?',
  BaseSubscribe: 'status dxpMode dxpAddress note?',
  ExtendMessage: 'name version Message:x',
};

/** Content models of the export XSD (xsd-202205/ceb-export.xsd). */
export const EXPORT_MODELS: Readonly<Record<string, string>> = {
  Order: 'OrderHead OrderList*100',
  OrderHead:
    'guid appType appTime appStatus orderType orderNo ebpCode ebpName ebcCode ebcName goodsValue:d freight:d currency note?',
  OrderList: 'gnum:i itemNo itemName itemDescribe? barCode? unit currency qty:d price:d totalPrice:d note?',
  OrderReturn: 'guid ebpCode ebcCode orderNo returnStatus returnTime returnInfo',
  Receipts:
    'guid appType appTime appStatus ebpCode ebpName ebcCode ebcName orderNo payCode? payName payNo? charge:d currency accountingDate note?',
  ReceiptsReturn: 'guid ebcCode orderNo payNo? returnStatus returnTime returnInfo',
  Logistics:
    'guid appType appTime appStatus logisticsCode logisticsName logisticsNo freight:d insuredFee:d currency grossWeight:d packNo:i goodsInfo ebcCode? ebcName? ebcTelephone? note?',
  LogisticsReturn: 'guid logisticsCode logisticsNo returnStatus returnTime returnInfo',
  Arrival: 'ArrivalHead ArrivalList?*n',
  ArrivalHead:
    'guid appType appTime appStatus customsCode copNo preNo? operatorCode operatorName loctNo? ieFlag trafMode billNo? domesticTrafNo logisticsCode logisticsName msgCount:i msgSeqNo:i note?',
  ArrivalList: 'gnum:i logisticsNo totalPackageNo? note?',
  ArrivalReturn: 'guid operatorCode logisticsCode preNo copNo billNo msgSeqNo:i returnStatus returnTime returnInfo',
  Departure: 'DepartureHead DepartureList*n',
  DepartureHead:
    'guid appType appTime appStatus customsCode copNo preNo? logisticsCode logisticsName trafMode trafName? voyageNo? billNo? leaveTime msgCount:i msgSeqNo:i note?',
  DepartureList: 'gnum:i totalPackageNo? logisticsNo note?',
  DepartureReturn: 'guid logisticsCode copNo preNo msgSeqNo:i returnStatus returnTime returnInfo',
  Inventory: 'InventoryHead InventoryList*100',
  InventoryHead:
    'guid appType appTime appStatus customsCode ebpCode ebpName orderNo logisticsCode logisticsName logisticsNo copNo preNo? invtNo? ieFlag portCode ieDate statisticsFlag agentCode agentName ebcCode ebcName ownerCode ownerName iacCode? iacName? emsNo? tradeMode trafMode trafName? voyageNo? billNo? totalPackageNo? loctNo? licenseNo? country POD freight:d fCurrency fFlag insuredFee:d iCurrency iFlag wrapType packNo:i grossWeight:d netWeight:d note?',
  InventoryList:
    'gnum:i itemNo itemRecordNo? itemName? gcode gname gmodel barCode country currency qty:d qty1:d qty2?:d unit unit1 unit2? price:d totalPrice:d note?',
  InventoryReturn:
    'guid agentCode copNo preNo invtNo ebcCode ebpCode orderNo statisticsFlag returnStatus returnTime returnInfo',
  InvtCancel:
    'guid appType appTime appStatus customsCode copNo preNo? invtNo reason agentCode agentName ebcCode ebcName note?',
  InvtCancelReturn: 'guid agentCode copNo preNo invtNo returnStatus returnTime returnInfo',
  WayBill: 'WayBillHead WayBillList*n',
  WayBillHead:
    'guid appType appTime appStatus customsCode copNo preNo? agentCode agentName loctNo? trafMode trafName voyageNo billNo domesticTrafNo? grossWeight:d logisticsCode logisticsName msgCount:i msgSeqNo:i note?',
  WayBillList: 'gnum:i totalPackageNo? logisticsNo invtNo? note?',
  WayBillReturn: 'guid agentCode logisticsCode copNo preNo billNo msgSeqNo:i returnStatus returnTime returnInfo',
  SummaryApply: 'SummaryApplyHead SummaryApplyList?*n',
  SummaryApplyHead:
    'guid appType appTime appStatus customsCode copNo preNo? sumNo? agentCode agentName ebcCode ebcName declAgentCode declAgentName startTime? endTime? loctNo? summaryFlag itemNameFlag msgCount:i msgSeqNo:i note?',
  InvtRefund: 'InvtRefundHead InvtRefundList*100',
  InvtRefundList: 'gnum:i gcode gname gmodel qty:d qty1:d unit unit1 qty2?:d unit2? note?',
  InvtRefundHead:
    'guid appType appTime appStatus customsCode loctNo? ebpCode ebpName ebcCode ebcName logisticsNo logisticsCode logisticsName coElNo preNo? invtNo tradeMode? agentCode agentName billNo ieFlag trafMode trafName portCode reason country voyageNo note?',
  InvtRefundDetail:
    'guid appType appTime appStatus customsCode operatorCode operatorName logisticsCode logisticsName logisticsNo invtNo? coElNo preNo? billNo ieFlag trafMode trafName voyageNo location? note?',
  InvtRefundDetailReturn:
    'guid operatorCode logisticsCode logisticsNo coElNo preNo? returnStatus returnTime returnInfo',
  RefundReturn: 'guid ebpCode? ebcCode? agentCode coElNo preNo? invtNo returnStatus returnTime returnInfo',
  SummaryApplyList: 'invtNo',
  SummaryReturn: 'guid agentCode ebcCode copNo preNo sumNo? msgSeqNo:i returnStatus returnTime returnInfo',
  SummaryResult: 'SummaryResultHead SummaryResultList?*n',
  SummaryResultHead:
    'guid customsCode sumNo opDate declSeqNo decTmpNo? decPreNo? entryId? decState agentCode agentName ebcCode ebcName declAgentCode declAgentName grossWeight:d netWeight:d msgCount:i msgSeqNo:i note?',
  SummaryResultList: 'invtNo logisticsNo gseqno:i gnum:i gcode',
  BaseTransfer: 'copCode copName dxpMode dxpId note?',
  BaseSubscribe: 'status dxpMode dxpAddress note?',
  ExtendMessage: 'name version Message:x',
  CEB303Message: 'Order*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB304Message: 'OrderReturn*100',
  CEB403Message: 'Receipts*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB404Message: 'ReceiptsReturn*100',
  CEB505Message: 'Logistics*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB506Message: 'LogisticsReturn*100',
  CEB507Message: 'Arrival*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB508Message: 'ArrivalReturn*100',
  CEB509Message: 'Departure*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB510Message: 'DepartureReturn*100',
  CEB603Message: 'Inventory*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB604Message: 'InventoryReturn*100',
  CEB605Message: 'InvtCancel*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB606Message: 'InvtCancelReturn*100',
  CEB607Message: 'WayBill*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB608Message: 'WayBillReturn*100',
  CEB213Message: 'InvtRefund*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB214Message: 'RefundReturn*100',
  CEB215Message: 'InvtRefundDetail*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB216Message: 'InvtRefundDetailReturn*100',
  CEB701Message: 'SummaryApply*100 BaseTransfer BaseSubscribe?*5 ds:Signature? ExtendMessage?',
  CEB702Message: 'SummaryReturn*100',
  CEB792Message: 'SummaryResult*100',
};
