"""Chinese text analysis for one message: simplified form, jieba tokens, kind, categories, details.

Pure and synchronous: no platform, no database, no clock. jieba (with the domain dictionary of
domain.md §7) and OpenCC are imported here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import opencc

from analysis import category_model, lexicon
from analysis.dateparse import DateParse, parse_due_date, parse_user_date, parse_work_date
from analysis.facts import extract_facts
from analysis.numbers import NUMBER_PATTERN, cn_to_number
from analysis.roles import OWN_WORDS, Role, entry_role, strip_label

logger = logging.getLogger(__name__)

KINDS = ("log", "visit", "study", "leave", "back")
USER_DICT = Path(__file__).with_name("userdict.txt")

_init_lock = threading.Lock()
_ready = False
_converter: opencc.OpenCC | None = None


def warm_up() -> None:
    """Load jieba's dictionary, our user dictionary and OpenCC once (about a second)."""
    global _ready, _converter
    with _init_lock:
        if _ready:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        jieba.load_userdict(str(USER_DICT))
        _converter = opencc.OpenCC("t2s")
        _ready = True


def simplify(text: str) -> str:
    """Return the text in simplified Chinese (traditional input is accepted, the original kept elsewhere)."""
    warm_up()
    if _converter is None:  # warm_up sets it; only a failed warm-up leaves it unset
        raise RuntimeError("OpenCC is not loaded")
    return str(_converter.convert(text))


def tokenize(text: str) -> list[str]:
    warm_up()
    return [t for t in jieba.lcut(text) if t.strip()]


def word_spans(text: str) -> list[tuple[str, int, str]]:
    """Return jieba's words with their offsets and dictionary part-of-speech tags ("" for a word jieba guessed)."""
    warm_up()
    tags = _word_tags()
    return [(w, start, tags.get(w) or ("x" if jieba.dt.FREQ.get(w) else "")) for w, start, _ in jieba.tokenize(text)]


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    import jieba.posseg  # its tag table is read from jieba's dictionary (0.2 s): only when names are looked for

    tags: dict[str, str] = jieba.posseg.dt.word_tag_tab
    return tags


# -- categories -------------------------------------------------------------------------------------

_WORD_CATEGORIES: dict[str, tuple[str, ...]] = {}
for _code, _words in lexicon.KEYWORDS.items():
    for _w in _words.split():
        _WORD_CATEGORIES[_w] = (*_WORD_CATEGORIES.get(_w, ()), _code)
_RE_KEYWORDS = re.compile("|".join(re.escape(w) for w in sorted(_WORD_CATEGORIES, key=len, reverse=True)))
_RE_TITLE = re.compile(r"《[^》]{1,60}》")
_RE_SEGMENT = re.compile(r"[；;。！!？?\n]+|(?=(?:上午|下午|晚上|中午|傍晚|早上)(?!好))")
_VISIT_LEAN = 2.0
_PATTERN_RULES = tuple((re.compile(pattern), code, boost) for pattern, code, boost in lexicon.PATTERN_RULES)


def _weight(word: str) -> float:
    if word in lexicon.SPECIFIC:
        return 2.5
    if word in lexicon.GENERIC:
        return 0.5
    return 1.0 + 0.25 * max(0, len(word) - 2)


def _blend_model(scores: dict[str, float], text: str, tokens: list[str]) -> dict[str, float]:
    """The lexicon's scores plus the learned model's probabilities in keyword-score units.

    The weight and floor of the blend ship with the model, chosen by cross-validation on the tune part.
    """
    model = category_model.current()
    if model is None:
        return scores
    feats = category_model.features(text, tokens)
    if not any(name in model.weights for name in feats):
        return scores  # nothing the model has seen: its answer would be the prior alone
    blended = dict(scores)
    for code, probability in model.probabilities(feats).items():
        if probability >= model.floor:
            blended[code] = blended.get(code, 0.0) + model.blend_weight * probability
    return blended


def _ranked(scores: dict[str, float]) -> tuple[str, ...]:
    """The top category and, when it scores near enough, the second."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], lexicon.CATEGORY_CODES.index(item[0])))
    chosen: list[str] = []
    if ranked:
        top_score = ranked[0][1]
        chosen.append(ranked[0][0])
        if len(ranked) > 1 and ranked[1][1] >= max(1.0, 0.45 * top_score):
            chosen.append(ranked[1][0])
    return tuple(chosen)


def model_features(simplified: str) -> dict[str, float]:
    """The learned model's features of a message as `analyse` shows it to `classify` (for training)."""
    text = strip_label(simplified) if entry_role(simplified) in OWN_WORDS else simplified
    text = _RE_TITLE.sub("《》", text)
    tokens = [t for s in _RE_SEGMENT.split(text) if s and s.strip() for t in set(tokenize(s))]
    return category_model.features(text, tokens)


@dataclass(frozen=True, slots=True)
class Classification:
    categories: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)
    # The keywords' own ranking, before the learned model's say: the kind is told from it (detect_kind was tuned
    # on it, and the model is trained for the category alone).
    keyword_categories: tuple[str, ...] = ()


def classify(text: str) -> Classification:
    """Rank the categories for a simplified text; keep up to two (classifier notes, domain.md §3)."""
    scores: dict[str, float] = defaultdict(float)
    # A title in 《》 names the material, not the activity: 学习《信访条例》 is study, not petitions.
    text = _RE_TITLE.sub("《》", text)
    segments = [s for s in _RE_SEGMENT.split(text) if s and s.strip()]
    all_tokens: list[str] = []
    for index, segment in enumerate(segments):
        tokens = set(tokenize(segment))
        all_tokens.extend(tokens)
        lead = 1.2 if index == 0 and len(segments) > 1 else 1.0
        for m in _RE_KEYWORDS.finditer(segment):
            word = m.group(0)
            bonus = 1.25 if word in tokens else 1.0
            for code in _WORD_CATEGORIES[word]:
                scores[code] += _weight(word) * bonus * lead
    for needs, any_of, code, boost in lexicon.CONTEXT_RULES:
        if all(n in text for n in needs) and any(a in text for a in any_of):
            scores[code] += boost
    for pattern, code, boost in _PATTERN_RULES:
        if pattern.search(text):
            scores[code] += boost
    blended = _blend_model(dict(scores), text, all_tokens)
    return Classification(categories=_ranked(blended), scores=blended, keyword_categories=_ranked(scores))


# -- kinds ------------------------------------------------------------------------------------------


# Asking for leave: 请假, 请两天假, 请一天事假, 请个假.
_RE_LEAVE_ASKED = re.compile(r"请[^，,。；;\s]{0,4}假")


def detect_kind(text: str, classification: Classification, places: list[dict[str, str]]) -> str:
    """Tell a work log from a visit note, a study record, a leave request or a return (domain.md §3 note 5)."""
    # "请销假制度", "请假打招呼" name the rules, not a leave of one's own.
    cleaned = text
    for excluded in lexicon.LEAVE_EXCLUDE:
        cleaned = cleaned.replace(excluded, "")
    if any(m in cleaned for m in lexicon.LEAVE_MARKERS) or _RE_LEAVE_ASKED.search(cleaned):
        return "leave"
    if any(m in cleaned for m in lexicon.BACK_MARKERS) and len(cleaned) <= 60:
        return "back"
    # A kind of leave named without asking for it (病假结束) is a leave only when no return was told.
    if any(m in cleaned for m in lexicon.LEAVE_TYPES):
        return "leave"
    main = classification.categories[0] if classification.categories else None
    starts_with_study = text.startswith(("学习", "自学", "研读", "读了", "读书"))
    if starts_with_study or (any(m in text for m in lexicon.STUDY_MARKERS) and "study" in classification.categories):
        return "study"
    visit_text = text
    for excluded in lexicon.VISIT_EXCLUDE:
        visit_text = visit_text.replace(excluded, "")
    # A visit says so (走访): notes taken at it or a chat about the past do not make it study.
    if any(m in visit_text for m in lexicon.VISIT_MARKERS):
        return "visit"
    if main == "study" and not re.search(r"经费|资金|万元|拨付", text):
        return "study"  # 争取到教师培训专项经费8万元 is money secured, not a study record
    if re.search(r"座谈(?!会)", text) and any(
        p["type"] in ("village", "community", "enterprise", "school") for p in places
    ):
        return "visit"
    # 到绿源茶业座谈: a talk held at the place, though the place is not in the registry.
    if re.search(r"(?:到|去)[^，,。；;参县市省局]{2,12}?座谈(?!会)", text):
        return "visit"
    if re.search(r"(?:到|去|上)[^，,。；;]{1,10}?家(?:里|中)?(?:走访|看望|了解|慰问|坐坐|坐了坐|坐了一会|聊了|看了看)", text):
        return "visit"
    if re.search(r"看望[^，,。；;]{0,8}?(?:某|大爷|大娘|大妈|奶奶|爷爷|老人|户|老党员)", text):
        return "visit"
    # 到新民社区走了走: an informal round of a place.
    if re.search(r"(?:到|去)[^，,。；;]{1,10}?(?:走了走|转了转|走一走|转一转|走了一圈|转了一圈)", text):
        return "visit"
    return "log"


def categories_for_kind(kind: str, classification: Classification) -> list[str]:
    """Put the kind's own category first where the kind implies one."""
    ranked = [c for c, _ in sorted(classification.scores.items(), key=lambda i: -i[1])]
    lead = {"visit": "research", "study": "study", "leave": "admin", "back": "admin"}.get(kind)
    if lead is None:
        return list(classification.categories)
    if kind in ("leave", "back"):
        return [lead]
    others = [c for c in ranked if c != lead and classification.scores[c] >= 1.0]
    return [lead, *others[:1]]


# -- details per kind -------------------------------------------------------------------------------

_CLAUSE = re.compile(r"[，,。；;！!？?\n]+")
_ISSUE_WORDS = (
    "反映",
    "想要",
    "希望",
    "缺",
    "需要",
    "诉求",
    "问题",
    "困难",
    "最急",
    "难",
    "漏",
    "坏",
    "降",
    "申请",
    "请求",
    "要求",
    "担心",
)
_PROMISE_WORDS = (
    "已记下",
    "答应",
    "承诺",
    "下周",
    "明天",
    "后天",
    "天内",
    "周内",
    "月底前",
    "回访",
    "跟进",
    "跟扶贫办",
    "报村",
    "前报",
    "前答复",
    "前解决",
    "再去",
    "再来",
)
# A household visited: 困难户张某, 李某某家, 到王大爷家.
_RE_HOUSEHOLD = re.compile(
    r"(?:困难户|低保户|贫困户|脱贫户|监测户|五保户|结对户|农户|村民|老党员|党员)([\u4e00-\u9fff]{1,3}?某{0,2})(?=[（(，,。；;家]|$)"
    r"|([\u4e00-\u9fff]某{1,2})家"
    r"|(?<=[组到去访])([\u4e00-\u9fff]{2,3})家(?![里中庭属])"
)
# Someone met in his role: 厂长王某, 校长, 支书.
_RE_PERSON_MET = re.compile(
    r"(厂长|校长|支书|村主任|书记|主任|经理|老板|负责人)([\u4e00-\u9fff]某{1,2}|[\u4e00-\u9fff]{1,2}(?=[，,。；;]))?"
)


def _labels(pattern: re.Pattern[str], text: str) -> list[str]:
    labels: list[str] = []
    for m in pattern.finditer(text):
        label = "".join(g for g in m.groups() if g)
        if label and label not in labels:
            labels.append(label)
    return labels


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c.strip()]


def visit_details(text: str, places: list[dict[str, str]], today: dt.date) -> dict[str, Any]:
    """Place, who was met, what was raised, what was promised and by when (domain.md §8.2)."""
    details: dict[str, Any] = {}
    main_places = [
        p for p in places if p["type"] in ("village", "community", "enterprise", "school", "institution", "town")
    ]
    if main_places:
        details["place"] = main_places[0]["name"]
    if households := _labels(_RE_HOUSEHOLD, text):
        details["households"] = households
    if people := _labels(_RE_PERSON_MET, text):
        details["people"] = people
    clauses = _clauses(text)
    issues = [c for c in clauses if any(w in c for w in _ISSUE_WORDS)]
    if issues:
        details["issues"] = issues
    promises = []
    for clause in clauses:
        if any(w in clause for w in _PROMISE_WORDS) or re.search(r"周[一二三四五六日]前", clause):
            due = parse_due_date(clause, today)
            promise: dict[str, Any] = {"text": clause}
            if due is not None:
                promise["due"] = due.isoformat()
            promises.append(promise)
    if promises:
        details["promises"] = promises
    return details


def study_details(text: str) -> dict[str, Any]:
    """Topic, materials, notes and 心得体会 flags that feed the 五有 counters."""
    details: dict[str, Any] = {}
    materials = re.findall(r"《([^》]{1,40})》", text)
    if materials:
        details["materials"] = materials
    if m := re.search(r"(?:学习|学)(?![习会])(?:了)?([^，,。；;《》]{2,30})", text):
        topic = m.group(1).strip()
        if topic and not topic.startswith(("会", "笔记")):
            details["topic"] = topic
    if materials and "topic" not in details:
        details["topic"] = "、".join(f"《{x}》" for x in materials)
    if re.search(r"笔记|摘记|记了", text):
        details["notes"] = True
    if "心得" in text or "体会" in text:
        details["reflection"] = True
    return details


_RE_LEAVE_DAYS = re.compile(rf"(?:请假|请了|休假|请)?({NUMBER_PATTERN}|半)(?:个)?(?:工作日|天)(?:假)?")
_APPROVER_TITLES = (
    "党委副书记|党委书记|副书记|书记|副镇长|镇长|副乡长|乡长|副县长|县长|区长|市长|副局长|局长|处长|副主任|主任|"
    "部长|科长|校长|院长|所长|站长|领导"
)
_APPROVED = r"(?:同意|批准|批了|准假|签批|签字|审批|批复)"
# Who approved a leave, named after the verb of asking: 跟王主任请过假, 向镇党委书记请假, 已请示张副书记,
# 已报张书记同意, 经李镇长批准 ("已经" is no 经 of approval).
_RE_APPROVER_AFTER = re.compile(
    rf"(?:跟|向|找|请示|报请|报经|报|(?<![已曾])经过?)\s*([\u4e00-\u9fff]{{1,4}}?(?:{_APPROVER_TITLES}))"
)
# ... or before the verb of approving: 王镇长已同意, 镇党委书记批准了 (one character of surname or place).
_RE_APPROVER_BEFORE = re.compile(rf"([\u4e00-\u9fff](?:{_APPROVER_TITLES}))(?:已经|已|也)?{_APPROVED}")
# A clause that only tells who approved ("已跟陈书记打过招呼", "王镇长已同意"): no dates, days or reason in it.
_RE_APPROVAL_WORDS = re.compile(rf"{_APPROVED}|打过招呼|打了招呼|请过假|请示|报备")
_RE_LEAVE_SPAN = re.compile(rf"请假|休假|天假|\d|(?:{NUMBER_PATTERN}|半)(?:个)?(?:工作日|天)")
_RE_LEAVE_TYPE = re.compile(r"(?:病|事|年|婚|丧|产|探亲|公休)假")
# What is left of a clause without its dates, day counts and leave words tells whether it states a reason.
_RE_LEAVE_NOISE = re.compile(
    rf"(?:{NUMBER_PATTERN}|半)(?:个)?(?:工作日|天)|(?:下下|下|这|本)?(?:周|星期|礼拜)[一二三四五六日天末]"
    rf"|\d{{1,2}}[-/月]\d{{1,2}}[日号]?|大?前天|昨天|今天|明天|后天|大后天|上午|下午|全天|起|开始|从|自"
    r"|请了|请过|请|休|假|了|的|[至到~-]"
)


def _approver(text: str) -> str | None:
    if m := _RE_APPROVER_AFTER.search(text):
        return m.group(1)
    if m := _RE_APPROVER_BEFORE.search(text):
        return m.group(1)
    return None


def _is_approval_clause(clause: str) -> bool:
    named = _RE_APPROVER_AFTER.search(clause) or _RE_APPROVER_BEFORE.search(clause)
    return bool(named or _RE_APPROVAL_WORDS.search(clause)) and not _RE_LEAVE_SPAN.search(clause)


def _states_reason(clause: str) -> bool:
    rest = _RE_APPROVER_AFTER.sub("", clause)
    return len(re.findall(r"[\u4e00-\u9fff]", _RE_LEAVE_NOISE.sub("", rest))) >= 2


def _leave_reason(head: str, tail: str) -> str | None:
    """The first clause after the leave word (else before it) that says why, without its 因为."""
    for source in (tail, head):
        source = re.sub(r"^假", "", source)
        source = re.sub(rf"^\s*(?:了)?(?:{NUMBER_PATTERN}|半)(?:个)?(?:工作日|天)(?:假)?", "", source)
        for clause in _clauses(source):
            if not _states_reason(clause):
                continue
            reason = re.sub(r"^(?:因为|因)", "", clause) if clause.startswith("因") else clause
            if reason and len(reason) <= 60:
                return reason
    return None


def leave_details(text: str, today: dt.date) -> dict[str, Any]:
    """From, to, days, reason and approver of a leave request; future dates are fine here."""
    details: dict[str, Any] = {}
    approver = _approver(text)
    # Clauses that only say who approved are set aside: their 请 (请过假, 请示) is not the leave's.
    kept = [c for c in _clauses(text) if not _is_approval_clause(c)]
    body = "，".join(kept) if kept else text
    head, _, tail = body.partition("请")
    start = None
    if head:
        start = parse_work_date(head, today).date if re.search("今|昨|前天", head) else parse_due_date(head, today)
    start = start or today
    days: float | None = None
    if m := _RE_LEAVE_DAYS.search(body):
        days = 0.5 if m.group(1) == "半" else cn_to_number(m.group(1))
    end = None
    if m := re.search(r"[至到~-]\s*((?:\d{4}[-/年])?\d{1,2}[-/月]\d{1,2}[日号]?)", body):
        end = parse_user_date(m.group(1), today)
        if end is not None and end < start:
            end = end.replace(year=end.year + 1)
    if end is None and (m := re.search(r"([^，,。；;]{1,8}?)(?:返岗|回来|上班|回岗)", body)):
        back = parse_due_date(m.group(1), start)
        if back is not None and back > start:
            end = back - dt.timedelta(days=1)
    if end is None and days:
        end = start + dt.timedelta(days=max(0, int(days + 0.5) - 1))
    details["from"] = start.isoformat()
    details["to"] = (end or start).isoformat()
    if days:
        details["days"] = int(days) if days == int(days) else days
    elif end is not None:
        details["days"] = (end - start).days + 1
    reason = _leave_reason(head if tail else "", tail if tail else body)
    if reason is None and (m := _RE_LEAVE_TYPE.search(body)):
        reason = m.group(0)  # 病假, 事假, 年假: the kind of leave is the reason given
    if reason:
        details["reason"] = reason
    if approver:
        details["approver"] = approver
    return details


# -- the whole message ------------------------------------------------------------------------------

# Explicit prefixes override detection ("走访：…", "学习 …").
PREFIX_KINDS = {"日志": "log", "走访": "visit", "学习": "study", "请假": "leave", "销假": "back"}
_RE_PREFIX = re.compile(r"^(日志|走访|学习|请假|销假)\s*[:：,，\s]\s*|^(日志|销假)$")


def split_prefix(text: str) -> tuple[str | None, str]:
    """Return (kind, rest) for a text starting with an explicit Chinese prefix, else (None, text)."""
    if m := _RE_PREFIX.match(text):
        word = m.group(1) or m.group(2)
        return PREFIX_KINDS[word], text[m.end() :].strip()
    return None, text


@dataclass(frozen=True, slots=True)
class Analysis:
    simplified: str
    kind: str
    categories: tuple[str, ...]
    date: DateParse
    facts: dict[str, Any]
    details: dict[str, Any]
    role: Role = "work"


def details_for(kind: str, text: str, places: list[dict[str, str]], today: dt.date) -> dict[str, Any]:
    if kind == "visit":
        return visit_details(text, places, today)
    if kind == "study":
        return study_details(text)
    if kind == "leave":
        return leave_details(text, today)
    return {}


@lru_cache(maxsize=2048)
def _classify_cached(simplified: str) -> Classification:
    return classify(simplified)


def analyse(text: str, today: dt.date, kind: str | None = None) -> Analysis:
    """Analyse one message written on `today` (the user's local date); `kind` overrides detection."""
    simplified = simplify(text)
    role = entry_role(simplified)
    # Own words are classified by what they say, not by their label (心得体会 is no study session).
    classification = _classify_cached(strip_label(simplified) if role in OWN_WORDS else simplified)
    facts = extract_facts(simplified)
    places = facts.get("places", [])
    detected = detect_kind(simplified, classification, places)
    chosen = kind or detected
    if kind is None and role != "work" and detected == "visit":
        # Visits planned, summed up or reflected on lean to research without owning it: 本月帮扶小结：入户走访…
        # is aid.
        scores = {**classification.scores, "research": classification.scores.get("research", 0.0) + _VISIT_LEAN}
        categories = tuple(c for c, _ in sorted(scores.items(), key=lambda i: -i[1])[:2] if scores[c] >= 1.0)
    else:
        categories = tuple(categories_for_kind(kind or detected, classification))
    if kind is None and role == "summary" and chosen in ("leave", "back"):
        # 7月工作小结：…请假2天 restates a leave already recorded: it asks for none
        chosen = "log"
        categories = tuple(c for c in classification.categories if c != "admin") or classification.categories
    if kind is None and role != "work" and chosen in ("visit", "study"):
        # A plan, a summary or own words is no visit note or study record: counted as one it would inflate the
        # places visited and the study sessions, or count them before they happen.
        chosen = "log"
    date = parse_work_date(simplified, today) if chosen not in ("leave", "back") else DateParse()
    return Analysis(
        simplified=simplified,
        kind=chosen,
        categories=categories,
        date=date,
        facts=facts,
        details=details_for(chosen, simplified, places, today),
        role=role,
    )


def keywords(text: str, top: int = 20) -> list[tuple[str, float]]:
    """Return the text's TF-IDF keywords with weights (jieba.analyse, the domain dictionary loaded)."""
    warm_up()
    import jieba.analyse  # loads the 6 MB IDF table: only when a report needs it

    return [(str(w), float(s)) for w, s in jieba.analyse.extract_tags(text, topK=top, withWeight=True)]
