/**
 * A cancel receipt (CEB624) for the dandingtest order, as the same project's customs stand-in writes one: its
 * `backFunction` template with the statuses and texts of `backShenbao` (2 新增申报成功), `backLogicpass` (120),
 * `backChedanSuccess` (399 `[Code:2300;Desc:审核通过],撤单申请审核通过,清单已成功撤单`) and `backChedanFail` (-451
 * 申报失败); `autotest/src/test/java/test/ccs/testcase/dto/back/BackChedan.java` at
 * 2deaba7cfa3247fb00390c3ffe0b1f2012852066. The order's keys are those of the dandingtest receipts
 * (test/fixtures/outside/README.md). One text for every test that reads it (it was written out in two).
 */
export const dandingtestCancelReceipt = (
  returnStatus: string,
  returnTime: string,
  returnInfo: string,
  preNo = 'C20200629524696153',
) =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><CEB624Message xmlns="http://www.chinaport.gov.cn/ceb" ' +
  'version="1.0" guid="2B91DA66-77A7-409D-AC5C-982B441E5585"><InvtCancelReturn>' +
  '<guid>e3e55fe2-1218-40ae-8bc7-043ee3ed5cea</guid><customsCode>2924</customsCode><agentCode>330766K00Q</agentCode>' +
  '<ebpCode>4401962010</ebpCode><ebcCode>4401962010</ebcCode><copNo>124183351885</copNo>' +
  `<preNo>${preNo}</preNo><invtNo>29242020I439440284</invtNo>` +
  `<returnStatus>${returnStatus}</returnStatus><returnTime>${returnTime}</returnTime>` +
  `<returnInfo>${returnInfo}</returnInfo></InvtCancelReturn></CEB624Message>`;

/** The approved cancel's text (399, code 2300). */
export const DANDINGTEST_CANCEL_APPROVED_INFO = '[Code:2300;Desc:审核通过],撤单申请审核通过,清单已成功撤单';
