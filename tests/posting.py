"""A synthetic three-month posting for report tests: realistic messages whose true figures are known."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from analysis.classify import analyse
from storage.entities import Entry, Person, Posting

POSTING = Posting(
    id=1,
    host_unit="青山镇人民政府",
    position="党委副书记",
    sending_unit="市审计局",
    start_date=dt.date(2026, 6, 1),
    end_date=dt.date(2026, 11, 30),
)
CADRE = Person(id=1, name="王明", role="cadre", timezone="Asia/Shanghai", active=True, posting=POSTING)
VILLAGES = ["东坪村", "石桥村", "中川村", "凹塘村", "上尧村"]
ENTERPRISES = ["宏达食品", "兴农合作社", "青山茶业公司"]
SCHOOLS = ["新华小学", "青山中学"]
MEETINGS = ["镇党委会", "政府办公会", "防汛工作调度会", "乡村振兴推进会"]
BOOKS = ["信访条例", "乡村振兴促进法", "中国共产党农村基层组织工作条例"]
WELL = [
    "石桥村打井项目完成选址勘测，确定井位",
    "石桥村打井项目钻机进场，钻井进尺120米",
    "石桥村打井项目第一批资金到位30万元",
    "石桥村打井项目出水，村民吃上放心水",
]
ROAD = [
    "东坪村道路硬化工程开工，施工队进场",
    "东坪村道路硬化工程完成硬化1.2公里",
    "东坪村道路硬化工程资金到位45万元，完成硬化0.8公里",
]
NOW = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


@dataclass
class Truth:
    """What the messages say, counted while writing them."""

    visits: int = 0
    villages: list[str] = field(default_factory=list)
    enterprises: list[str] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    households: int = 0
    meetings: int = 0
    petition_visitors: int = 0
    petitions: int = 0
    studies: int = 0
    reflections: int = 0
    money: float = 0.0
    metres: float = 0.0
    workdays: set[dt.date] = field(default_factory=set)


def entry_from_text(seq: int, day: dt.date, text: str, status: str = "active") -> Entry:
    """An entry as capture would store it (analysed the same way), without a database."""
    result = analyse(text, day)
    return Entry(
        id=seq,
        seq=seq,
        person_id=1,
        kind=result.kind,
        work_date=result.date.date or day,
        text=text,
        original_text=text,
        categories=result.categories,
        categories_by_user=False,
        kind_by_user=False,
        facts=result.facts,
        details=result.details,
        status=status,
        latitude=None,
        longitude=None,
        created_at=NOW,
        updated_at=NOW,
    )


def _note(truth: Truth, kind: str, name: str) -> None:
    bucket = {"village": truth.villages, "enterprise": truth.enterprises, "school": truth.schools}[kind]
    if name not in bucket:
        bucket.append(name)


def build_posting(
    start: dt.date = dt.date(2026, 6, 1), end: dt.date = dt.date(2026, 8, 31), own_words: bool = True, seed: int = 3
) -> tuple[list[Entry], Truth]:
    """Return about 160 entries over the working days from start to end, and the truth about them."""
    rng = random.Random(seed)
    truth = Truth()
    texts: list[tuple[dt.date, str]] = []
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    workdays = [d for d in days if d.weekday() < 5 and not (dt.date(2026, 7, 6) <= d <= dt.date(2026, 7, 8))]
    well_days = workdays[5::15][: len(WELL)]
    road_days = workdays[9::17][: len(ROAD)]
    for day in workdays:
        for text in [WELL[i] for i, d in enumerate(well_days) if d == day] + [
            ROAD[i] for i, d in enumerate(road_days) if d == day
        ]:
            texts.append((day, text))
        for _ in range(rng.choice((1, 2, 2, 3, 3))):
            roll = rng.random()
            if roll < 0.16:
                village, n = rng.choice(VILLAGES), rng.randint(2, 6)
                topic = rng.choice(("饮水和就医情况", "秋收和务工情况", "危房改造进度", "医保缴费情况"))
                texts.append((day, f"走访{village}{n}户困难户，了解{topic}"))
                truth.visits += 1
                truth.households += n
                _note(truth, "village", village)
            elif roll < 0.22:
                village, name = rng.choice(VILLAGES), rng.choice(("张某", "李某某", "王某"))
                texts.append((day, f"走访{village}低保户{name}，反映房屋漏雨，答应下周回访"))
                truth.visits += 1
                truth.households += 1
                _note(truth, "village", village)
            elif roll < 0.30:
                enterprise = rng.choice(ENTERPRISES)
                need = rng.choice(
                    ("缺工20人左右，希望帮助对接劳务", "流动资金紧张，希望对接银行贷款", "用电增容手续慢")
                )
                texts.append((day, f"走访{enterprise}，负责人反映{need}"))
                truth.visits += 1
                _note(truth, "enterprise", enterprise)
            elif roll < 0.35:
                school = rng.choice(SCHOOLS)
                need = rng.choice(("缺英语老师", "多媒体设备老化", "校门口交通安全隐患"))
                texts.append((day, f"到{school}座谈，校长反映{need}"))
                truth.visits += 1
                _note(truth, "school", school)
            elif roll < 0.50:
                topic = rng.choice(("防汛备汛工作", "秋粮收购安排", "村级换届准备", "安全生产大检查"))
                texts.append((day, f"上午参加{rng.choice(MEETINGS)}，研究{topic}"))
                truth.meetings += 1
            elif roll < 0.60:
                visitors, cases = rng.randint(3, 15), rng.randint(1, 3)
                issue = rng.choice(("征地补偿", "拖欠工资", "宅基地纠纷", "低保评定"))
                texts.append(
                    (day, f"在镇信访办接待来访群众{visitors}人次，来访{cases}起，主要反映{issue}问题，已登记转办")
                )
                truth.petition_visitors += visitors
                truth.petitions += cases
            elif roll < 0.70:
                book = rng.choice(BOOKS)
                if rng.random() < 0.3:
                    texts.append((day, f"学习《{book}》，写了一篇心得体会"))
                    truth.reflections += 1
                else:
                    texts.append((day, f"学习《{book}》，记了两页笔记"))
                truth.studies += 1
            elif roll < 0.78:
                lesson = rng.choice(("双孢菇出菇管理", "茶园秋季管护", "果树病虫害防治"))
                texts.append((day, f"请农技员给种植户讲{lesson}，培训{rng.randint(20, 50)}人"))
            elif roll < 0.84:
                theme = rng.choice(("讲党课", "学习全会精神", "开展主题党日活动"))
                texts.append((day, f"在{rng.choice(VILLAGES)}开党员大会，组织{rng.randint(10, 30)}名党员{theme}"))
            elif roll < 0.90:
                theme = rng.choice(("防诈骗", "防溺水", "医保缴费", "森林防火"))
                texts.append((day, f"在集市开展{theme}宣传，发放宣传单{rng.randint(2, 6)}00份，悬挂横幅2条"))
            elif roll < 0.94:
                guest = rng.choice(("浙江客商", "深圳一家食品企业负责人", "本地返乡创业青年"))
                plan = rng.choice(("茶叶深加工项目", "菌菇冷链仓储项目", "民宿改造项目"))
                texts.append((day, f"陪同{guest}考察{plan}选址，介绍优惠政策，对方初步有合作意向"))
            else:
                need = rng.choice(
                    ("送去米、油，了解生产生活情况", "落实医疗救助，协调报销药费", "联系就业岗位，帮助子女务工")
                )
                texts.append((day, f"为结对帮扶的困难户{need}"))
    texts.append((dt.date(2026, 7, 3), "7月6日至7月8日请假3天，回原单位参加考核"))
    texts.append((dt.date(2026, 7, 9), "销假返岗"))
    if own_words:
        texts.append((dt.date(2026, 8, 28), "体会：基层工作要多到群众家里去，情况在现场，办法也在现场"))
        texts.append((dt.date(2026, 8, 28), "体会：办实事要一件一件盯到底，打井从勘测到出水跟了两个月"))
        texts.append((dt.date(2026, 8, 29), "不足：对农村政策法规学得还不够深，做群众工作的方法还不多"))
        texts.append((dt.date(2026, 8, 31), "下一步：盯住东坪村道路硬化收尾，把石桥村管网延伸到各组"))
    truth.money = 300000 + 450000
    truth.metres = 1200 + 800 + 120
    entries = [entry_from_text(seq, day, text) for seq, (day, text) in zip(itertools.count(1), texts)]
    truth.workdays = {
        e.work_date
        for e in entries
        if e.kind not in ("leave", "back") and not e.text.startswith(("体会", "不足", "下一步"))
    }
    return entries, truth
