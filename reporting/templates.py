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
    "safety": "抓好安全生产，筑牢应急防线",
    "employment": "抓好就业服务，拓宽增收渠道",
    "clerical": "认真办文办事，做好服务保障",
    "study": "加强学习培训，提升能力素质",
}

# Sentences of figures; only non-zero figures are stated, so every part stands alone.
STUDY_NONE = "【待补充：学习计划执行情况、学习笔记和心得体会】"
MISSING = {
    "reflections": "【待补充：挂职以来的两三点体会】",
    "shortcomings": "【待补充：自身存在的不足】",
    "plans": "【待补充：下一步工作打算】",
    "next_steps": "【待补充：下一步工作打算】",
}

YUAN = "{value}元"
WAN_YUAN = "{value}万元"
METRES = "{value}米"
KILOMETRES = "{value}公里"
SPAN_MONTHS = "{n}个月"
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

# -- the ledgers (reporting/ledgers.py): what a clerk files, one sheet per ledger --------------------------------------
LEDGER_TITLE = "工作台账"  # in the workbook's file name
LEDGER_WORK_SHEET = "工作台账"
LEDGER_VISIT_SHEET = "走访台账"
LEDGER_SHEET_TITLES = {
    "work": "{name}同志挂职工作台账（{period}）",
    "visit": "{name}同志挂职走访台账（{period}）",
}
LEDGER_PERIOD = "{start}至{end}"
LEDGER_UNIT_PARTS = {"host": "挂职单位：{value}", "position": "挂任职务：{value}", "sending": "派出单位：{value}"}
LEDGER_MADE_ON = "制表日期：{date}"
LEDGER_UNIT_SEPARATOR = "\u3000\u3000"
LEDGER_WORK_COLUMNS = (
    "序号",
    "日期",
    "类型",
    "分类",
    "工作内容",
    "地点",
    "户数",
    "人数",
    "金额（元）",
    "长度（米）",
    "附件（个）",
    "记录号",
)
LEDGER_VISIT_COLUMNS = (
    "序号",
    "走访时间",
    "地点",
    "走访对象",
    "反映问题",
    "承诺事项",
    "办理情况",
    "办结时间",
    "记录号",
)
LEDGER_FOLLOW_UP = {
    "done": "已办结",
    "overdue": "已逾期（应于{due}前办结）",
    "open_due": "办理中（应于{due}前办结）",
    "postponed": "办理中（已延至{due}前办结）",
    "open": "办理中",
    "none": "—",
}
LEDGER_ITEM = "{n}. {text}"  # one of several promises of a visit, one a line
LEDGER_RECORD = "#{seq}"
LEDGER_FOOTER = "第 &P 页，共 &N 页"

# -- the review copy (reporting/word.py, reporting/markdown.py): each paragraph's sources as a comment ---------------
REVIEW_AUTHOR = "挂职工作助手"
REVIEW_INITIALS = "助手"
REVIEW_SOURCES_HEADER = "依据记录{n}条："
REVIEW_SOURCE_LINE = "#{seq} {date} {text}"
REVIEW_ELLIPSIS = "…"
REVIEW_SOURCES_MORE = "另{n}条：{seqs}"
REVIEW_UNVERIFIED = "本段有{n}句在记录中找不到依据，已标{mark}，请核实后修改或删去。"

# -- the synthesised draft (reporting/compose.py) ------------------------------------------------------------------
# The opening names the host's leadership the way a 公文 does: 青山镇人民政府 -> 青山镇党委、政府.
LEADERSHIP_SUFFIXES = (
    ("人民政府", "{base}党委、政府"),
    ("街道办事处", "{base}街道党工委、办事处"),
    ("镇", "{base}镇党委、政府"),
    ("乡", "{base}乡党委、政府"),
    ("村", "{base}村党支部和村委会"),
    ("局", "{base}局党组"),
    ("委", "{base}委党组"),
    ("学校", "{base}学校党组织"),
    ("中学", "{base}中学党组织"),
    ("小学", "{base}小学党组织"),
)
LEADERSHIP_FALLBACK = "{host}党组织"
OPENING_MID = (
    "按照{sending}安排，我于{start}到{host}挂职锻炼，任{position}。{span}来，在{leadership}的关心支持和同志们的帮助下，"
    "我坚持边学习、边工作、边思考，较好地完成了阶段性任务。现将挂职以来的工作学习情况小结如下："
)
OPENING_FINAL = (
    "按照{sending}安排，我于{start}至{end}在{host}挂职锻炼，任{position}，为期{span}。{span}来，在{leadership}的领导和"
    "同志们的帮助下，我服从安排、主动作为，较好地完成了挂职锻炼任务。现将挂职期间的工作学习情况总结如下："
)
SPAN_UNDER_MONTH = "{n}天"
SPAN_HALF_YEAR = "半年"
SPAN_YEAR = "一年"
# 基本情况: each part is stated only when its figure is not zero.
FACT_DAYS = "挂职以来，我在岗{net}天"
FACT_LEAVE = "（请假{leave}天，均按规定履行请销假手续）"
FACT_LOGGED = "，有工作记录的{days}天"
FACT_VISITED_LEAD = "先后走访"
FACT_VISITED = {
    "village": "{names}{etc}{n}个村",
    "community": "{names}{etc}{n}个社区",
    "enterprise": "{names}{etc}{n}家企业",
    "cooperative": "{names}{etc}{n}个合作社",
    "school": "{names}{etc}{n}所学校",
}
FACT_ETC = "等"
FACT_HOUSEHOLDS = "入户走访{n}户次"
FACT_FUNDS = "争取落实各类资金{amount}"
RESEARCH_PLACES = "足迹遍及{names}{etc}"
RESEARCH_HOUSEHOLDS = "累计入户走访{n}户次"
SECTION_PLACES = "先后到{names}{etc}开展工作"
FACT_MEETINGS = "参加各类会议{n}次"
FACT_PETITIONS = "接待来访群众{n}人次"
FACT_CASES = "受理信访事项{n}起"
FACT_UNVISITED = "，全镇{total}个村中尚有{left}个未走访到"
# Topic sentences open each work subsection; several frames, so no two subsections start alike.
TOPICS = {
    "research": ("把走访调研作为熟悉情况的第一步，", "坚持到群众中去、到一线去，"),
    "meeting": ("按照分工参与议事决策，", "积极参与班子集体研究，"),
    "investment": ("围绕招商引资主动对接，", "把招商引资作为发展抓手，"),
    "project": ("把重点项目作为检验成效的标尺，", "紧盯项目进度，"),
    "petition": ("把来访接待作为了解民意的窗口，", "坚持把矛盾化解在基层，"),
    "aid": ("聚焦群众急难愁盼，", "把帮扶工作落到具体的人和事上，"),
    "industry": ("围绕产业增收，", "立足当地资源，"),
    "party": ("坚持抓党建促发展，", "着力夯实基层组织，"),
    "publicity": ("注重宣传引导，", "把政策讲到群众身边，"),
    "exchange": ("发挥派出单位和挂职地的桥梁作用，", "主动加强交流协作，"),
    "teaching": ("深入课堂和教研一线，", "围绕教学质量提升，"),
    "environment": ("围绕人居环境改善，", "着力改善村容村貌，"),
    "employment": ("围绕稳就业、促增收，", "把就业服务做到家门口，"),
    "clerical": ("认真做好办文办会，", "扎实做好服务保障，"),
    "admin": ("认真落实各项管理制度，", "按要求做好日常管理，"),
    "safety": ("绷紧安全生产这根弦，", "坚持把安全放在首位，"),
}
TOPIC_FALLBACK = ("扎实做好分管工作，", "认真履行岗位职责，")
POOLED_TIMES = "先后{n}次{verb}{place}"
POOLED_ONCE = "{verb}{place}"
POOLED_MANY = "多次{verb}{place}"
KIND_VISITS = "走访{names}{etc}{noun}"
KIND_NOUNS = {"school": "学校", "enterprise": "企业", "cooperative": "合作社"}
POOLED_TOPICS = "，{lead}{topics}{etc}{tail}"
CASE_DATED = "{month}月{text}"
CASE_PLACE = "在{place}"
THREAD_OPEN = "{name}："
# A project's story (reporting/compose.py _thread_story): the cadre's own phrases between these.
STORY_PROBLEM = "针对群众反映的{problem}问题"
STORY_MONTH = "{month}月{text}"
STORY_DAY = "{month}月{day}日"
STORY_FUNDS = "争取落实资金{amount}"
STORY_STARTED = "{month}月{day}日开工"
STORY_MEASURED_DONE = "{measures}的{object}于{when}{text}"
STORY_OBJECT = "工程"
STORY_BENEFIT = "让{text}"
HOUSEHOLDS_DONE = "入户走访{object}{n}户次"
PETITION_ISSUES = "，群众反映主要集中在{topics}等方面"
KIND_ISSUES = "，帮助梳理{topics}等问题"
TRAINING_POOL = "组织{name}"
TRAINING_SESSIONS = "{n}期"
TRAINING_PEOPLE = "，参训{n}人次"
TRAINING_TAUGHT = "，并亲自授课"
SPOKE_CASE = "{month}月在{meeting}上，{said}"
MEETING_POOL = "参加{names}{etc}会议{n}次"
MEETING_TOPICS = "，研究{topics}{etc}工作"
FUNDS_SECURED = "，争取落实资金{amount}"
STUDY_OPEN = "挂职以来，我把学习作为提高能力的基础，参加集中学习和自学{n}次"
STUDY_TRAININGS = "，参加{names}"
HOST_PROFILE = "{subject}共有{profile}。"
DUTIES_LEAD = "按照分工，我"
DUTIES = "分管{duties}工作"
LINKED = "联系{places}"
STUDY_TITLES = "，重点学习了{titles}{etc}"
STUDY_NOTES_TEXT = "，记学习笔记{n}次"
STUDY_REFLECTIONS_TEXT = "，撰写心得体会{titles}{n}篇"
ORDINAL_ITEM = "{ordinal}是{text}"
CLOSING_MID = "下一阶段，我将继续虚心学习、扎实工作，把挂职锻炼的各项任务做细做实，以实实在在的成效回报组织的信任。"
CLOSING_FINAL = (
    "挂职期间的经历使我受益匪浅。回到原单位后，我将把在基层学到的经验用到工作中去，继续关注和支持挂职地的发展。"
)
CLOSING_PERIODIC = "以上报告，请审阅。"
UNVERIFIED = "【待核实】"
