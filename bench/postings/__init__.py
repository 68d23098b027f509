"""Synthetic postings with hand-written truth, the yardstick for compiled reports (bench/report_quality.py).

Each module here (township, first_secretary, bureau) gives one cadre's profile, the messages he sent over a
report period as (sent date, text), and a `TRUTH` written by hand from those messages, with comments a reviewer
can check line by line. This package only turns the messages into entries the way the bot would store them; the
truth is never computed from the messages.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, replace

from analysis.classify import analyse, split_prefix
from storage.entities import Entry, Person

POSTING_MODULES = ("township", "first_secretary", "bureau")
_STORED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # timestamps the report never reads


@dataclass(frozen=True, slots=True)
class Name:
    """A named place, organisation or project: the full name a report should use and the forms the cadre typed."""

    full: str
    kind: str  # village | community | town | enterprise | cooperative | school | project | unit
    short: tuple[str, ...] = ()  # short forms and other acceptable names (never typos: those go to `forbidden`)

    def forms(self) -> tuple[str, ...]:
        """The full name and every acceptable other form."""
        return (self.full, *self.short)


@dataclass(frozen=True, slots=True)
class Figure:
    """A quantity the period's records support: value in the base unit, and words one of which stands near it."""

    key: str
    value: float  # 元 for money, 米 for lengths, else the count
    unit: str  # the canonical unit (see report_quality.UNIT_CLASSES): 户, 户次, 元, 米, 起, 人次, 次, 天, 个 …
    context: tuple[str, ...]  # a report states it near one of these words (走访, 入户 …)
    headline: bool = False  # one of the period's key totals


@dataclass(frozen=True, slots=True)
class Tally:
    """One line of a hand-kept ledger: the message it comes from (sent date, a few words) and its count."""

    sent: dt.date
    what: str
    count: float = 1


@dataclass(frozen=True, slots=True)
class Fund:
    """Money secured for the host in the period, from one source."""

    sent: dt.date
    source: str
    purpose: str
    yuan: float


@dataclass(frozen=True, slots=True)
class Project:
    """A project followed over weeks: its name, its state at the end of the period and its figures."""

    name: Name
    state: str  # the latest state reached in the period (出水, 完工, 投用, 签订意向 …)
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class Truth:
    """What the messages say, written by hand; the ledgers let a reviewer re-add every total."""

    villages: tuple[Name, ...]  # villages visited in the period (not those only planned)
    communities: tuple[Name, ...]
    enterprises: tuple[Name, ...]  # enterprises and cooperatives visited
    schools: tuple[Name, ...]
    projects: tuple[Project, ...]
    others: tuple[Name, ...]  # other names the messages use, allowed in a report but not required there
    households: tuple[Tally, ...]  # household visits (户次), one line per visiting message
    households_distinct: int  # different households among them (户)
    petitions: tuple[Tally, ...]  # petition cases (起), one line per message
    petition_visitors: tuple[Tally, ...]  # petition visitors (人次)
    meetings: tuple[Tally, ...]
    studies: tuple[Tally, ...]  # study sessions (a meeting is not also a study session unless it is 学习)
    funds: tuple[Fund, ...]
    lengths: tuple[Tally, ...]  # lengths completed, in metres (progress reports are not added)
    leave: tuple[tuple[dt.date, dt.date], ...]  # days away, first and last (weekends inside a 1-day leave excluded)
    figures: tuple[Figure, ...]  # the totals, written by hand (tests re-add the ledgers and compare)
    forbidden: tuple[str, ...]  # strings a report must never contain: typos of names, private names, fragments
    notes: str = ""  # what a reviewer should know about the counting


@dataclass(frozen=True, slots=True)
class BenchPosting:
    """One synthetic posting: profile, report period, messages and truth."""

    name: str
    person: Person
    start: dt.date  # report period
    end: dt.date
    today: dt.date  # compile date
    messages: tuple[tuple[dt.date, str], ...]
    truth: Truth

    def entries(self) -> list[Entry]:
        """The messages as the bot would store them (analysed on their sent date)."""
        return build_entries(self.messages, self.person.id)


def build_entry(seq: int, sent: dt.date, text: str, person_id: int = 1) -> Entry:
    """One message analysed as capture stores it: prefix split, analysed on its sent date, no database."""
    kind, body = split_prefix(text)
    result = analyse(body, sent, kind)
    return Entry(
        id=seq,
        seq=seq,
        person_id=person_id,
        kind=result.kind,
        work_date=result.date.date or sent,
        text=text,
        original_text=text,
        categories=result.categories,
        categories_by_user=False,
        kind_by_user=kind is not None,
        facts=result.facts,
        details=dict(result.details),
        status="active",
        latitude=None,
        longitude=None,
        created_at=_STORED_AT,
        updated_at=_STORED_AT,
    )


def build_entries(messages: tuple[tuple[dt.date, str], ...], person_id: int = 1) -> list[Entry]:
    """All messages as entries, numbered from 1; a return closes the open leave, as capture does."""
    entries: list[Entry] = []
    for seq, (sent, text) in enumerate(messages, start=1):
        entry = build_entry(seq, sent, text, person_id)
        if entry.kind == "back":
            open_leaves = [i for i, e in enumerate(entries) if e.kind == "leave" and "returned_on" not in e.details]
            if open_leaves:
                index = open_leaves[-1]
                leave = entries[index]
                details = {**leave.details, "returned_on": entry.work_date.isoformat()}
                entries[index] = replace(leave, details=details)
                entry = replace(entry, details={**entry.details, "closed_leave": leave.seq})
        entries.append(entry)
    return entries


def load(name: str) -> BenchPosting:
    """The posting defined by module bench.postings.<name>."""
    module = importlib.import_module(f"bench.postings.{name}")
    posting: BenchPosting = module.POSTING
    return posting


def all_postings() -> list[BenchPosting]:
    """Every synthetic posting, in a fixed order."""
    return [load(name) for name in POSTING_MODULES]
