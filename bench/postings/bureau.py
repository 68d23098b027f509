"""A county bureau post: a 市教育局 cadre as 副局长 of 安平县教育局, July to September 2026 (compiled after 国庆).

Hard cases in these messages: one school visited five times (马坊中心校, one school) and two others twice, schools
and enterprises named short and full (县一中 / 安平县第一中学, 宏远机械 / 安平县宏远机械制造有限公司), stocks that
are no visits (138所 schools in the county, 46所 served with meals, 4.6万 pupils), money by role (funds 8万 + 85万
+ 20万; the 85万 paid as 50万 + 35万; an enterprise's 年产值1.2亿元 and 年销售收入8000万元; equipment donated
"价值30万元" in kind; estimates 110万, 2亿元 and 2800万元), a project followed from 反映 to 投用, a training whose
two sessions add up in the message itself, a one-day leave on a Friday whose return is on Monday (1 day, not
3), a plan for the next day's meeting, 上周五 naming an earlier meeting, month-end summaries, own words.
"""

from __future__ import annotations

import datetime as dt

from bench.postings import BenchPosting, Figure, Fund, Name, Project, Tally, Truth
from storage.entities import Person, Posting


def _d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


POSTING_PROFILE = Posting(
    id=13,
    host_unit="安平县教育局",
    position="党组成员、副局长",
    sending_unit="市教育局",
    start_date=_d(7, 1),
    end_date=_d(12, 31),
)
PERSON = Person(id=13, name="孙浩", role="cadre", timezone="Asia/Shanghai", active=True, posting=POSTING_PROFILE)

MESSAGES: tuple[tuple[dt.date, str], ...] = (
    # ---- July
    (_d(7, 1), "到安平县教育局报到，参加局党组会，宣布分工：协助分管基础教育和项目建设"),
    (_d(7, 2), "跟办公室要了全县教育基本情况:中小学138所,在校生4.6万人,专任教师3120人"),
    (_d(7, 3), "到马坊乡中心学校调研，校长刘文斌反映食堂还是80年代的老瓦房，漏雨，320多个学生分两批吃饭"),
    (_d(7, 6), "局务会,安排暑期工作和校舍安全排查"),
    (_d(7, 7), "和县住建局技术人员去马坊中心校看食堂，鉴定是危房，建议拆除重建，测算投资约110万元"),
    (_d(7, 8), "争取到市教育局教师培训专项经费8万元，用于暑期培训"),
    (_d(7, 9), "局党组会研究同意马坊中心校食堂改造立项"),
    (_d(7, 10), "学习《中华人民共和国教育法》,重点看了办学条件和经费保障,做了笔记"),
    (_d(7, 13), "全县中小学教师暑期培训第一期开班，我讲了第一课《新课标下的课堂教学》"),
    (_d(7, 14), "到宏远机械调研校企合作,公司年产值1.2亿元,员工600多人,技术工人缺口80人左右"),
    (_d(7, 15), "局信访接待，来访家长3人次，2起，都是问城区学校入学政策"),
    (_d(7, 16), "省级义务教育薄弱环节改善与能力提升资金下达，马坊中心校食堂改造安排85万元"),
    (_d(7, 17), "第一期培训结业,参训教师210人"),
    (_d(7, 20), "第二期暑期培训开班，请了市里两位名师来上课"),
    (_d(7, 21), "县财政局同意配套20万元,食堂改造总投资105万元"),
    (_d(7, 22), "下午陪宏远机械负责人到安平县职业技术教育中心看实训车间，初步商定办机电订单班"),
    (_d(7, 23), "起草《安平县2026年秋季学期开学工作方案》初稿"),
    (_d(7, 24), "第二期培训结业，参训教师210人，两期共420人次"),
    (_d(7, 24), "食堂改造项目招标完成,中标的是鑫源建筑"),
    (_d(7, 27), "局党组理论学习中心组学习，学习《教育强国建设规划纲要(2024—2035年)》"),
    (_d(7, 28), "马坊中心校食堂改造开工，要求8月25日前完工，保证开学用"),
    (_d(7, 30), "列席县政府常务会，汇报秋季学期城区学位保障情况"),
    (_d(7, 31), "7月工作小结：调研学校2所、企业1家，争取资金113万元，组织暑期培训2期420人次，马坊食堂开工"),
    # ---- August
    (_d(8, 3), "上午去县财政局对接食堂改造资金拨付进度"),
    (_d(8, 4), "审核乡镇学校报上来的校舍维修计划12份，退回3份重报"),
    (_d(8, 5), "第一批省级资金50万元拨付到位"),
    (_d(8, 6), "到安平县实验小学检查暑期校舍维修,操场塑胶跑道翻新完成,教室刷墙还剩一半"),
    (_d(8, 7), "陪县领导接待客商考察职教园区项目，对方计划投资2亿元建实训基地，还在洽谈"),
    (_d(8, 10), "局务会，研究秋季开学准备和教师调配"),
    (_d(8, 12), "去马坊中心校工地看进度,主体封顶了,工人在赶工"),
    (_d(8, 13), "明天请假1天，回市里办点事，周一返岗"),
    (_d(8, 17), "已返岗,销假"),
    (_d(8, 17), "城区学校学位摸底，城关二小和试验小学一年级报名超了计划110人"),
    (_d(8, 18), "秋季招生期间来访多，今天接待家长6人次，4起，主要是城区学位紧张和转学"),
    (
        _d(8, 19),
        "到华康食品检查秋季营养餐配送准备,华康食品有限公司年销售收入8000万元,给全县46所学校配送营养餐",
    ),
    (
        _d(8, 20),
        "县职教中心和安平县宏远机械制造有限公司签了校企合作协议，开办机电订单班，宏远捐赠实训设备价值30万元",
    ),
    (_d(8, 21), "《关于进一步规范义务教育招生入学工作的通知》修改定稿，报局长签发"),
    (_d(8, 24), "明天上午开全县开学工作会,讲话稿还要改"),
    (_d(8, 24), "下午和基教股把开学安全检查表定了"),
    (_d(8, 25), "全县秋季开学工作会议，我作了安全工作部署"),
    (_d(8, 26), "马坊中心校新食堂完工，面积420平方米，能同时坐360人吃饭"),
    (_d(8, 27), "到城关镇第二小学查开学准备，新增学位180个，还差2名数学老师"),
    (_d(8, 28), "县里组织验收马坊中心校食堂，合格"),
    (_d(8, 28), "跟城关二小老师家访留守儿童3户,2户是爷爷奶奶带"),
    (_d(8, 31), "学习《义务教育学校管理标准》，对照马坊中心校看了一遍"),
    (_d(8, 31), "8月小结：到学校3所，接待来访4起6人次，食堂完工验收，订单班签约，请假1天"),
    # ---- September
    (_d(9, 1), "开学第一天在马坊中心校，新食堂投用了，320多名学生不用再分批吃饭"),
    (_d(9, 2), "开学安全检查,跟安全股查了城关二小、实验小学的校门和食堂"),
    (_d(9, 7), "局党组会，研究教师节表彰"),
    (_d(9, 8), "宏远订单班开班，招了学生45人"),
    (_d(9, 9), "接待来访教师2人次,1起,反映职称评审"),
    (_d(9, 10), "教师节到石佛镇初级中学慰问一线教师，送了慰问品"),
    (_d(9, 11), "看了华康食品的营养餐配送车，冷链还行"),
    (_d(9, 14), "参加县委党校科级干部专题培训1天，主题是安全生产"),
    (_d(9, 15), "剩余省级资金35万元拨付到位，85万元全部到位"),
    (_d(9, 16), "写马坊中心校食堂改造的项目总结，报市教育局"),
    (_d(9, 17), "调研安平县第一中学，高一新生1200人，平均班额62人，测算要新建一栋教学楼，投资约2800万元"),
    (_d(9, 21), "全县教育系统安全工作会，通报开学检查情况"),
    (_d(9, 22), "县一中扩容的事跟县发改委沟通了，先做可研"),
    (_d(9, 23), "上周五的家长会在实验小学开的，讲了课后服务"),
    (_d(9, 24), "整理挂职以来的材料，写季度工作汇报"),
    (_d(9, 28), "写了篇心得体会《在县域教育一线补课》"),
    (_d(9, 29), "体会:县里办教育，难点在乡村学校，马坊食堂这样的事，局里一级一级盯着就能办成"),
    (_d(9, 30), "不足：对职业教育了解不够，校企合作还是靠企业主动找上门"),
    (_d(9, 30), "下一步：跟进县一中扩容前期工作，把订单班办好，推动营养餐冷链配送覆盖乡村学校"),
    (_d(9, 30), "本月小结:新食堂投用,订单班开班45人,接待来访1起2人次,开会3次"),
    (_d(9, 30), "上午到县一中看了下新生住宿情况"),
)

CANTEEN = Project(
    Name(
        "马坊乡中心学校食堂改造工程",
        "project",
        (
            "马坊中心校食堂改造",
            "马坊中心校食堂改造工程",
            "马坊中心校食堂改造项目",
            "马坊乡中心学校食堂改造项目",
            "食堂改造项目",
            "食堂改造工程",
        ),
    ),
    state="投用",  # 7/3 反映, 7/7 鉴定, 7/9 立项, 7/24 招标, 7/28 开工, 8/26 完工, 8/28 验收, 9/1 投用
    figures=(
        Figure("provincial_funds", 850000, "元", ("省级", "资金", "薄弱环节", "到位")),
        Figure("county_funds", 200000, "元", ("配套", "县财政")),
        Figure("investment", 1050000, "元", ("总投资", "投资")),
        Figure("area", 420, "平方米", ("面积", "食堂")),
        Figure("seats", 360, "人", ("就餐", "吃饭", "容纳", "同时")),
        Figure("pupils", 320, "名", ("学生", "就餐", "吃饭")),  # 320多名
    ),
)
ORDER_CLASS = Project(
    Name("机电订单班", "project", ("宏远订单班", "校企合作订单班", "订单班")),
    state="开班",  # 7/14 调研, 7/22 看车间, 8/20 签约, 9/8 开班
    figures=(
        Figure("pupils", 45, "人", ("订单班", "招", "学生")),
        Figure("equipment_in_kind", 300000, "元", ("设备", "捐赠", "价值")),  # in kind: not money secured
    ),
)
SUMMER_TRAINING = Project(
    Name("教师暑期培训", "project", ("暑期教师培训", "全县中小学教师暑期培训", "暑期培训")),
    state="结业",  # two sessions, 210 + 210 = 420人次 (the 7/24 message adds them itself)
    figures=(
        Figure("sessions", 2, "期", ("培训",)),
        Figure("trainees", 420, "人次", ("培训", "参训", "教师")),
        Figure("funds", 80000, "元", ("经费", "培训")),
    ),
)

TRUTH = Truth(
    villages=(),
    communities=(),
    enterprises=(
        Name("安平县宏远机械制造有限公司", "enterprise", ("宏远机械", "宏远")),  # 7/14 visit, 8/20 协议
        Name("华康食品有限公司", "enterprise", ("华康食品",)),  # 8/19, 9/11
    ),
    schools=(
        Name("马坊乡中心学校", "school", ("马坊中心校", "马坊乡中心校")),  # 7/3, 7/7, 8/12, 8/28, 9/1
        Name("安平县职业技术教育中心", "school", ("县职教中心", "职教中心")),  # 7/22
        Name("安平县实验小学", "school", ("实验小学",)),  # 8/6, 9/2, 9/18 (家长会)
        Name("城关镇第二小学", "school", ("城关二小",)),  # 8/27, 8/28 (家访 with its teachers), 9/2
        Name("石佛镇初级中学", "school", ("石佛中学", "石佛初中")),  # 9/10
        Name("安平县第一中学", "school", ("县一中",)),  # 9/17, 9/30
    ),
    projects=(CANTEEN, ORDER_CLASS, SUMMER_TRAINING),
    others=(
        Name("安平县教育局", "unit", ("县教育局", "局里", "局党组", "教育局")),
        Name("市教育局", "unit"),
        Name("县住建局", "unit"),
        Name("县财政局", "unit"),
        Name("县发改委", "unit"),
        Name("县政府", "unit"),
        Name("县委党校", "unit"),
        Name("鑫源建筑", "enterprise"),  # the contractor, named once, not visited
        Name("职教园区项目", "project", ("职教园区",)),  # an investor's plan (计划投资2亿元), still 洽谈
        Name("城关镇", "town"),
        Name("石佛镇", "town"),
        Name("马坊乡", "town"),
    ),
    households=(Tally(_d(8, 28), "家访留守儿童3户 (2户 is a subset)", 3),),
    households_distinct=3,
    petitions=(
        Tally(_d(7, 15), "2起", 2),
        Tally(_d(8, 18), "4起", 4),
        Tally(_d(9, 9), "1起", 1),
    ),
    petition_visitors=(
        Tally(_d(7, 15), "来访家长3人次", 3),
        Tally(_d(8, 18), "家长6人次", 6),
        Tally(_d(9, 9), "教师2人次", 2),
    ),
    meetings=(
        Tally(_d(7, 1), "局党组会"),
        Tally(_d(7, 6), "局务会"),
        Tally(_d(7, 9), "局党组会"),
        Tally(_d(7, 30), "县政府常务会"),
        Tally(_d(8, 10), "局务会"),
        Tally(_d(8, 25), "全县秋季开学工作会议 (the 8/24 plan is the same meeting)"),
        Tally(_d(9, 7), "局党组会"),
        Tally(_d(9, 18), "实验小学家长会 (told on 9/23 as 上周五)"),
        Tally(_d(9, 21), "全县教育系统安全工作会"),
    ),
    studies=(
        Tally(_d(7, 10), "《中华人民共和国教育法》"),
        Tally(_d(7, 27), "中心组学习《教育强国建设规划纲要》"),
        Tally(_d(8, 31), "《义务教育学校管理标准》"),
        Tally(_d(9, 14), "县委党校专题培训"),
    ),
    funds=(
        Fund(_d(7, 8), "市教育局", "教师培训专项经费", 80000),
        Fund(_d(7, 16), "省级薄弱环节改善与能力提升资金", "马坊中心校食堂改造 (到位 50万 8/5 + 35万 9/15)", 850000),
        Fund(_d(7, 21), "县财政局", "食堂改造配套", 200000),
    ),
    lengths=(),
    leave=((_d(8, 14), _d(8, 14)),),  # Friday; the weekend before the Monday return is no leave
    figures=(
        Figure("schools_visited", 6, "所", ("学校",), headline=True),
        Figure("enterprises_visited", 2, "家", ("企业",)),
        Figure("households_visited", 3, "户次", ("家访", "走访", "入户")),
        Figure("households_distinct", 3, "户", ("家访", "走访", "入户")),
        Figure("petitions", 7, "起", ("信访", "来访", "事项"), headline=True),
        Figure("petition_visitors", 11, "人次", ("来访", "信访", "接待", "家长"), headline=True),
        Figure("meetings", 9, "次", ("会",), headline=True),
        Figure("studies", 4, "次", ("学习",), headline=True),
        Figure("study_notes", 1, "次", ("笔记",)),
        Figure("reflections", 1, "篇", ("心得", "体会")),
        Figure("funds_secured", 1130000, "元", ("资金", "争取", "到位", "经费", "配套"), headline=True),
        Figure("trainees", 420, "人次", ("培训", "参训"), headline=True),
        Figure("leave_days", 1, "天", ("请假", "假")),
        Figure("days_logged", 56, "天", ("记录", "日志", "工作日")),
        Figure("documents_reviewed", 12, "份", ("审核", "计划")),
    ),
    forbidden=("刘文斌", "试验小学"),  # a private name and a typo
    notes=(
        "days_logged: work dates of work entries: July 21 (1,2,3,6,7,8,9,10,13,14,15,16,17,20,21,22,23,24,27,"
        "28,30; 7/31 only a summary), August 18 (3,4,5,6,7,10,12,17,18,19,20,21,24,25,26,27,28,31; 8/13 only "
        "the leave), September 17 (1,2,7,8,9,10,11,14,15,16,17,18,21,22,24,28,30; 9/23 tells of 9/18, 9/29 "
        "only own words). Not money secured: 设备价值30万元 (in kind), 年产值, 年销售收入, estimates. "
        "Meetings are the 会 he attended or held (the 家长会 of 9/18 included); the training sessions he taught "
        "(7/13, 7/20) and the 中心组学习 (7/27, study) are none. Schools: 46所 (meals) and 138所 (county) are stocks."
    ),
)

POSTING = BenchPosting(
    name="bureau",
    person=PERSON,
    start=_d(7, 1),
    end=_d(9, 30),
    today=_d(10, 9),
    messages=MESSAGES,
    truth=TRUTH,
)
