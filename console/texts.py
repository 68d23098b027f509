"""Every user-facing string of the web console (simplified Chinese), and nothing else."""

from __future__ import annotations

from handlers.texts import DIGEST_CHART_STATES

TITLE = "挂职干部管理平台"
SUBTITLE = "组织部门工作台"

# navigation (console/app.py PAGES)
NAV_OVERVIEW = "总览"
NAV_AUDIT = "审计日志"

ROLE_LABELS = {"organisation": "组织部门", "supervisor": "帮带联系人"}

# sign-in
LOGIN_TITLE = "登录"
LOGIN_LOGIN = "账号"
LOGIN_PASSWORD = "密码"
LOGIN_SUBMIT = "登录"
LOGIN_FAILED = "账号或密码不正确。"
LOGIN_LOCKED = "连续 {limit} 次登录失败，该账号已锁定，请于 {until} 后再试。"
LOGIN_EXPIRED = "登录已过期，请重新登录。"
LOGIN_LOGGED_OUT = "已退出登录。"
LOGOUT = "退出"
SIGNED_IN_AS = "{name}（{role}）"

# errors
NOT_FOUND_TITLE = "页面不存在"
NOT_FOUND = "没有找到这个页面，或您无权查看。"
FORBIDDEN_TITLE = "无法完成操作"
CSRF_FAILED = "表单已失效或来源不明（缺少校验码），操作未执行。请返回后刷新页面再提交。"
BACK = "返回"

# 总览
OVERVIEW_TITLE = "总览"
OVERVIEW_AS_OF = "统计截至 {date}（不含当日）；在岗工作日按国家法定节假日和调休计算，扣除请假。"
FILTER_BATCH = "批次"
FILTER_HOST = "挂职单位"
FILTER_SENDING = "派出单位"
FILTER_FLAGGED = "只看有提醒的"
FILTER_ALL = "全部"
FILTER_APPLY = "筛选"
FILTER_RESET = "清除"
EXPORT_XLSX = "导出 Excel"
NO_CADRES = "没有符合条件的干部。"
PAGE_INFO = "共 {total} 人，第 {page}/{pages} 页"
AUDIT_PAGE_INFO = "共 {total} 条，第 {page}/{pages} 页"
PREV_PAGE = "上一页"
NEXT_PAGE = "下一页"
CHART_TITLE = "各批次每周记录工作日占比"
CHART_EMPTY = "暂无可绘制的数据。"
CHART_NOTE = "每周已记录的工作日 ÷ 在岗工作日（扣除请假）"
NO_BATCH = "未分批次"

# columns of the 总览 (also the header of its xlsx export)
COLUMNS = {
    "name": "姓名",
    "sending_unit": "派出单位",
    "host_unit": "挂职单位",
    "position": "挂职职务",
    "batch": "批次",
    "period": "挂职期间",
    "workdays": "在岗工作日",
    "logged": "已记录工作日",
    "share": "记录占比",
    "last_entry": "最近记录",
    "longest_gap": "最长空档（工作日）",
    "visits": "走访",
    "study": "学习（实/应）",
    "leave": "请假",
    "mid_report": "中期小结",
    "final_report": "期满总结",
    "promises": "承诺（未办/逾期）",
    "flags": "提醒",
}
SORTABLE = ("name", "batch", "workdays", "logged", "share", "last_entry", "longest_gap", "visits", "study")
PERIOD = "{start} 至 {end}"
UNKNOWN = "—"
NEVER = "无"
REPORT_STATE = {
    "done": "已生成",
    "overdue": "逾期未生成",
    "pending": "未到期",
    "due": "待生成",
    "none": "—",
}
REPORT_DUE = "（{date}）"
LEAVE_OPEN = "请假中（{start} 至 {end}）"
LEAVE_NOT_BACK = "未销假（{start} 至 {end}）"
LEAVE_DAYS = "{days} 天"
FLAG_LABELS = {
    "not_back": "请假期满未销假",
    "silent": "连续 {days} 个工作日无记录",
    "report_overdue": "报告逾期",
    "no_entries": "本期无记录",
}
XLSX_TITLE = "挂职干部工作情况总览"
XLSX_SHEET = "总览"
XLSX_NOTE = "导出人：{name}　导出时间：{time}　统计截至 {date}"

# a cadre's page
CADRE_PROFILE = "基本情况"
CADRE_FIELDS = {
    "sending_unit": "派出单位",
    "host_unit": "挂职单位",
    "position": "挂职职务",
    "batch": "批次",
    "period": "挂职期间",
    "timezone": "时区",
    "supervisors": "帮带联系人",
    "status": "状态",
}
CADRE_ACTIVE = "在岗"
CADRE_INACTIVE = "已停用"
CADRE_FIGURES = "挂职以来"
ENTRIES_TITLE = "工作记录"
ENTRIES_SEARCH = "搜索内容"
ENTRIES_KIND = "类型"
ENTRIES_CATEGORY = "分类"
ENTRIES_FROM = "从"
ENTRIES_TO = "到"
ENTRIES_NONE = "没有符合条件的记录。"
ENTRIES_COUNT = "共 {count} 条"
ENTRIES_MORE = "只显示最新的 {shown} 条，请缩小范围。"
ENTRY_COLUMNS = ("编号", "日期", "类型", "分类", "内容")
KIND_LABELS = {"log": "工作日志", "visit": "走访记录", "study": "学习记录", "leave": "请假", "back": "销假"}
PLAN_MARK = "计划"
VILLAGES_TITLE = "村（社区）走访情况"
VILLAGES_VISITED = "已走访"
VILLAGES_UNVISITED = "尚未走访"
VILLAGES_NONE = "尚未导入该干部挂职地的村（社区）名单。"
PROMISES_TITLE = "走访承诺"
PROMISE_COLUMNS = ("记录", "承诺事项", "期限", "办理情况")
PROMISE_STATE = {"done": "已办结", "overdue": "已逾期", "open": "办理中", "postponed": "已推迟"}
PROMISES_NONE = "暂无走访承诺。"
COMMENTS_TITLE = "帮带联系人点评"
COMMENTS_NONE = "暂无点评。"
REPORTS_TITLE = "报告草稿"
REPORT_KINDS = {"中期": "中期小结", "期满": "期满总结"}
REPORT_PREVIEW = "预览"
REPORT_SUBMISSION = "Word（报送稿）"
REPORT_REVIEW = "Word（审阅稿·附依据）"
LEDGERS_XLSX = "台账 Excel"
REPORT_UNAVAILABLE = "无法生成：{reason}"
REPORT_PREVIEW_TITLE = "{name} · {kind}草稿预览"
REPORT_UNVERIFIED = "其中 {count} 处标注【待核实】，请对照记录核实。"
HEATMAP_TITLE = "近 {weeks} 周记录情况"
# the day states are the digest picture's (one wording for both heat maps), and two only the console shows
HEATMAP_LEGEND = {
    **DIGEST_CHART_STATES,
    "outside": "不在挂职期内",
    "future": "今天及以后",
}
HEATMAP_SCALE = "颜色越深记录越多（1、2、3、4 条及以上）"

# the audit page
AUDIT_TITLE = "审计日志"
AUDIT_COLUMNS = ("时间", "账号", "操作", "对象", "说明")
AUDIT_ACTIONS = {
    "view": "查看",
    "export": "导出",
    "change": "修改",
    "login": "登录",
    "logout": "退出",
    "login-failed": "登录失败",
    "locked": "账号锁定",
}
AUDIT_FILTER_LOGIN = "账号"
AUDIT_FILTER_ACTION = "操作"
AUDIT_NONE = "暂无记录。"

WEB_HINT = "管理平台：{url}（首个账号：python bot.py admin add-user --login … --name … --role organisation）"
FLAG_SEPARATOR = "；"
HEATMAP_WEEKDAYS = ("一", "三", "五", "日")  # labels of rows 0, 2, 4, 6 (Monday on top)
REPORT_WORDS = {"mid": "中期", "final": "期满"}  # the words handlers/reports.py parse_request takes
REPORT_PAGE_KINDS = {"mid": "中期小结", "final": "期满总结"}
ENTRY_ROLE_MARKS = {
    "plan": "计划",
    "summary": "小结",
    "reflections": "体会",
    "shortcomings": "不足",
    "next_steps": "下一步",
}
CHINESE_NUMERALS = "一二三四五六七八九十"  # section numbers of a draft, as reporting/ numbers them


def date_text(day: object) -> str:
    """2026-09-01 -> 2026年9月1日, as the draft's 成文日期."""
    from reporting.model import date_text as written  # the one rendering of a date in a report

    return written(day)  # type: ignore[arg-type]
HEATMAP_MONTH = "{month}月"
