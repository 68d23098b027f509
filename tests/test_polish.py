"""The report's prose by an on-premises model, held to the records: against a fake OpenAI-compatible server.

The drafts are the compiler's own (a bench posting, or entries logged through the dispatcher); the only fake is
the model server on 127.0.0.1 (tests/fake_openai.py), answering in the API's shapes and errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import sqlite3
import threading
import zipfile
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from bench.postings import load
from bot.config import Settings
from bot.llm import BACKOFF, OpenAICompatibleModel
from handlers import polish, texts
from handlers.messages import Reply
from handlers.polish import Polisher, polish_draft
from handlers.router import Dispatcher
from reporting.compose import compile_report
from reporting.model import ReportDraft
from reporting.polish import RESPONSE_FORMAT, Written, check_written, parse_answer, plan_report
from reporting.verify import Records, figure_spans, numerals_outside
from storage.db import Database
from tests.conftest import Chat, FrozenClock, register_cadre
from tests.fake_openai import FakeOpenAI, Outcome, Request

MODEL = "qwen2.5-7b-instruct"
PETITIONS = "做好来访接待，维护和谐稳定"  # a section of the township posting's draft, with figures and places


# -- fixtures -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def township() -> tuple[ReportDraft, Records]:
    posting = load("township")
    entries = posting.entries()
    draft = compile_report("mid", posting.person, entries, posting.start, posting.end, posting.today)
    chosen = [e for e in entries if e.status == "active" and posting.start <= e.work_date <= posting.end]
    return draft, Records.build(chosen, posting.person)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


class Sleeps:
    """The backoff the client would wait (recorded, not slept: no test waits for a clock)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


OPENED: list[OpenAICompatibleModel] = []


@pytest.fixture(autouse=True)
async def _close_models() -> AsyncIterator[None]:
    yield
    while OPENED:
        await OPENED.pop().close()


def model_for(fake: FakeOpenAI, sleeps: Sleeps, timeout: float = 10.0, name: str = MODEL) -> OpenAICompatibleModel:
    OPENED.append(OpenAICompatibleModel(fake.base_url, name, timeout=timeout, sleep=sleeps))
    return OPENED[-1]


def plan_of(request: Request) -> str:
    """The section plan a request carries (its first user message; a retry adds the answer and the problems)."""
    return str((request.json or {})["messages"][1]["content"])


def is_retry(request: Request) -> bool:
    return len((request.json or {})["messages"]) > 2


def heading(request: Request) -> str:
    return plan_of(request).splitlines()[0].removeprefix("本节标题：")


def drafts(request: Request) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^第\d+段：(.*)$", plan_of(request), re.M)]


def seqs(request: Request) -> list[int]:
    return [int(s) for s in re.findall(r"^\[E(\d+)\]", plan_of(request), re.M)]


def answer(paragraphs: list[tuple[str, list[int]]]) -> str:
    return json.dumps({"paragraphs": [{"text": t, "cites": c} for t, c in paragraphs]}, ensure_ascii=False)


def rewrite(request: Request, prefix: str = "据记录，") -> str:
    """A faithful rewrite: every paragraph of the plan with new words in front, its placeholders kept."""
    return answer([(prefix + d, seqs(request)) for d in drafts(request)])


def section_paragraphs(draft: ReportDraft, title: str) -> list[str]:
    for section in draft.sections:
        if section.heading == title:
            return [p.text for p in section.paragraphs]
        for sub in section.subsections:
            if sub.heading == title:
                return [p.text for p in sub.paragraphs]
    raise KeyError(title)


# -- the pure half: plans, placeholders, parsing, the numeral rule -------------------------------------------------


def test_the_plan_has_placeholders_for_every_figure_and_numbered_entries(township: tuple[ReportDraft, Records]) -> None:
    draft, _ = township
    plans = {p.heading: p for p in plan_report(draft)}
    plan = plans[PETITIONS]
    assert not re.search(r"\d", re.sub(r"\{F\d+\}", "", plan.drafts[0]))  # no digit left outside a placeholder
    figures = {f.key: f.text for f in plan.figures}
    assert "28人次" in figures.values() and "12起" in figures.values()
    assert all(s.seq in plan.seqs for p in plan.originals for s in p.sources)
    # filling the placeholders gives the compiler's paragraph back, character for character
    filled = re.sub(r"\{(F\d+)\}", lambda m: figures[m.group(1)], plan.drafts[0])
    assert filled == plan.originals[0].text
    # 【待补充】 lines and template paragraphs are never sent
    assert all("待补充" not in d for p in plans.values() for d in p.drafts)


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("一是走访，二是统一部署，深入一线，了解一些情况，进一步落实", []),
        ("两个维护、四个意识、三会一课、村两委、第一书记、一起研究", []),
        ("7月一起调解好了", ["7月"]),
        ("化解一起纠纷，走访三户，先后两次，跑了十几趟", ["一起", "三户", "两次", "十几趟"]),
        ("全镇9个行政村、2.3万人，8月26日完工，2026年6月1日到岗", ["9个", "2.3万人", "8月26日", "2026年6月1日"]),
        ("学习《教育强国建设规划纲要（2024—2035年）》", []),
        ("走访３户😀，🎉", ["３户"]),
        ("", []),
    ],
)
def test_which_numerals_are_figures(text: str, figures: list[str]) -> None:
    assert [text[a:b] for a, b in figure_spans(text)] == figures


def test_a_model_may_write_no_numeral_outside_a_placeholder() -> None:
    assert numerals_outside("接待来访群众{F1}，受理信访事项{F2}，一是……二是……") == []
    assert numerals_outside("接待来访群众28人次") == ["28人次"]
    assert numerals_outside("走访三户困难户") == ["三户"]
    assert numerals_outside("编号Ⅸ-٣") == ["٣"]  # any digit, of any script


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ('{"paragraphs": [{"text": "甲", "cites": [1, 2]}]}', True),
        ('<think>先想想：3户，5人次……</think>\n{"paragraphs": [{"text": "甲", "cites": [1]}]}', True),
        ('好的，结果如下：\n```json\n{"paragraphs": [{"text": "甲", "cites": ["E1"]}]}\n```', True),
        ('思考过程……</think>{"paragraphs": [{"text": "甲", "cites": [1]}]}', True),
        ("<think>想到一半被截断", False),
        ('{"paragraphs": [{"text": "甲", "cites": [1]}', False),
        ('{"paragraphs": []}', False),
        ('{"paragraphs": [{"text": 5, "cites": []}]}', False),
        ('{"paragraphs": [{"text": "甲", "cites": [true]}]}', False),
        ('{"paragraphs": [{"text": "甲", "cites": "1"}]}', False),
        ("[" * 5000 + "]" * 5000, False),
        ("", False),
        ("😀" * 1000, False),
    ],
)
def test_answers_are_parsed_tolerantly_and_refused_when_malformed(raw: str, ok: bool) -> None:
    assert (parse_answer(raw) is not None) is ok


# -- polishing a draft through the fake server ------------------------------------------------------------------------


async def test_good_paragraphs_are_filled_and_used(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = rewrite
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    planned = plan_report(draft)
    assert outcome.planned == len(planned) == outcome.answered and not outcome.timed_out
    assert outcome.draft.model_written == sum(len(p.originals) for p in planned) and outcome.draft.model_replaced == 0
    text = section_paragraphs(outcome.draft, PETITIONS)[0]
    assert text.startswith("据记录，") and "28人次" in text and "12起" in text and "{F" not in text
    paragraph = next(p for p in outcome.draft.paragraphs() if p.text == text)
    assert paragraph.by_model and set(paragraph.cites) == {s.seq for s in paragraph.sources}
    # every request asked for the schema
    assert all(r.json and r.json["response_format"] == RESPONSE_FORMAT for r in fake.chat_requests())
    assert outcome.draft.title == draft.title and outcome.draft.closing == draft.closing


CORRUPTIONS = {
    "invented number": lambda d, s: answer([(d + "另走访群众5户。", s)]),
    "invented number in words": lambda d, s: answer([(d + "另走访群众五户。", s)]),
    "invented village": lambda d, s: answer([(d + "还到张家湾村了解情况。", s)]),
    "wrong citation": lambda d, s: answer([(d, [*s, 9999])]),
    "no citation": lambda d, s: answer([(d, [])]),
    "invented reflection": lambda d, s: answer([(d + "通过接访，我深刻体会到群众利益无小事。", s)]),
    "invented plan": lambda d, s: answer([(d + "下一步将继续跟踪办理。", s)]),
    "unknown placeholder": lambda d, s: answer([(d + "涉及资金{F99}。", s)]),
    "a heading": lambda d, s: answer([("一、" + d, s)]),
    "malformed JSON": lambda d, s: '{"paragraphs": [{"text": "' + d,
    "two paragraphs for one": lambda d, s: answer([(d, s), (d, s)]),
}


@pytest.mark.parametrize("kind", CORRUPTIONS)
async def test_a_bad_paragraph_is_caught_retried_once_and_replaced(
    kind: str, fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    corrupt = CORRUPTIONS[kind]

    def respond(request: Request) -> str:
        if heading(request) != PETITIONS:
            return rewrite(request)
        return corrupt(drafts(request)[0], seqs(request))  # the retry is as bad

    fake.chat = respond
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    asked = [r for r in fake.chat_requests() if heading(r) == PETITIONS]
    assert [is_retry(r) for r in asked] == [False, True]
    assert section_paragraphs(outcome.draft, PETITIONS) == section_paragraphs(draft, PETITIONS)  # the compiler's
    assert outcome.draft.model_replaced == 1
    assert outcome.draft.model_written == sum(len(p.originals) for p in plan_report(draft)) - 1
    feedback = asked[1].json["messages"][-1]["content"] if asked[1].json else ""
    assert feedback.startswith(("上次的稿子有问题", "上次的输出不是规定的 JSON"))


async def test_a_paragraph_put_right_on_the_retry_is_used(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township

    def respond(request: Request) -> str:
        if heading(request) == PETITIONS and not is_retry(request):
            return answer([(drafts(request)[0] + "还到张家湾村了解情况。", seqs(request))])
        return rewrite(request, "经核对，")

    fake.chat = respond
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    assert section_paragraphs(outcome.draft, PETITIONS)[0].startswith("经核对，")
    assert outcome.draft.model_replaced == 0
    retry = next(r for r in fake.chat_requests() if is_retry(r))
    assert "张家湾村" in retry.prompt_text()  # the problem is named to the model


async def test_a_think_block_and_a_code_fence_are_fine(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = lambda r: "<think>要用占位符，不能写3户。</think>\n```json\n" + rewrite(r) + "\n```"
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    assert outcome.draft.model_replaced == 0 and outcome.draft.model_written > 0
    assert not any(is_retry(r) for r in fake.chat_requests())


def first_then(first: Outcome, then: Callable[[Request], str] = rewrite) -> Callable[[Request], str | Outcome]:
    """Each section's first request gets `first`; the next ones are answered."""
    seen: set[str] = set()

    def respond(request: Request) -> str | Outcome:
        key = heading(request)
        if key not in seen:
            seen.add(key)
            return first
        return then(request)

    return respond


async def test_a_500_is_retried_once_after_a_backoff(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = first_then(Outcome(500, "CUDA out of memory"))
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    assert outcome.answered == outcome.planned and outcome.draft.model_replaced == 0
    assert sleeps.waits == [BACKOFF] * outcome.planned


async def test_a_500_twice_leaves_the_compilers_draft(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = lambda r: Outcome(500)
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    assert outcome.answered == 0 and outcome.error == "500"
    assert outcome.draft.body_text() == draft.body_text() and outcome.draft.model_written == 0
    assert len(fake.chat_requests()) == 2 * outcome.planned


async def test_a_429_honours_retry_after(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = first_then(Outcome(429, "Rate limit reached", retry_after=7))
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    assert outcome.answered == outcome.planned
    assert sleeps.waits == [7.0] * outcome.planned


async def test_a_429_asking_for_longer_than_the_budget_gives_up(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = first_then(Outcome(429, retry_after=600))
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=30)
    assert outcome.answered == 0 and sleeps.waits == [] and "budget" in (outcome.error or "")
    assert outcome.draft.body_text() == draft.body_text()


async def test_a_slow_call_times_out_and_is_retried(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    only = next(p for p in plan_report(draft) if p.heading == PETITIONS)
    fake.chat = first_then(Outcome(delay=5))
    outcome = await polish_draft(draft, records, model_for(fake, sleeps, timeout=1.5), budget=60, parallel=20)
    assert outcome.answered == outcome.planned and sleeps.waits == [BACKOFF] * outcome.planned
    assert section_paragraphs(outcome.draft, only.heading)[0].startswith("据记录，")


async def test_a_model_that_never_answers_is_given_up_at_the_budget(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    fake.chat = lambda r: Outcome(hang=True)
    outcome = await polish_draft(draft, records, model_for(fake, sleeps, timeout=60), budget=0.5)
    assert outcome.timed_out and outcome.answered == 0
    assert outcome.draft.body_text() == draft.body_text()
    assert polish.failure_text(outcome) == texts.POLISH_FAILED_TIMEOUT


async def test_an_unreachable_server_leaves_the_draft(sleeps: Sleeps, township: tuple[ReportDraft, Records]) -> None:
    draft, records = township
    server = FakeOpenAI().start()
    url = server.base_url
    server.stop()  # nothing listens there any more
    model = OpenAICompatibleModel(url, MODEL, timeout=2, sleep=sleeps)
    OPENED.append(model)
    outcome = await polish_draft(draft, records, model, budget=20)
    assert outcome.answered == 0 and outcome.draft.body_text() == draft.body_text()
    assert polish.failure_text(outcome) == texts.POLISH_FAILED


async def test_a_wrong_model_name_is_not_retried(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township
    model = model_for(fake, sleeps, name="no-such-model")
    outcome = await polish_draft(draft, records, model, budget=20)
    assert outcome.answered == 0 and len(fake.chat_requests()) == outcome.planned and sleeps.waits == []


async def test_a_server_refusing_the_schema_is_asked_for_plain_json(
    fake: FakeOpenAI, sleeps: Sleeps, township: tuple[ReportDraft, Records]
) -> None:
    draft, records = township

    def respond(request: Request) -> str | Outcome:
        if (request.json or {}).get("response_format", {}).get("type") == "json_schema":
            return Outcome(400, "response_format json_schema is not supported")
        return rewrite(request)

    fake.chat = respond
    outcome = await polish_draft(draft, records, model_for(fake, sleeps), budget=60)
    assert outcome.answered == outcome.planned and outcome.draft.model_replaced == 0


def test_a_filled_paragraph_is_held_to_the_entries_it_cites(township: tuple[ReportDraft, Records]) -> None:
    draft, records = township
    plan = next(p for p in plan_report(draft) if p.heading == PETITIONS)
    cited = sorted(plan.seqs)
    paragraph, problems = check_written(plan, 0, Written("据记录，" + plan.drafts[0], tuple(cited)), records)
    assert paragraph is not None and problems == []
    assert [s.seq for s in paragraph.sources] == cited
    # citing only the June entries, its 7月 and 8月 have no entry behind them
    june = tuple(s.seq for s in plan.entries if s.date.month == 6)
    paragraph, problems = check_written(plan, 0, Written("据记录，" + plan.drafts[0], june), records)
    assert paragraph is None and "记录里没有“7月”" in problems and "记录里没有“8月”" in problems


# -- through the handler: /report, the follow-up after the commit, the data sent ----------------------------------


class Sent:
    def __init__(self) -> None:
        self.replies: list[tuple[str, str, Reply]] = []

    async def __call__(self, channel: str, chat_id: str, reply: Reply) -> str:
        self.replies.append((channel, chat_id, reply))
        return "sent"


@pytest.fixture
def sent() -> Iterator[Sent]:
    recorder = Sent()
    yield recorder
    polish.configure(None)


MINE = (
    "7月1日走访东坪村5户困难户，了解饮水和就医情况",
    "7月2日信访接待日，接待来访群众6人次，受理2起，涉及宅基地纠纷",
    "7月3日到东坪村调解宅基地纠纷，双方签了调解协议",
    "7月6日走访石桥村3户脱贫户，了解务工收入",
    "7月8日石桥村打井项目开工，争取资金30万元",
    "7月9日参加镇党委会，研究防汛工作",
    "7月10日石桥村打井项目出水，40户村民吃上自来水",
    "7月13日走访东坪村4户独居老人，检查用电安全",
    "体会：基层工作要多到群众家里去",
)
THEIRS = ("7月2日走访红旗村7户低保户，了解取暖困难", "7月5日到红旗村调解土地纠纷，3户签了协议")


async def logged(chat: Chat, lines: tuple[str, ...], clock: FrozenClock) -> None:
    for text in lines:
        await chat.say(text)
    clock.now = dt.datetime(2026, 7, 15, 12, 0, tzinfo=dt.UTC)


async def test_report_replies_at_once_then_sends_the_polished_copy(
    database_url: str,
    chat: Chat,
    cadre: str,
    clock: FrozenClock,
    db: Database,
    dispatcher: Dispatcher,
    fake: FakeOpenAI,
    sleeps: Sleeps,
    sent: Sent,
) -> None:
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    other = Chat(dispatcher, clock, user="51002")
    await logged(other, THEIRS, clock)
    await logged(chat, MINE, clock)
    free: list[bool] = []
    probing = threading.Lock()  # sections are asked at once: one probe at a time, or two probes lock each other out

    def respond(request: Request) -> str:
        # the model is asked outside the message's transaction: another writer gets the database meanwhile
        if database_url.startswith("sqlite:///"):
            with probing, contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)) as other:
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.rollback()
                    free.append(True)
                except sqlite3.OperationalError:
                    free.append(False)
        return rewrite(request)

    fake.chat = respond
    polish.configure(Polisher(model_for(fake, sleeps), frozenset({"mid", "final"}), budget=60, send=sent))

    reply = await chat.say("/report 中期 依据")
    assert texts.POLISH_PROGRESS.format(seconds=60) in reply.text
    assert reply.document is not None and "润色稿" not in reply.document.filename  # the compiler's draft, at once
    await dispatcher.settle()  # the polish runs after the commit, outside the transaction

    assert len(sent.replies) == 1
    channel, chat_id, follow = sent.replies[0]
    assert (channel, chat_id) == ("telegram", "51001")
    written = int(re.search(r"改写了 (\d+) 段", follow.text).group(1))  # type: ignore[union-attr]
    assert written > 0 and "另有 0 段未通过核对" in follow.text
    assert follow.document is not None and "润色稿" in follow.document.filename and "审阅稿" in follow.document.filename
    comments = zipfile.ZipFile(io.BytesIO(follow.document.data)).read("word/comments.xml").decode()
    assert comments.count("本段由本地模型改写，引用记录#") == written

    # what the model was shown: only the sections' plans, nothing of the other cadre's
    prompts = [r.prompt_text() for r in fake.chat_requests()]
    assert prompts and all("红旗村" not in p and "赵强" not in p for p in prompts)
    assert all(t[:6] not in p for t in THEIRS for p in prompts)
    for request in fake.chat_requests():
        lines = re.findall(r"^\[E\d+\] \d+月\d+日 (.*)$", plan_of(request), re.M)
        assert lines and all(any(line in mine for mine in MINE) for line in lines)  # his own entries only
    assert all(free) and (free or not database_url.startswith("sqlite"))


async def test_report_with_the_model_down_sends_the_note(
    chat: Chat, cadre: str, clock: FrozenClock, dispatcher: Dispatcher, fake: FakeOpenAI, sleeps: Sleeps, sent: Sent
) -> None:
    await logged(chat, MINE, clock)
    fake.chat = lambda r: Outcome(503, "loading model")
    polish.configure(Polisher(model_for(fake, sleeps), frozenset({"mid"}), budget=60, send=sent))
    reply = await chat.say("/report 中期")
    assert reply.document is not None
    await dispatcher.settle()
    assert [r.text for _, _, r in sent.replies] == [texts.POLISH_FAILED]
    assert sent.replies[0][2].document is None


async def test_report_without_a_model_is_the_compilers_draft_exactly(
    chat: Chat, cadre: str, clock: FrozenClock, dispatcher: Dispatcher, fake: FakeOpenAI, sleeps: Sleeps, sent: Sent
) -> None:
    await logged(chat, MINE, clock)
    polish.configure(None)
    plain = await chat.say("/report 中期")
    # configured for other kinds only: the same as none
    polish.configure(Polisher(model_for(fake, sleeps), frozenset({"week"}), budget=60, send=sent))
    other_kinds = await chat.say("/report 中期")
    await dispatcher.settle()
    for reply in (plain, other_kinds):
        assert reply.document is not None and "本地模型" not in reply.text
    assert plain.text == other_kinds.text
    assert docx_body(plain.document.data) == docx_body(other_kinds.document.data)  # type: ignore[union-attr]
    assert fake.chat_requests() == [] and sent.replies == []


def docx_body(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_settings_default_to_no_model_and_check_the_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.report_llm_base_url is None and settings.report_llm_kind_set() == {"mid", "final"}
    assert settings.report_llm_budget_seconds == 120
    monkeypatch.setenv("REPORT_LLM_BASE_URL", "http://10.0.0.5:8000/v1")
    with pytest.raises(ValueError, match="REPORT_LLM_MODEL"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("REPORT_LLM_MODEL", "Qwen/Qwen2.5-7B-Instruct")
    monkeypatch.setenv("REPORT_LLM_KINDS", " mid, week ")
    assert Settings(_env_file=None).report_llm_kind_set() == {"mid", "week"}  # type: ignore[call-arg]
    monkeypatch.setenv("REPORT_LLM_KINDS", "mid,季度")
    with pytest.raises(ValueError, match="季度"):
        Settings(_env_file=None)  # type: ignore[call-arg]
