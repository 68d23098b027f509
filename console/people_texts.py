"""Every user-facing string of the console's People, programme report and Operations pages (simplified Chinese)."""

from __future__ import annotations

NAV_PEOPLE = "人员"
NAV_PROGRAMME = "批次汇报"
NAV_OPERATIONS = "运行"

PEOPLE_TITLE = "人员管理"
CADRES = "挂职干部"
SUPERVISORS = "帮带联系人（督导）"
CADRE_COLUMNS = ("编号", "姓名", "账号", "批次", "派出单位", "挂职单位", "职务", "挂职期", "状态", "操作")
SUPERVISOR_COLUMNS = ("编号", "姓名", "账号", "联系干部", "操作")
ACTIVE = "在岗"
REMOVED = "已停用"
EDIT = "修改"
DEACTIVATE = "停用"
REACTIVATE = "恢复"
ADD_CADRE = "登记挂职干部"
ADD_SUPERVISOR = "登记督导"
IMPORT = "批量导入名单"
INVITES = "邀请码"
NO_CADRES = "还没有挂职干部。"
NO_SUPERVISORS = "还没有督导。"
UNASSIGN = "取消联系"
ASSIGN = "安排联系"
ASSIGN_CADRE = "联系干部"
CHOOSE = "请选择"

FIELDS = {
    "name": "姓名",
    "telegram_id": "Telegram 账号",
    "wecom_id": "企业微信账号",
    "host_unit": "挂职单位",
    "position": "挂任职务",
    "sending_unit": "派出单位",
    "start": "开始日期",
    "end": "结束日期",
    "batch": "批次",
    "timezone": "时区",
}
FORM_HINT = "Telegram 账号和企业微信账号至少填一个；不知道账号的，请发邀请码。"
EDIT_TITLE = "修改 {name}（编号 {id}）"
NEW_TITLE = "登记挂职干部"
SAVE = "保存"
CANCEL = "取消"
BAD_DATE = "{field}应为日期（YYYY-MM-DD）：{value}"
SAVED = "已保存。"

IMPORT_TITLE = "批量导入挂职干部名单"
IMPORT_HELP = (
    "下载模板，在 Excel 中每行填一名干部，保存后上传。有任何一行出错时整份名单都不导入，"
    "逐行列出问题，改好后重新上传即可（已登记的账号不会重复登记）。"
)
IMPORT_TEMPLATE = "下载名单模板（.xlsx）"
IMPORT_FILE = "名单文件"
IMPORT_SUBMIT = "上传并导入"
IMPORT_DONE = "已导入 {count} 名挂职干部。"
IMPORT_FAILED = "名单有 {count} 行有问题，整份名单都没有导入。请改好后重新上传："
IMPORT_ROW = "第 {row} 行：{problem}"
IMPORT_NO_FILE = "请选择一个 .xlsx 文件。"
IMPORT_UNREADABLE = "读不了这个文件：请用 Excel 另存为 .xlsx 后再上传。"
IMPORT_TOO_BIG = "文件太大，请不超过 2 MB。"
IMPORT_TOO_MANY = "一次最多导入 {limit} 行。"
IMPORT_EMPTY = "名单里没有干部。"
IMPORT_BAD_HEADER = "第一行应为表头：{header}"
IMPORT_DUPLICATE = "账号 {account} 与第 {other} 行重复。"
TEMPLATE_SHEET = "挂职干部名单"
TEMPLATE_HEADER = ("姓名", "Telegram账号", "企业微信账号", "派出单位", "挂职单位", "挂任职务", "开始日期", "结束日期", "批次")
TEMPLATE_EXAMPLE = ("王明", "51001", "wangming", "市审计局", "青山镇人民政府", "党委副书记", "2026-06-01", "2026-11-30", "第三批")
TEMPLATE_FILENAME = "挂职干部名单模板.xlsx"

INVITES_TITLE = "邀请码"
INVITES_HELP = (
    "把邀请码发给还没登记的干部或督导：在 Telegram 中扫描二维码（或打开链接），或在企业微信应用中发送“绑定 邀请码”。"
    "每个邀请码只能用一次。"
)
INVITE_ROLE = "角色"
INVITE_NAME = "姓名（可不填）"
INVITE_DAYS = "有效天数"
INVITE_CREATE = "生成邀请码"
INVITE_COLUMNS = ("邀请码", "角色", "姓名", "有效期至", "状态", "二维码 / 企业微信绑定", "操作")
INVITE_STATES = {"open": "可用", "used": "已使用", "expired": "已失效"}
INVITE_REVOKE = "作废"
INVITE_WECOM = "企业微信中发送：绑定 {code}"
INVITE_NO_LINK = "（未设置 TELEGRAM_BOT_USERNAME，没有 Telegram 链接）"
INVITE_NONE = "还没有邀请码。"
INVITE_CREATED = "已生成邀请码 {code}。"
INVITE_REVOKED = "邀请码 {code} 已作废。"
INVITE_NOT_OPEN = "邀请码 {code} 已使用或已失效，无需作废。"
INVITE_BAD_DAYS = "有效天数应为 1 到 90 之间的整数。"
INVITE_PRINT = "打印"

PROGRAMME_TITLE = "批次工作情况汇报"
PROGRAMME_HELP = (
    "按批次汇总全部在岗挂职干部的记录，生成“第N批挂职干部中期（期满）工作情况汇报”Word 文档："
    "基本情况、汇总数字和人均数、每人一条工作亮点、需要关注的问题。每个数字和名称都能在记录中找到依据，"
    "找不到的标【待核实】；审阅稿以批注列出每段的依据记录。"
)
PROGRAMME_BATCH = "批次"
PROGRAMME_KIND = "类型"
PROGRAMME_END = "统计截止日期（可不填）"
PROGRAMME_UNIT = "落款单位（可不填）"
PROGRAMME_REVIEW = "审阅稿（附依据批注）"
PROGRAMME_SUBMIT = "生成并下载 Word"
PROGRAMME_NO_BATCHES = "还没有批次：登记或修改挂职干部时填写“批次”。"
PROGRAMME_BATCH_LINE = "{batch}（在岗 {count} 人）"
PROGRAMME_KINDS = ("中期", "期满")

OPERATIONS_TITLE = "运行情况"
HOLIDAYS = "节假日安排"
HOLIDAYS_HELP = "每行一天：2027-01-01,休,元旦 或 2027-02-06,班,春节调休。导入的年份会替换该年以前导入的安排。"
HOLIDAYS_FILE = "节假日文件（UTF-8 文本）"
HOLIDAYS_SUBMIT = "导入"
HOLIDAYS_UNREADABLE = "读不了这个文件：请保存为 UTF-8 文本。"
CHANNELS = "各渠道状况"
CHANNEL_COLUMNS = ("渠道", "最近一次送达", "近 7 天送达", "近 7 天失败", "近 7 天错过", "已拉黑机器人的账号")
CHANNEL_LABELS = {"telegram": "Telegram", "wecom": "企业微信", "wecom_robot": "企业微信群机器人", "console": "终端"}
NEVER = "—"
DELIVERIES = "提醒投递记录"
DELIVERY_COLUMNS = ("应发时间", "类型", "渠道", "结果", "原因")
DELIVERY_FILTER = "结果"
DELIVERIES_NONE = "还没有投递记录。"
FILTER_APPLY = "筛选"
FILTER_ALL = "全部"
