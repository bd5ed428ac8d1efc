/** Chinese names of CEB fields (ceb-messages.md §4), used in issue messages. */
export const FIELD_NAMES_ZH: Readonly<Record<string, string>> = {
  guid: '系统唯一序号', appType: '报送类型', appTime: '报送时间', appStatus: '业务状态',
  orderType: '订单类型', orderNo: '订单编号', ebpCode: '电商平台代码', ebpName: '电商平台名称',
  ebcCode: '电商企业代码', ebcName: '电商企业名称', goodsValue: '商品价格', freight: '运杂费',
  discount: '非现金抵扣金额', taxTotal: '代扣税款', acturalPaid: '实际支付金额', currency: '币制',
  buyerRegNo: '订购人注册号', buyerName: '订购人姓名', buyerTelephone: '订购人电话',
  buyerIdType: '订购人证件类型', buyerIdNumber: '订购人证件号码', payCode: '支付企业代码',
  payName: '支付企业名称', payTransactionId: '支付交易编号', batchNumbers: '商品批次号',
  consignee: '收货人姓名', consigneeTelephone: '收货人电话', consigneeAddress: '收货地址',
  consigneeDistrict: '收货地址行政区划代码', note: '备注', items: '表体商品项',
  gnum: '商品序号', itemNo: '企业商品货号', itemName: '企业商品名称', gmodel: '规格型号',
  itemDescribe: '企业商品描述', barCode: '条形码', unit: '计量单位', qty: '数量', price: '单价',
  totalPrice: '总价', country: '国家(地区)', payerIdType: '支付人证件类型',
  payerIdNumber: '支付人证件号码', payerName: '支付人姓名', telephone: '支付人电话',
  amountPaid: '支付金额', payTime: '支付时间', logisticsCode: '物流企业代码',
  logisticsName: '物流企业名称', logisticsNo: '物流运单编号', billNo: '提运单号',
  insuredFee: '保价费', weight: '毛重', packNo: '件数', goodsInfo: '主要货物信息',
  copNo: '企业内部编号', preNo: '预录入编号', assureCode: '担保企业编号', emsNo: '账册编号',
  invtNo: '清单编号', ieFlag: '进出口标记', declTime: '申报日期', customsCode: '申报地海关代码',
  portCode: '口岸海关代码', ieDate: '进口日期', agentCode: '申报企业代码', agentName: '申报企业名称',
  areaCode: '区内企业代码', areaName: '区内企业名称', tradeMode: '贸易方式', trafMode: '运输方式',
  trafNo: '运输工具编号', voyageNo: '航班航次号', loctNo: '监管场所代码', licenseNo: '许可证件号',
  wrapType: '包装种类代码', grossWeight: '毛重', netWeight: '净重', itemRecordNo: '账册备案料号',
  gcode: '商品编码', gname: '商品名称', tradeCountry: '贸易国', qty1: '法定数量',
  unit1: '法定计量单位', qty2: '第二数量', unit2: '第二计量单位',
  order: '订单', payment: '支付单', logistics: '运单', inventory: '清单',
  // Export documents (export XSD annotations).
  payNo: '支付交易编号', charge: '收款金额', accountingDate: '到账时间', reason: '原因',
  operatorCode: '监管场所经营人代码', operatorName: '监管场所经营人名称', domesticTrafNo: '境内运输工具编号',
  msgCount: '报文总数', msgSeqNo: '报文序号', totalPackageNo: '总包号', trafName: '运输工具名称',
  leaveTime: '离境时间', sumNo: '汇总申请编号', declAgentCode: '报关单位代码', declAgentName: '报关单位名称',
  startTime: '汇总开始时间', endTime: '汇总结束时间', summaryFlag: '收发货人汇总标志', itemNameFlag: '按商品名汇总标志',
  exportOrder: '出口订单', exportReceipts: '收款单', exportLogistics: '出口运单', arrival: '运抵单',
  departure: '离境单', exportInventory: '出口清单', exportInvtCancel: '出口撤销申请单', wayBill: '清单总分单',
  summaryApply: '汇总申请单',
};

/** The Chinese name of the last field of a path such as `order.items[1].qty`, or the path itself. */
export function fieldNameZh(path: string): string {
  const last = path.replace(/\[\d+\]$/, '').split('.').pop() ?? path;
  return FIELD_NAMES_ZH[last] ?? last;
}
