"""The wording of the programme's report (第N批挂职干部中期（期满）工作情况汇报), kept in one place for review.

Placeholders in braces are filled only with computed values; what the records cannot give (the issuing unit, the
organisation's next steps) becomes 【待补充：…】, never x or XX.
"""

from __future__ import annotations

KIND_WORDS = {"mid": "中期", "final": "期满"}
TITLE = "{batch}挂职干部{kind}工作情况汇报"
BATCH_ORDINAL = "第{batch}批"

OPENING = (
    "{batch}{n}名挂职干部于{start}起分赴{hosts}挂职锻炼。{span}来，挂职干部在挂职单位党委、政府的关心支持下，"
    "逐日记录工作、学习情况，累计形成工作记录{entries}条。现将{batch}挂职干部{kind}工作情况汇报如下："
)
HOSTS_ETC = "{names}等{n}个单位"

SECTION_BASIC = "基本情况"
SECTION_WORK = "主要工作成效"
SECTION_STUDY = "学习培训情况"
SECTION_HIGHLIGHTS = "挂职干部工作亮点"
SECTION_EXCEPTIONS = "需要关注的问题"
SECTION_NEXT = "下一步工作安排"

BASIC_COUNT = "本批挂职干部共{n}名，来自{sending}个派出单位，分别在{hosts}个单位挂职，挂任{positions}等职务。"
BASIC_DAYS = (
    "{start}至{end}，挂职干部累计在岗{net}天（请假{leave}天），应在岗工作日{workdays}天，"
    "其中有工作记录的{logged}天，占{share}%。"
)
BASIC_DAYS_NO_LEAVE = (
    "{start}至{end}，挂职干部累计在岗{net}天，应在岗工作日{workdays}天，其中有工作记录的{logged}天，占{share}%。"
)
BASIC_DAYS_NONE = "{start}至{end}尚无应在岗工作日。"

WORK_LEAD = "挂职干部深入基层、履职尽责，"
WORK_VISITS = "走访调研{n}次"
WORK_HOUSEHOLDS = "入户走访{n}户"
WORK_PLACES = "足迹覆盖{names}{etc}{n}个村（社区）"
WORK_ENTERPRISES = "走访企业{n}家"
WORK_MEETINGS = "参加各类会议{n}次"
WORK_PETITION_VISITORS = "接待来访群众{n}人次"
WORK_PETITIONS = "协调处理信访事项{n}起"
WORK_MONEY = "协调争取资金{amount}"
WORK_NONE = "本期尚无可统计的工作记录。"
AVERAGE_LEAD = "平均每名挂职干部"
AVERAGE_LOGGED = "有工作记录{n}天"
AVERAGE_VISITS = "走访调研{n}次"
AVERAGE_HOUSEHOLDS = "入户走访{n}户"
AVERAGE_STUDY = "参加学习{n}次"
CATEGORIES_LEAD = "从工作内容看，记录较多的是"
CATEGORY_ITEM = "{label}（{n}条）"

STUDY_TEXT = "挂职干部共记录学习{n}次"
STUDY_NOTES = "，做学习笔记{n}次"
STUDY_REFLECTIONS = "，撰写心得体会{n}篇"
STUDY_TITLES = "，学习了{titles}{etc}"
STUDY_WITHOUT = "；{names}本期没有学习记录"
STUDY_NONE = "本期挂职干部尚无学习记录。"

HIGHLIGHT = "到{host}挂职的{name}同志，{text}"
HIGHLIGHT_NONE = "各挂职干部本期尚无可作亮点的工作记录。"

EXCEPTION_NOTHING = "{names}本期没有工作记录。"
EXCEPTION_SILENT = "{name}已连续{n}个工作日没有工作记录。"
EXCEPTION_LOW_SHARE = "{name}有工作记录的工作日仅占{share}%。"
EXCEPTION_NOT_BACK = "{name}请假（{start}至{end}）期满未销假。"
EXCEPTION_REPORT = "{names}尚未形成{kind}工作小结（总结）。"
EXCEPTION_REPORT_OVERDUE = "{name}的{kind}工作小结（总结）已逾期。"
EXCEPTIONS_NONE = "本期各挂职干部均按要求记录工作，未发现需要关注的问题。"
REPORT_KIND_WORDS = {"mid": "中期", "final": "期满"}

NEXT_MISSING = "【待补充：下一步工作安排（如{kind}考核、汇报交流会等）】"
SIGNATURE_MISSING = "【待补充：落款单位】"
