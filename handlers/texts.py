"""Every user-facing Chinese string of cadrelog, in one place for review."""

from __future__ import annotations

from analysis import lexicon

# The taxonomy's names are shared with the reports (analysis/lexicon.py keeps them).
KIND_LABELS = lexicon.KIND_LABELS
CATEGORY_LABELS = lexicon.CATEGORY_LABELS
UNCATEGORISED = "未分类"
WEEKDAYS = "一二三四五六日"
ROLE_LABELS = {"cadre": "挂职干部", "supervisor": "督导"}

# -- joining ----------------------------------------------------------------------------------------
JOIN_HINT = "您好，这里是挂职工作助手。您还没有登记，暂时不能记录。\n请向组织部门索取邀请码，然后发送：/start 邀请码"
ACCOUNT_REMOVED = "您的账号已停用，记录已封存。如有疑问，请联系组织部门。"
GROUP_REFUSED = "工作记录属于个人信息，请在与我的私聊中记录。"
INVITE_INVALID = "邀请码无效，请核对后重新发送：/start 邀请码"
INVITE_USED = "这个邀请码已经用过了。如需重新登记，请向组织部门索取新的邀请码。"
INVITE_EXPIRED = "这个邀请码已过期，请向组织部门索取新的邀请码。"
ALREADY_REGISTERED = "{name}，您已登记，无需再次使用邀请码。直接发一句话就能记录今天的工作。"
WELCOME_BACK = "{name}，欢迎回来。直接发一句话就能记录今天的工作，发 /help 查看全部用法。"
WELCOME_CADRE = "{name}，欢迎使用挂职工作助手！还差几项挂职信息，请逐项回答（可随时发命令，稍后再答）。"
WELCOME_SUPERVISOR = "{name}，欢迎！您已登记为督导。干部的记录汇总将按周推送给您。"
ASK_NAME = "请问您的姓名？"
ASK_FIELD = {
    "host_unit": "您的挂职单位是？（例如：青山镇人民政府）",
    "position": "您挂任的职务是？（例如：党委副书记）",
    "sending_unit": "您的派出单位是？（例如：市审计局；不便填写可回复“跳过”）",
    "start_date": "挂职开始日期？（例如：2026-06-01）",
    "end_date": "挂职结束日期？（例如：2026-11-30）",
}
SKIP_WORDS = ("跳过", "略过", "无")
ANSWER_TOO_LONG = "太长了，请控制在 {limit} 个字以内。"
ANSWER_EMPTY = "没有收到内容，请再回答一次。"
ANSWER_BAD_DATE = "没看懂这个日期，请按 2026-06-01 的格式回答。"
ANSWER_END_BEFORE_START = "结束日期不能早于开始日期（{start}），请重新回答。"
PROFILE_DONE = (
    "挂职信息已齐全：{host_unit} {position}，{start} 至 {end}。\n"
    "现在就可以记录了：直接发一句今天做了什么，例如“上午走访东坪村3户困难户”。"
)

# -- help -------------------------------------------------------------------------------------------
HELP_HEADER = "挂职工作助手 · 用法\n直接发一句话即记录今天的工作，我会自动判断类型、日期和分类。"
HELP_SUPERVISOR_HEADER = "挂职工作助手 · 督导用法\n每周一上午推送您名下干部的周报（附近四周记录热力图），也可随时查看。"
HELP_PREFIXES = "也可用前缀指定类型：日志 / 走访 / 学习 / 请假 / 销假，例如“走访：东坪村李某某家…”。"
HELP_ATTACH = "照片、文件、语音、位置在几分钟内紧跟文字发送，会附在同一条记录上。"
HELP_COMMAND = "/{name} {usage}— {summary}"
COMMAND_HELP = {
    "start": ("邀请码", "用邀请码登记"),
    "help": ("", "显示本帮助"),
    "log": ("内容", "记一条工作日志"),
    "visit": ("内容", "记一条走访记录"),
    "study": ("内容", "记一条学习记录"),
    "leave": ("内容", "请假，如：/leave 明天请假1天回原单位"),
    "back": ("", "销假返岗"),
    "today": ("", "查看今天的记录"),
    "week": ("", "本周记录和分类统计"),
    "history": ("上周|本月|7月|开始日期 结束日期", "查看一段时间的记录"),
    "search": ("关键词", "搜索自己的记录"),
    "edit": ("编号 新内容", "修改一条记录（原文保留）"),
    "delete": ("编号", "删除一条记录（需确认）"),
    "star": ("编号", "标为重点，报告优先写入（再发取消）"),
    "exclude": ("编号", "不写入报告（再发恢复）"),
    "report": ("[中期|期满|月度|周]", "生成报告草稿（Word）"),
    "export": ("docx|md|xlsx", "导出报告草稿或台账"),
    "remind": ("时间 内容", "设提醒，如：/remind 明天 15:00 回电话"),
    "reminders": ("", "提醒设置和我的提醒"),
    "cancel": ("编号", "取消一条提醒"),
    "pause": ("3天", "暂停自动提醒几天（/pause 关 恢复）"),
    "quiet": ("22:00-08:00", "设免打扰时段（/quiet 关 取消）"),
    "digest": ("", "督导：查看干部周报"),
    "cadres": ("", "督导：我名下的干部"),
    "cadre": ("姓名", "督导：某位干部本周的记录，可点评"),
    "comment": ("姓名 编号 内容", "督导：点评干部的一条记录"),
    "timezone": ("时区", "设置时区，默认 Asia/Shanghai"),
}
MENU_DESCRIPTIONS = {name: summary for name, (_, summary) in COMMAND_HELP.items()}

# -- capture ----------------------------------------------------------------------------------------
ACK = "✅ 已记 #{seq}|{kind}|{date}|{categories}"
ACK_LONG_NOTE = "（长文已完整保存）"
ACK_INVALID_DATE_NOTE = "（“{phrase}”不是有效日期，已按{date}记录）"
ACK_ATTACHED = "（已附 {count} 个附件）"
ACK_LEAVE = "✅ 已记 #{seq}|请假 {start} 至 {end}{reason}"
ACK_BACK = "✅ 已记 #{seq}|销假返岗（{date}）。欢迎回岗！"
ACK_BACK_NO_LEAVE = "✅ 已记 #{seq}|销假（{date}）。没有找到未销的请假记录。"
OTHER_BOT_COMMAND = "这条命令是发给 @{bot} 的，本助手没有处理。"
EDITED_COMMAND = "修改过的命令不会再执行一次；如需要，请重新发送这条命令。"
ACK_EDIT_UNKNOWN_NOTE = "（改的这条消息原先没有记录，已作为新的一条记下）"
BACK_AGAIN = "没有未销的请假：#{seq} 已于 {date} 销假，之后没有新的请假，这次不再记录。"
ACK_EDITED = "✏️ 已更新 #{seq}|{kind}|{date}|{categories}（原文已保留）"
SUPERVISOR_NO_CAPTURE = "您是督导账号，工作记录由挂职干部本人填写。发 /help 查看可用命令。"
EMPTY_TEXT = "没有收到内容。直接发一句今天做了什么即可，例如“上午列席镇党委会”。"
NO_WORDS = "没看懂这条消息，请用文字描述做了什么，例如“下午走访东坪村3户”。"
TOO_LONG = "内容太长（超过 {limit} 字），请分几条发送。"
USAGE_KIND = "请在命令后写上内容，例如：/{name} {example}"
KIND_EXAMPLES = {
    "log": "上午列席镇党委会",
    "visit": "走访东坪村李某某家，反映村道难走",
    "study": "学习《信访条例》，记了两页笔记",
    "leave": "明天请假1天回原单位办手续",
}
DATE_FUTURE_Q = "⚠️ #{seq} 写的日期 {date} 还没到。工作记录只记已做的事，要改为今天（{today}）记录吗？"
DATE_BEFORE_POSTING_Q = "⚠️ #{seq} 的日期 {date} 早于挂职开始日期 {start}。确认按这个日期记录吗？"
BTN_KEEP_DATE = "按 {date} 记"
BTN_USE_TODAY = "改为今天"
DATE_CONFIRMED = "已确认。"

ATTACHMENT_NAMES = {"photo": "照片", "document": "文件", "voice": "语音", "video": "视频", "location": "位置"}
ATTACHED_TO = "📎 已把{what}附到 #{seq}。"
LOCATION_ATTACHED = "📍 已把位置记为 #{seq} 的地点。"
ATTACHMENT_WAITING = "📎 已收到{what}。请再发一句说明做了什么，我会把它附在那条记录上。"
VOICE_HEARD = "🎙️ 听到：{text}（如有听错，发 /edit {seq} 正确内容 改正）"
VOICE_HEARD_CHARS = 600  # of the transcript shown in the reply (the entry keeps it whole)
VOICE_UNHEARD = {  # one line under the reply of a voice note kept as an attachment only, by reason
    "unset": "🎙️ 未开启语音转文字。",
    "too_long": "🎙️ 语音太长，未转文字；可分段发送。",
    "too_big": "🎙️ 语音文件太大，未转文字。",
    "download_failed": "🎙️ 语音没能取回，未转文字。",
    "failed": "🎙️ 语音识别暂不可用，未转文字。",
    "empty": "🎙️ 没听清这段语音，未转文字。",
    "garbled": "🎙️ 语音识别结果异常，未采用。",
}

# -- buttons on an entry ----------------------------------------------------------------------------
BTN_CATEGORY = "改分类"
BTN_KIND = "改类型"
BTN_UNDO = "撤销"
BTN_STAR = "★"
STARRED = "★ #{seq} 已标为重点，生成报告时优先写入。"
UNSTARRED = "#{seq} 已取消重点。"
EXCLUDED = "#{seq} 已设为不写入报告（记录仍保留）。"
INCLUDED = "#{seq} 已恢复写入报告。"
STAR_USAGE = "用法：/star 编号，例如 /star 12（再发一次取消）"
EXCLUDE_USAGE = "用法：/exclude 编号，例如 /exclude 12（再发一次恢复）"
BTN_RESTORE = "恢复"
BTN_CONFIRM_DELETE = "确认删除"
BTN_CANCEL = "取消"
PICK_CATEGORY = "#{seq} 改为哪个分类？"
PICK_KIND = "#{seq} 改为哪种类型？"
CATEGORY_SET = "已改 #{seq} 分类为：{category}"
KIND_SET = "已改 #{seq} 类型为：{kind}"
UNDONE = "↩️ 已撤销 #{seq}。"
RESTORED = "已恢复 #{seq}。"
STALE_BUTTON = "这个按钮已失效，请重新操作。"
ENTRY_GONE = "#{seq} 已不存在或已删除。"

# -- looking back -----------------------------------------------------------------------------------
DATE_LABEL = "{month}月{day}日"
DATE_WITH_YEAR = "{year}年{label}"
HISTORY_DAY = "【{date} 周{weekday}】"
NAME_FALLBACK = "您好"
DATE_TODAY_LABEL = "{month}月{day}日（今天）"
TODAY_EMPTY = "今天（{date}）还没有记录。直接发一句话就能记下。"
TODAY_HEADER = "今天（{date} 周{weekday}）共 {count} 条："
ENTRY_LINE = "#{seq} [{kind}·{categories}] {text}"
WEEK_EMPTY = "本周（{start} 至 {end}）还没有记录。"
WEEK_HEADER = "本周（{start} 至 {end}）共 {count} 条，有记录 {days} 天："
WEEK_DAY = "周{weekday} {date}：{count} 条 {snippets}"
WEEK_DAY_MORE = "等{count}条"
LIST_SEPARATOR = "；"
WEEK_DAY_NONE = "周{weekday} {date}：—"
WEEK_CATEGORIES = "分类：{items}"
WEEK_KINDS = "类型：{items}"
HISTORY_USAGE = (
    "用法：/history 时段，例如 /history 上周、/history 本月、/history 7月，"
    "或 /history 开始日期 结束日期，例如 /history 2026-06-01 2026-06-30"
)
HISTORY_BAD_DATE = "没看懂日期“{text}”，请按 2026-06-01 的格式写。"
HISTORY_REVERSED = "结束日期 {end} 早于开始日期 {start}，请调换后再试。"
HISTORY_TOO_LONG = "一次最多查 366 天，请缩小范围。"
HISTORY_EMPTY = "{start} 至 {end} 没有记录。"
HISTORY_HEADER = "{start} 至 {end} 共 {count} 条："
HISTORY_TRUNCATED = "……仅显示前 {shown} 条，请缩小日期范围查看其余。"
SEARCH_USAGE = "用法：/search 关键词，例如 /search 石桥村"
SEARCH_TOO_MANY = "关键词太多或太长，请少于 5 个、每个不超过 30 字。"
SEARCH_EMPTY = "没有找到含“{query}”的记录。"
SEARCH_HEADER = "含“{query}”的记录共 {count} 条{more}："
SEARCH_MORE = "，显示最近 {shown} 条"
EDIT_USAGE = "用法：/edit 编号 新内容，例如 /edit 12 上午列席镇党委会"
DELETE_USAGE = "用法：/delete 编号，例如 /delete 12"
BAD_NUMBER = "“{text}”不是记录编号，编号是 #后面的数字。"
NOT_FOUND = "找不到编号为 {seq} 的记录。发 /today 或 /week 可以看到编号。"
EDIT_SAME = "#{seq} 内容没有变化。"
EDIT_FUTURE = "新内容里的日期 {date} 还没到，未修改。"
EDIT_BEFORE_POSTING = "新内容里的日期 {date} 早于挂职开始日期 {start}，未修改。"
DELETE_CONFIRM = "确认删除 #{seq} 吗？\n“{text}”"
DELETED = "🗑 已删除 #{seq}。"
DELETE_CANCELLED = "已取消，#{seq} 保留。"
TIMEZONE_CURRENT = "当前时区：{tz}。修改请发 /timezone 时区名，例如 /timezone Asia/Urumqi"
TIMEZONE_SET = "时区已改为 {tz}。"
TIMEZONE_BAD = "没有“{tz}”这个时区，请用 Asia/Shanghai 这样的写法。"

# -- general ----------------------------------------------------------------------------------------
UNKNOWN_COMMAND = "没有 /{name} 这个命令。发 /help 查看全部用法。"
CADRE_ONLY = "这个命令供挂职干部使用。"
INTERNAL_ERROR = "抱歉，系统出错，这条没有处理成功，请稍后再发一次。"
TRUNCATED = "……"

# -- command-line admin -----------------------------------------------------------------------------
ADMIN_CADRE_ADDED = "已登记挂职干部 {name}（编号 {id}）：{host_unit} {position}，{start} 至 {end}"
ADMIN_SUPERVISOR_ADDED = "已登记督导 {name}（编号 {id}），联系干部：{cadres}"
ADMIN_INVITE = (
    "邀请码：{code}（角色：{role}，{expires} 前有效，仅可使用一次）\n使用方法：在机器人对话中发送 /start {code}{link}"
)
ADMIN_INVITE_LINK = "\nTelegram 链接：https://t.me/{bot}?start={code}"
ADMIN_REMOVED = "已停用 {name}（编号 {id}），其记录保留。"
ADMIN_DUPLICATE_ID = "{channel} 账号 {external_id} 已被登记，不能重复登记。"
ADMIN_NO_SUCH_CADRE = "找不到账号（Telegram 或企业微信）为 {external_id} 的挂职干部。"
ADMIN_LINKED = "已将 Telegram 账号 {telegram_id} 与企业微信账号 {wecom_id} 合并为同一人：{name}（编号 {id}）。"
ADMIN_LINK_ALREADY = "这两个账号已属于同一人：{name}（编号 {id}）。"
ADMIN_LINK_NOBODY = "Telegram 账号 {telegram_id} 和企业微信账号 {wecom_id} 都还没有登记，请先登记其中一个。"
ADMIN_LINK_BOTH_HAVE_RECORDS = "{a} 和 {b} 两个账号都已有工作记录，不能自动合并。请保留一个账号，另一个停用后再关联。"
ADMIN_WECOM_MENU_SET = "企业微信应用菜单已更新：{names}"
ADMIN_WECOM_NOT_CONFIGURED = (
    "没有配置企业微信（WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN、WECOM_AES_KEY）。"
)
ADMIN_WECOM_FAILED = "企业微信接口返回错误：{error}"
ADMIN_NO_SUCH_PERSON = "找不到账号为 {external_id} 的人员。"
ADMIN_BAD_DATES = "结束日期 {end} 早于开始日期 {start}。"
ADMIN_BAD_NAME = "姓名不能为空，且不超过 {limit} 个字。"
ADMIN_LIST_EMPTY = "还没有登记任何人员。"
ADMIN_LIST_PERSON = "{id:>4}  {name}  {role}{status}  {ids}"
ADMIN_LIST_POSTING = "      {host_unit} {position} · 派出：{sending_unit} · {start} 至 {end}{batch}"
ADMIN_LIST_BATCH = " · {batch}"
ADMIN_LIST_SUPERVISES = "      联系干部：{cadres}"
ADMIN_LIST_REMOVED = "（已停用）"
ADMIN_UNKNOWN = "未填"

# -- console ----------------------------------------------------------------------------------------
CONSOLE_HINT = (
    "cadrelog 控制台 · 以“{name}”身份聊天（记录保存在 {database}）\n"
    "直接输入今天做了什么即可记录，例如：上午走访东坪村3户困难户\n"
    "/today 查看今天的记录 · /help 全部用法 · 按钮输入序号 · Ctrl-D 退出"
)
CONSOLE_HINT_SUPERVISOR = (
    "cadrelog 控制台 · 以督导“{name}”身份使用（记录保存在 {database}）\n"
    "/digest 本周周报 · /cadres 所联系的干部 · /cadre 姓名 查看并点评 · /help 全部用法 · 按钮输入序号 · Ctrl-D 退出"
)
CONSOLE_DEMO_NAME = "演示用户"
CONSOLE_DEMO_HOST = "演示镇人民政府"
CONSOLE_DEMO_POSITION = "党委副书记（挂职）"
CONSOLE_DEMO_SENDING = "市直机关"
CONSOLE_BUTTONS = "  按钮：{choices}"
CONSOLE_BAD_CHOICE = "没有这个序号的按钮。"

# -- reports ----------------------------------------------------------------------------------------
REPORT_KIND_WORDS = {
    "中期": "mid",
    "期满": "final",
    "总结": "final",
    "月度": "month",
    "月报": "month",
    "周": "week",
    "周报": "week",
}
REPORT_USAGE = (
    "用法：/report [中期|期满|月度 [2026-07]|周] [开始日期 结束日期] [依据]，例如 /report 中期；"
    "加“依据”得审阅稿（每段的依据记录以批注列出）"
)
REPORT_REVIEW_WORDS = ("依据", "审阅稿")  # anywhere in /report or /export arguments: the review copy
REPORT_BAD_MONTH = "没看懂月份“{text}”，请按 2026-07 的格式写。"
REPORT_NO_POSTING = "还没有挂职起止日期，无法确定报告期间。请联系组织部门补登。"
REPORT_REVERSED = "结束日期 {end} 早于开始日期 {start}，请调换后再试。"
REPORT_OUTSIDE = "{start} 至 {end} 不在挂职期间（{posting_start} 至 {posting_end}）内。"
REPORT_EMPTY = "{start} 至 {end} 还没有工作记录，暂不能生成{title}。先记几条，再来生成。"
REPORT_PREVIEW_HEADER = "📄 {title}（{start} 至 {end}，依据 {count} 条记录）"
REPORT_PREVIEW_HEADER_NAMED = "📄 {title}（依据 {count} 条记录）"
REPORT_PREVIEW_SECTION = "{number}、{heading}"
REPORT_PREVIEW_SUB = "  （{number}）{heading}"
REPORT_PREVIEW_FOOTER = "完整草稿见附件 Word 文档，可直接修改。"
REPORT_PREVIEW_UNVERIFIED = "⚠️ 有 {n} 句在记录中找不到依据，已标【待核实】，请核对后修改或删去。"
REPORT_PREVIEW_PLANS = "另有 {n} 条是计划（{seqs}），未算作已做的工作；做完后再记一条即可计入。"
REPORT_PREVIEW_PLANS_MORE = "等"
REPORT_PREVIEW_DROPPED = "有 {n} 句与记录对不上，已从草稿中删去。"
REPORT_PREVIEW_REVIEW_HINT = "命令后加“依据”（如 /report 中期 依据）可得审阅稿：每段写自哪几条记录，以批注列出。"
REPORT_PREVIEW_REVIEW_FOOTER = "附件为审阅稿：每段的依据记录以批注列出，【待核实】处标黄。核对无误后，去掉“依据”再发一次，取提交稿。"
REPORT_REVIEW_TITLE = "{title}（审阅稿·附依据）"
# the on-premises model's polish (handlers/polish.py)
POLISH_PROGRESS = "✍️ 草稿已附上，可先用；正在请本地模型润色文字，最长约{seconds}秒，润色稿随后发来。"
POLISH_DONE = "✍️ 润色稿：本地模型改写了 {written} 段，每段的数字和名称都已与记录核对；另有 {replaced} 段未通过核对，保留原稿。"
POLISH_PARTIAL = "有 {n} 节模型没有按时写完，保留原稿。"
POLISH_FOOTER = "润色稿见附件；加“依据”的审阅稿会在批注里标出模型写的段落和它引用的记录。"
POLISH_FAILED = "本地模型这次没有响应，请以上面的草稿为准。"
POLISH_FAILED_TIMEOUT = "本地模型没有在时限内写完，请以上面的草稿为准。"
POLISH_FAILED_CHECK = "本地模型写的段落没有通过与记录的核对，请以上面的草稿为准。"
POLISH_TITLE = "{title}（润色稿）"
# The label an answer is stored under: the compiler finds the cadre's own words by it (analysis.roles.entry_role).
REPORT_ANSWER_LABELS = {"reflections": "体会", "shortcomings": "不足", "next_steps": "下一步"}
REPORT_OWN_QUESTIONS = {
    "reflections": "挂职以来，您最深的两三点体会是什么？",
    "shortcomings": "您觉得自己还有哪些不足？",
    "next_steps": "下一阶段您打算重点做哪几件事？",
}
REPORT_QUESTION = "（还有 {number} 问，回复“跳过”可略过）{question}"
REPORT_COMPLETED = "已按您的回答补进草稿，更新后的 Word 文档见附件。"
REPORT_QUESTIONS_HEADER = "还有几处只有您能写，草稿里标了【待补充】："
REPORT_FILENAME = "{name}-{title}-{date}.{ext}"
EXPORT_USAGE = "用法：/export docx|md|xlsx [开始日期 结束日期] [依据]，例如 /export xlsx；docx 或 md 加“依据”得审阅稿"
EXPORT_DONE = "📎 已导出：{filename}"
REPORT_CLI_WRITTEN = "已写入 {path}"
CONSOLE_DOCUMENT_SAVED = "📎 文件已保存：{path}"

# -- working calendar (admin) -----------------------------------------------------------------------
ADMIN_HOLIDAYS_IMPORTED = "已导入 {year} 年节假日安排：休 {off} 天，调休上班 {on} 天。"
ADMIN_HOLIDAYS_BAD_LINE = "节假日文件第 {number} 行看不懂：{line}（格式：2027-01-01，休，元旦）"
ADMIN_HOLIDAYS_EMPTY = "节假日文件里没有日期。"
ADMIN_HOLIDAYS_UNREADABLE = "读不了文件 {path}：{error}"
ADMIN_CALENDAR_YEAR = "{year} 年：{state}"
ADMIN_CALENDAR_STATES = {
    "library": "国务院安排已内置",
    "imported": "已导入节假日文件",
    "missing": "缺少节假日安排，暂按周末计算",
}
CALENDAR_MISSING_WARNING = (
    "{year} 年的节假日安排还没有，提醒将暂按周末计算。请用 python bot.py admin holidays import 文件 导入。"
)

# -- reminders --------------------------------------------------------------------------------------
REMIND_USAGE = "用法：/remind 时间 内容，例如 /remind 明天 15:00 给石桥村回电话、/remind 每周一 9:00 参加例会、/remind 30分钟后 喝水"
REMIND_IMPOSSIBLE = "这个时间不存在，请检查日期和钟点（如 2月30日、25:00）。"
REMIND_PAST = "这个时间已经过去了，请设一个以后的时间。"
REMIND_MISSING_TEXT = "请写上要提醒什么，例如 /remind 明天 15:00 给石桥村回电话"
REMIND_TOO_MANY = "您已有 {limit} 条提醒，先用 /reminders 查看、/cancel 编号 取消一些再设。"
REMIND_SET = "⏰ 已设提醒 #{seq}：{when} {text}"
REMINDER_LINE = "#{seq} {when} {text}"
REMINDER_ONCE = "{month}月{day}日 {clock}"
REMINDER_REPEATS = {"daily": "每天 {clock}", "workdays": "每个工作日 {clock}", "weekly": "每周{weekday} {clock}"}
CANCEL_USAGE = "用法：/cancel 编号，例如 /cancel 3（编号见 /reminders）"
REMINDER_NOT_FOUND = "找不到编号为 {seq} 的提醒。发 /reminders 可以看到编号。"
REMINDER_CANCELLED = "已取消提醒 #{seq}。"
REMINDER_MESSAGE = "⏰ 提醒：{text}"
NUDGE_EVENING = "今天还没有记录工作。一句话就行，比如“上午走访东坪村3户困难户”。"
NUDGE_MORNING = "{date}还没有工作记录，要补录吗？直接发“昨天……”或“{date}……”即可。"
ADMIN_DELIVERIES_EMPTY = "还没有任何提醒投递记录。"
ADMIN_DELIVERIES_TOTALS = "合计：{totals}"
ADMIN_DELIVERY_LINE = "{due}  {kind:<10} {channel:<9} {outcome_label}  {key}{detail}"
ADMIN_DELIVERY_DETAIL = "（{detail}）"

# -- the command line's own words (argparse's, in Chinese) and its checks ------------------------------
CLI_USAGE = "用法："
CLI_HELP = "显示帮助并退出"
CLI_POSITIONALS = "位置参数"
CLI_OPTIONS = "选项"
CLI_ERROR = "{prog}：错误：{message}"
CLI_ARGPARSE_MESSAGES = {
    "required": "缺少必填参数：{0}",
    "unrecognized": "无法识别的参数：{0}",
    "choice": "参数 {0}：无效的选项 {1}（可选：{2}）",
    "value": "参数 {0}：无效的值 {1}",
    "one": "参数 {0}：需要一个值",
    "count": "参数 {0}：值的个数不对",
    "ignored": "参数 {0}：不接受值 {1}",
    "together": "参数 {0} 不能与 {1} 同时使用",
    "ambiguous": "参数 {0} 有歧义，可能是：{1}",
    "one_of": "以下参数至少要给一个：{0}",
    "argument": "参数 {0}：{1}",
}
CLI_BAD_DATE = "日期格式应为 YYYY-MM-DD，年份在 1900 至 2100 之间：{value}"
CLI_BAD_TIMEZONE = "时区“{value}”不认识，请填写如 Asia/Shanghai、Asia/Urumqi 的时区名"
CLI_BAD_TELEGRAM_ID = "Telegram 账号“{value}”无效，应为数字（如 51001）"
CLI_BAD_WECOM_ID = "企业微信账号“{value}”无效，应为 1 至 64 个字母、数字或 _ - . @"
CLI_BAD_DAYS = "天数“{value}”无效，应大于 0、不超过 {limit}"
CLI_BAD_COUNT = "条数“{value}”无效，应为正整数"
DELIVERY_BAD_TIMEZONE = "时区“{zone}”无效，此人的自动提醒暂停；请用 admin edit-cadre --timezone 改正"
ADMIN_OUTCOMES = {
    "sent": "已发送",
    "missed": "已错过",
    "failed": "失败",
    "blocked": "被屏蔽",
    "pending": "发送中",
    "queued": "待发送",
    "skipped": "无需发送",
}
PROMISE_DUE = "⏰ 走访时的承诺今天到期：{promise}\n（#{seq} {date} {place}）"
BTN_PROMISE_DONE = "已办结"
BTN_PROMISE_LATER = "推迟三天"
PROMISE_DONE = "👍 已记为办结：{promise}"
PROMISE_POSTPONED = "已推迟到 {date}：{promise}"
STUDY_NUDGE = "本周还没有学习记录。学了什么、记了什么笔记，发一句就行，例如“学习《信访条例》，记了两页笔记”。"
MONTH_END = "今天是本月最后一个工作日：本月记录 {entries} 条（走访 {visits} 次、学习 {studies} 次）。发 /report 月度 可生成月报草稿。"
TERM_NOTICE = {
    "mid": "距挂职中期还有 {days} 天。发 /report 中期 可生成中期小结草稿。",
    "final": "距挂职期满还有 {days} 天。发 /report 期满 可生成工作总结草稿。",
}
LEAVE_LAST_DAY = "今天是请假的最后一天，返岗后请及时销假（发“销假”即可）。"
LEAVE_NOT_BACK = "{name} 的请假（{start} 至 {end}）已结束，尚未销假。"

# -- reminder settings ------------------------------------------------------------------------------
SWITCH_LABELS = {
    "nudge": "每日记录提醒（工作日 20:30）",
    "study": "学习提醒（周五 17:00）",
    "reflection": "心得体会提醒（每月）",
    "month-end": "月末小结（每月最后一个工作日）",
    "term": "中期、期满提醒",
    "leave": "销假提醒",
    "promise": "走访承诺到期提醒",
    "digest": "督导周报（每周一）",
}
SWITCH_SHORT = {
    "nudge": "每日记录",
    "study": "学习",
    "reflection": "心得体会",
    "month-end": "月末小结",
    "term": "中期期满",
    "leave": "销假",
    "promise": "走访承诺",
    "digest": "周报",
}
SETTINGS_HEADER = "提醒设置（点按钮开关）："
SETTING_LINE = "{mark} {label}"
SETTING_ON, SETTING_OFF = "✅", "⛔"
SETTING_STUDY_TARGET = "每周学习目标：{n} 次"
SETTING_QUIET = "免打扰：{quiet}"
SETTING_NO_QUIET = "免打扰：未设（发 /quiet 22:00-08:00 设置）"
SETTING_PAUSED = "⏸ 已暂停自动提醒，至 {until}（发 /pause 关 恢复）"
OWN_REMINDERS_HEADER = "自己设的提醒（共 {count} 条，/cancel 编号 取消）："
OWN_REMINDERS_NONE = "自己设的提醒：无（发 /remind 时间 内容 设置）"
BTN_SWITCH = "{mark}{label}"
BTN_STUDY_LESS = "学习目标 −1"
BTN_STUDY_MORE = "学习目标 +1"
SETTING_CHANGED = "已更新"
SETTING_BOTH = "📨 提醒同时发到 Telegram 和企业微信"
SETTING_ACTIVE_ONLY = "📨 提醒发到您最近使用的平台"
BTN_BOTH = "两个平台都发"
BTN_ACTIVE_ONLY = "只发最近使用的平台"
PAUSE_USAGE = "用法：/pause 3天（最多 60 天），/pause 关 恢复提醒。暂停期间自己设的提醒照常发送。"
PAUSE_SET = "⏸ 好的，{days} 天内不发自动提醒，{until} 恢复。自己设的提醒照常发送。"
PAUSE_OFF = "▶️ 已恢复自动提醒。"
QUIET_USAGE = "用法：/quiet 22:00-08:00（这段时间不发自动提醒），/quiet 关 取消免打扰。"
QUIET_SET = "🌙 免打扰时段已设为 {quiet}：这段时间不发自动提醒，自己设的提醒照常发送。"
QUIET_OFF = "已取消免打扰时段。"
BTN_LOG_NOW = "✍️ 现在记录"
LOG_NOW_PROMPT = "请直接发一句今天做了什么，例如“上午走访东坪村3户困难户，了解春耕备耕情况”。"
STUDY_NUDGE_TARGET = "本周学习记录 {done} 次，计划每周 {target} 次。学了什么、记了什么笔记，发一句就行，例如“学习《信访条例》，记了两页笔记”。"
REFLECTION_PROMPT = "本月还没有写心得体会。花几分钟写几句这个月的收获和体会吧，以“体会：”开头发给我，总结时会用上。"

# -- supervisors ------------------------------------------------------------------------------------
SUPERVISOR_ONLY = "这个命令供督导使用。"
NO_CADRES = "您名下还没有挂职干部。请联系管理员用 admin add-supervisor --cadre 关联。"
DIGEST_TITLE = "📋 挂职干部周报 {start}—{end}（共 {count} 人，需关注的排在前面）"
DIGEST_CADRE = "{mark} {name}{unit}"
DIGEST_UNIT = "（{unit}）"
DIGEST_FIGURES = "  记录 {logged}/{workdays} 个工作日 · {kinds}"
DIGEST_NO_ENTRIES = "无记录"
DIGEST_KIND = "{label} {count}"
DIGEST_LEAVE = " · 请假 {days} 天"
DIGEST_PLACES = "  走访：{places}"
DIGEST_LAST = "  最后记录：{date}"
DIGEST_LAST_NEVER = "  最后记录：尚无"
DIGEST_FLAGS = "  ⚠️ {flags}"
DIGEST_FLAG = {
    "silent": "已连续 {days} 个工作日无记录",
    "report_overdue": "总结未按时生成",
    "not_back": "请假（{start} 至 {end}）结束后未销假",
    "no_entries": "本期工作日无记录",
}
DIGEST_HIGHLIGHT = "  · #{seq} {date} {text}"
DIGEST_MARK_FLAGGED, DIGEST_MARK_OK = "🔴", "🟢"
DIGEST_FOOTER = "发 /cadre 姓名 查看某位干部的本周记录并点评。"
DIGEST_CHART_TITLE = "近四周每日工作记录（条）"
DIGEST_CHART_LEGEND = "绿色越深，当天记录越多（1、2、3、4条及以上）；白色为挂职期外或今天以后"
DIGEST_CHART_STATES = {"logged": "有记录", "missing": "工作日无记录", "weekend": "周末", "holiday": "节假日", "leave": "请假"}
CADRES_HEADER = "您名下的挂职干部（共 {count} 人）："
CADRES_LINE = "· {name}{unit}，{start} 至 {end}，本周记录 {logged}/{workdays} 天，最后记录 {last}"
CADRES_NEVER = "尚无"
CADRE_USAGE = "用法：/cadre 姓名，例如 /cadre 王明"
CADRE_NOT_YOURS = "您名下没有叫“{name}”的干部。发 /cadres 查看名单。"
CADRE_AMBIGUOUS = "您名下有 {count} 位叫“{name}”的干部，请加上单位，例如 /cadre {name} {unit}"
CADRE_WEEK_HEADER = "{name}{unit} · {start}—{end}"
CADRE_ENTRY = "#{seq} {date} [{kind}] {text}"
CADRE_NO_ENTRIES = "这段时间没有记录。"
CADRE_MORE = "（还有 {count} 条，从略）"
BTN_COMMENT = "💬 点评 #{seq}"
COMMENT_ASK = "请发送您对{name} #{seq} 的点评（一句话即可，回复“取消”放弃）：\n“{quote}”"
COMMENT_USAGE = "用法：/comment 姓名 编号 点评内容，例如 /comment 王明 12 走访记录很扎实，注意跟进回访。"
COMMENT_EMPTY = "点评内容是空的，请再发一次。"
COMMENT_TOO_LONG = "点评太长了，请控制在 {limit} 字以内。"
COMMENT_NO_ENTRY = "{name} 没有编号为 {seq} 的记录。"
COMMENT_SENT = "✅ 已将点评转给{name}（#{seq}）。"
COMMENT_CANCEL_WORDS = ("取消", "算了", "不点评了")
COMMENT_CANCELLED = "已放弃点评。"
COMMENT_TO_CADRE = "💬 {author}点评了您 {date} 的记录 #{seq}：\n“{quote}”\n点评：{text}"

# -- WeCom ------------------------------------------------------------------------------------------
WECOM_BUTTONS = "回复序号选择：{choices}"
BIND_WORDS = ("绑定", "綁定")
WECOM_MENU = {"cmd:log": "记日志", "cmd:week": "本周", "cmd:report": "生成总结", "cmd:help": "帮助"}

# -- leave spans, plans and what an entry is for (handlers/capture.py) -------------------------------
ACK_LEAVE_APPROVER = "|批准人 {approver}"
ACK_BACK_CANCELLED = "✅ 已记 #{seq}|销假：请假 #{leave} 已取消"
LEAVE_NOT_BEGUN_Q = (
    "⚠️ #{seq} 销假：请假 #{leave}（{start} 至 {end}）还没开始，现在销假就是不请这次假了。要取消这次请假吗？"
)
BTN_CANCEL_LEAVE = "取消这次请假"
BTN_KEEP_LEAVE = "不是销假，保留请假"
LEAVE_CANCELLED = "✅ 已取消请假 #{leave}（{start} 至 {end}），#{seq} 记为这次取消。"
LEAVE_CANCELLED_SHORT = "请假已取消。"
LEAVE_KEPT = "好的，请假 #{leave} 保留，#{seq} 不作销假记录。"
LEAVE_GONE = "请假 #{leave} 已撤销或已销假，没有可取消的请假；#{seq} 未记录。"
ACK_PLAN = "📅 已记为计划 #{seq}|{kind}|{when}|{categories}（计划不计入已做的工作）"
ACK_PLAN_NOTE = "（记为计划，不计入已做的工作）"
PLAN_DAY_UNKNOWN = "日期未定"
ACK_SUMMARY_NOTE = "（这是一段小结，汇总时不会重复计数）"
ACK_OWN_WORDS_NOTE = "（将写入总结的“{section}”部分）"
OWN_WORDS_SECTIONS = {"reflections": "体会", "shortcomings": "不足", "next_steps": "下一步打算"}
BTN_PLAN_REMIND = "⏰ {date} 8:30 提醒我"
BTN_PLAN_REMIND_ASK = "⏰ 提醒我"
BTN_PLAN_DONE = "这是已做的工作"
PLAN_REMINDER_TEXT = "计划（#{seq}）：{text}"
PLAN_REMINDER_EXISTS = "这个计划已设过提醒（提醒 #{seq}），发 /reminders 可查看。"
PLAN_DAY_WORDS = ("明天", "后天", "下周一")
BTN_PLAN_DAY = "{word} {date}"
PLAN_ASK_DAY = (
    "#{seq} 哪天提醒您？选一天，早上 8:30 提醒。\n其他时间请发 /remind 时间 内容，例如 /remind 7月20日 9:00 到县里开会"
)
PLAN_ASK_DAY_SHORT = "请选提醒的日子。"
PLAN_NOW_WORK = "✅ 已改为已做的工作 #{seq}|{kind}|{date}|{categories}"
PLAN_NOW_WORK_SHORT = "已记为已做的工作。"
PLAN_MARK = "📅计划 "

# -- /history periods (handlers/lookback.py) ---------------------------------------------------------
HISTORY_BAD_PERIOD = (
    "没看懂“{text}”。可以这样查：/history 上周、本周、上个月、本月、昨天、7月、2026年7月、2026-07-01，"
    "或两个日期 /history 2026-07-01 2026-07-10"
)

# -- places: the organisation department's list, /week, the digest (handlers/places.py, handlers/admin.py) --
PLACES_UNVISITED = "尚未走访：{names}"
PLACES_ALL_VISITED = "导入的 {count} 个村都已走访。"
DIGEST_UNVISITED = "  🟡 {count}个村尚未走访：{names}"
DIGEST_UNVISITED_MORE = "等"
PLACES_IMPORTED = "已导入 {name}（编号 {id}）的地名表，共 {total} 个：新增 {added}，更新 {updated}，改名 {renamed}，未变 {unchanged}。"
PLACES_FILE_UNREADABLE = "读不了地名表 {path}：{error}"
PLACES_BAD_FILE = "地名表有 {count} 处问题，什么也没有导入。请改好后重新导入：\n{problems}"
PLACES_PROBLEM_AT = "第 {line} 行：{problem}"
PLACES_MORE_PROBLEMS = "……另有 {count} 处问题未列出。"
PLACES_PROBLEMS = {
    "too_big": "文件太大（{value} 字节），请不超过 1 MB。",
    "encoding": "文件编码无法识别，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。",
    "empty": "文件里没有地名。",
    "header": "第一行应为表头“名称,类型,简称”（简称一列可省），现为“{value}”。",
    "too_many": "地名太多（{value} 行），一次最多导入 2000 行。",
    "too_long": "这一行太长（{value} 个字符），每行不超过 500 个字符。",
    "unreadable": "这一行读不懂（{value}）。",
    "empty_name": "名称为空。",
    "name_too_short": "名称“{value}”太短，至少两个字。",
    "name_too_long": "名称“{value}…”太长，不超过 40 个字。",
    "unknown_type": "类型“{value}”不认识，可填：{types}。",
    "bad_alias": "简称“{value}”不合适：每个简称两到四十个字，一个地名最多 10 个简称，用“、”或“;”隔开。",
    "duplicate": "“{value}”与第 {other} 行重复。",
    "alias_taken": "简称“{value}”在第 {other} 行已经用过，一个简称只能指一个地方。",
}
PLACES_LIST_HEADER = "{name}（编号 {id}）的地名：导入 {imported} 个，从记录中识别 {learned} 个"
PLACES_LIST_EMPTY = "{name}（编号 {id}）还没有地名：没有导入地名表，记录里也没有认出地名。"
PLACES_LIST_LINE = "  {name}  {type}  {source}  提及 {count} 条{aliases}"
PLACES_LIST_ALIASES = "  简称：{aliases}"
PLACES_SOURCES = {"imported": "导入", "learned": "识别"}
PLACES_LIST_UNVISITED = "尚未走访的村（{count}/{total}）：{names}"
PLACES_LIST_ALL_VISITED = "导入的 {total} 个村都已走访。"

# -- command-line corrections: edit, reactivate, assignments (issue 12) ------------------------------
ADMIN_CADRE_EXISTS = (
    "{channel} 账号 {external_id} 已被登记为 {name}（编号 {id}），不能重复登记。"
    "要修改他的挂职信息，请用 admin edit-cadre --cadre {external_id} …；已停用的，请用 admin reactivate --person {external_id}。"
)
ADMIN_CADRE_NEEDS_ACCOUNT = (
    "挂职干部至少要有一个账号（--telegram-id 或 --wecom-id）。还不知道账号的，请用 admin invite --role cadre 生成邀请码。"
)
ADMIN_CADRE_NEEDS_DATES = "请填写挂职起止日期：--start 和 --end（YYYY-MM-DD）。"
ADMIN_BAD_TIMEZONE = "时区“{value}”不认识，请填写如 Asia/Shanghai、Asia/Urumqi 的时区名。"
ADMIN_FIELD_TOO_LONG = "{field}太长（{length} 个字），不超过 {limit} 个字。"
ADMIN_FIELD_EMPTY = "{field}不能为空。"
ADMIN_FIELD_LABELS = {
    "name": "姓名",
    "host_unit": "挂职单位",
    "position": "挂任职务",
    "sending_unit": "派出单位",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "timezone": "时区",
    "batch": "批次",
}
ADMIN_REF_EMPTY = "请写明是谁：Telegram 账号、企业微信账号、编号（如 #12）或姓名。"
ADMIN_NO_SUCH_REF = "找不到“{ref}”：既不是已登记的 Telegram 或企业微信账号，也不是登记过的{role}姓名或编号。"
ADMIN_REF_ROLE_ANY = "人员"
ADMIN_AMBIGUOUS_NAME = "有 {count} 名{role}叫“{name}”，请改用账号或编号指定：{choices}"
ADMIN_AMBIGUOUS_CHOICE = "#{id}（{ids}）"
ADMIN_NO_ACCOUNTS = "无账号"
ADMIN_NOT_A_CADRE = "{name}（编号 {id}）是{role}，不是挂职干部。"
ADMIN_NOT_A_SUPERVISOR = "{name}（编号 {id}）是{role}，不是督导。"
ADMIN_NOTHING_TO_EDIT = "没有要修改的内容：请给出要改的项，如 --end 2026-12-31 或 --host-unit 石桥镇人民政府。"
ADMIN_EDITED = "已修改 {name}（编号 {id}）：{changes}"
ADMIN_EDIT_CHANGE = "{field} {old} → {new}"
ADMIN_EDIT_UNCHANGED = "{name}（编号 {id}）的信息与所填相同，没有改动。"
ADMIN_EDIT_EARLY_ENTRIES = "注意：他有 {count} 条记录早于新的开始日期 {start}，报告只统计挂职期内的记录。"
ADMIN_EDIT_LATE_ENTRIES = "注意：他有 {count} 条记录晚于新的结束日期 {end}，报告只统计挂职期内的记录。"
ADMIN_REACTIVATED = "已恢复 {name}（编号 {id}），可以继续记录和接收提醒。"
ADMIN_ALREADY_ACTIVE = "{name}（编号 {id}）没有停用，无需恢复。"
ADMIN_ALREADY_REMOVED = "{name}（编号 {id}）已经停用。"
ADMIN_REACTIVATE_NO_ACCOUNT = (
    "{name}（编号 {id}）已没有任何账号（账号已并入他人），无法恢复。请先用 admin link 或重新登记。"
)
ADMIN_ASSIGNED = "已安排督导 {supervisor} 联系挂职干部 {cadre}。"
ADMIN_ALREADY_ASSIGNED = "督导 {supervisor} 已在联系挂职干部 {cadre}，没有改动。"
ADMIN_UNASSIGNED = "已取消督导 {supervisor} 与挂职干部 {cadre} 的联系。"
ADMIN_NOT_ASSIGNED = "督导 {supervisor} 没有联系挂职干部 {cadre}，没有改动。"

# -- the programme's report (admin export programme, console) ----------------------------------------
PROGRAMME_KIND_WORDS = {"中期": "mid", "期满": "final", "mid": "mid", "final": "final"}
PROGRAMME_NO_BATCH = "请写明批次，如 --batch 第三批。"
PROGRAMME_BAD_KIND = "报告类型“{kind}”不认识，请写 中期 或 期满。"
PROGRAMME_BAD_FORMAT = "格式“{fmt}”不支持，请用 docx 或 md。"
PROGRAMME_UNKNOWN_BATCH = "批次“{batch}”没有在岗的挂职干部。已有的批次：{known}"
PROGRAMME_NO_BATCHES_YET = "（还没有，登记或修改挂职干部时用 --batch 填写）"
PROGRAMME_NO_DATES = "批次“{batch}”的挂职干部都没有填写挂职起止日期。"
PROGRAMME_BEFORE_START = "批次“{batch}”的挂职从 {start} 开始，截止日期 {end} 在此之前，没有可汇报的内容。"
PROGRAMME_FILENAME = "{title}-{date}.{ext}"

# the web console's accounts and audit log on the command line (admin add-user, admin audit)
ADMIN_PASSWORD_PROMPT = "设置控制台登录密码："
ADMIN_PASSWORD_AGAIN = "再输入一次："
ADMIN_PASSWORD_MISMATCH = "两次输入的密码不一致，未创建账号。"
ADMIN_PASSWORD_SHORT = "密码至少 {length} 位，未创建账号。"
ADMIN_LOGIN_BAD = "账号只能由字母、数字和 . _ - 组成（1 到 64 位）：{login}"
ADMIN_LOGIN_TAKEN = "账号 {login} 已存在。"
ADMIN_NAME_BAD = "姓名不能为空，且不超过 64 个字。"
ADMIN_SUPERVISOR_NEEDS_PERSON = "帮带联系人账号须用 --telegram-id 或 --wecom-id 关联已登记的帮带联系人。"
ADMIN_NO_SUPERVISOR = "没有找到这个帮带联系人：{external_id}（请先用 admin add-supervisor 登记）"
ADMIN_BATCHES_FOR_ORGANISATION = "--batch 只用于组织部门账号。"
ADMIN_USER_ADDED = "已创建控制台账号 {login}（{name}，{role}{scope}）。打开 {url} 登录。"
ADMIN_SCOPE_BATCHES = "，限批次：{batches}"
ADMIN_SCOPE_ALL = "，可查看全部干部"
ADMIN_SCOPE_SUPERVISOR = "，可查看 {count} 名所联系干部"
ADMIN_AUDIT_LINE = "{at}  {login}  {action}  {target}  {detail}"
ADMIN_AUDIT_NONE = "暂无审计记录。"
ADMIN_AUDIT_TOTAL = "共 {total} 条，显示最新 {shown} 条。"
CONSOLE_ROLE_LABELS = {"organisation": "组织部门", "supervisor": "帮带联系人"}
CONSOLE_AUDIT_ACTIONS = {
    "view": "查看",
    "export": "导出",
    "change": "修改",
    "login": "登录",
    "logout": "退出",
    "login-failed": "登录失败",
    "locked": "账号锁定",
}
