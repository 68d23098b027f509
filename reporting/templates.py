"""The wording of the draft reports, in our own words (domain.md §2.4–2.10 describe the genre).

Kept in one place for review. Placeholders in braces are filled only with recorded values; a value the
records cannot give becomes 【待补充：…】， never x, XX or 201*.
"""

from __future__ import annotations

TITLES = {
    "mid": "挂职锻炼中期工作小结",
    "final": "挂职锻炼工作总结",
    "month": "{year}年{month}月挂职工作情况报告",
    "week": "挂职工作周报（{period_start}至{period_end}）",
}

OPENING = {
    "mid": (
        "按照{sending}安排，我于{start}到{host}挂职锻炼，任{position}。{span}来，在{host}党委、政府和同志们的"
        "支持帮助下，我坚持边学习、边工作、边思考，把挂职期间的工作逐日记录在案。现将挂职以来的工作学习情况小结如下："
    ),
    "final": (
        "按照{sending}安排，我于{start}至{end}在{host}挂职锻炼，任{position}。{span}来，我服从安排、主动作为，"
        "把挂职期间的工作逐日记录在案。现将挂职期间的工作学习情况总结如下："
    ),
    "month": "现将{year}年{month}月在{host}挂职期间的工作情况报告如下：",
    "week": "现将{period_start}至{period_end}在{host}挂职期间的工作情况报告如下：",
}
MISSING_HOST = "【待补充：挂职单位】"
MISSING_POSITION = "【待补充：挂任职务】"
SENDING_FALLBACK = "组织"

SECTION_BASIC = "基本情况"
SECTION_WORK = "主要工作开展情况"
SECTION_STUDY = "学习情况"
SECTION_REFLECTIONS = "几点体会"
SECTION_SHORTCOMINGS = "存在的不足"
SECTION_PLANS = "下一步打算"
SECTION_MONTH_PLANS = "下月工作打算"
SECTION_WEEK_PLANS = "下周工作打算"
APPENDIX = "附件：工作记录索引"

# Level-2 headings: two parallel phrases per category.
CATEGORY_HEADINGS = {
    "research": "深入走访调研，摸清基层实情",
    "meeting": "参与议事决策，协助推进工作",
    "investment": "着力招商引资，助推经济发展",
    "project": "紧盯重点项目，推动落地见效",
    "petition": "做好来访接待，维护和谐稳定",
    "aid": "扎实开展帮扶，帮助群众解难",
    "industry": "服务产业发展，推广实用技术",
    "party": "抓实基层党建，夯实组织基础",
    "publicity": "加强宣传引导，凝聚发展共识",
    "exchange": "加强交流协作，架设沟通桥梁",
    "teaching": "深入课堂教研，促进教学提升",
    "environment": "推进环境整治，改善村容村貌",
    "employment": "抓好就业服务，拓宽增收渠道",
    "clerical": "认真办文办事，做好服务保障",
    "study": "加强学习培训，提升能力素质",
}

# Sentences of figures; only non-zero figures are stated, so every part stands alone.
BASIC_DAYS = "挂职以来在岗{net}天"
BASIC_LEAVE = "（请假{leave}天，均已销假）"
BASIC_LOGGED = "有工作记录的{days}天"
BASIC_VISITED = {
    "village": "走访村{n}个（{names}）",
    "community": "走访社区{n}个（{names}）",
    "enterprise": "走访企业{n}家（{names}）",
    "school": "走访学校{n}所（{names}）",
}
BASIC_HOUSEHOLDS = "入户走访{n}户"
BASIC_MEETINGS = "参加各类会议{n}次"
BASIC_PETITIONS = "接待来访群众{n}人次"
BASIC_CASES = "处理信访事项{n}件（起）"
BASIC_STUDY = "参加学习{n}次"
BASIC_REFLECTIONS = "撰写心得体会{n}篇"
CATEGORY_FIGURE = "期间共记录此类工作{n}次"
CATEGORY_PLACES = "\uff0c涉及{places}"
CATEGORY_PLACES_MORE = "\uff0c涉及{places}等{n}处"
CATEGORY_MONEY = "，涉及资金{amount}"
CATEGORY_LENGTH = "，涉及线路、管道等{length}"
ENUMERATORS = "一二三四五六七八九十"
ITEM = "{ordinal}是{text}。"
PROJECT_LINE = "{name}：{first}起跟进{count}次，最新进展为“{latest}”。"
STUDY_SENTENCE = "挂职以来参加学习{n}次"
STUDY_MATERIALS = "，学习了{materials}"
STUDY_NOTES = "\uff0c记学习笔记{n}次"
STUDY_REFLECTIONS = "，撰写心得体会{n}篇"
STUDY_NONE = "【待补充：学习计划执行情况、学习笔记和心得体会】"
MISSING = {
    "reflections": "【待补充：挂职以来的两三点体会】",
    "shortcomings": "【待补充：自身存在的不足】",
    "plans": "【待补充：下一步工作打算】",
}
QUESTIONS = {
    "reflections": "挂职以来，您最深的两三点体会是什么？",
    "shortcomings": "您觉得自己还有哪些不足？",
    "plans": "下一阶段您打算重点做哪几件事？",
}
CLOSING = "在今后的挂职工作中，我将继续虚心学习、扎实工作，努力把各项工作做细做实。"
APPENDIX_LINE = "{date} #{seq} [{kind}] {text}"

YUAN = "{value}元"
WAN_YUAN = "{value}万元"
METRES = "{value}米"
KILOMETRES = "{value}公里"
CN_DIGITS = "〇一二三四五六七八九"
DATE_CN = "{year}年{month}月{day}日"
SPAN_MONTHS = "{n}个月"
SPAN_DAYS = "{n}天"
CN_NUMBERS = {
    1: "一",
    2: "两",
    3: "三",
    4: "四",
    5: "五",
    6: "六",
    7: "七",
    8: "八",
    9: "九",
    10: "十",
    11: "十一",
    12: "十二",
}

LEDGER_TITLE = "工作台账"
LEDGER_WORK_SHEET = "工作台账"
LEDGER_VISIT_SHEET = "走访台账"
LEDGER_WORK_COLUMNS = (
    "编号",
    "日期",
    "类型",
    "分类",
    "内容",
    "地点",
    "户数",
    "人数",
    "金额（元）",
    "长度（米）",
    "附件",
)
LEDGER_VISIT_COLUMNS = ("编号", "日期", "地点", "走访对象", "反映问题", "承诺事项", "承诺期限", "跟进状态")
LEDGER_FOLLOW_UP = {"open": "待跟进", "none": "—"}
