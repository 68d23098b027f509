"""How well the verifier (reporting/verify.py) catches what a model could get wrong, on the bench's own drafts.

For each posting of bench/report_quality.py the compiler's mid-term draft is made; each paragraph written from
entries is checked as it stands (a clean paragraph refused is a false alarm: target 0), and corrupted four ways:

- a figure changed: one number of the paragraph (3户, 28人次, 38万元, 7月7日) given another value — one that no
  source entry of the paragraph and the paragraph itself write with that unit (else skipped: no corruption);
- a name swapped: a place or organisation of the paragraph replaced by one of the same kind from another posting
  — one that none of this cadre's messages names (else skipped);
- a sentence from another cadre: a sentence of another posting's draft put into the paragraph — one stating a
  name none of this cadre's messages has, a figure neither the paragraph nor its sources write, or a date none
  of its entries is dated (else skipped: 坚持把矛盾化解在基层。 or 6月到现场调解好了。 in a paragraph written
  from June entries say nothing the records could contradict — a claim in common words is beyond any verifier);
- a reflection or plan added (我深刻认识到…, 下一步将继续…) — unless the paragraph's own sources use that word.

Whether a variant is a corruption is decided by plain string tests over the messages, never by the verifier. A
variant is caught when `check_paragraph` finds anything in it. Prints caught / total per kind (target ≥ 99 %),
clean paragraphs refused, and how many candidates were skipped and why.

Run: .venv/bin/python bench/verifier.py [--show-missed N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postings import POSTING_MODULES, BenchPosting, load
from reporting.model import Paragraph, ReportDraft
from reporting.verify import Records, check_paragraph

SEED = 20260901
TARGET = 0.99
# a number as the drafts write them, with its unit (dates whole): the bench's own pattern, not the verifier's
RE_FIGURE = re.compile(
    r"(?:(\d{1,2})月(\d{1,2})日)|(\d+(?:\.\d+)?)(万)?(余|多)?"
    r"(户次|人次|公里|元|户|人|名|起|件|次|个|家|所|天|篇|亩|米|组|条|项|期|场|批|处|座|月)"
)
RE_SENTENCE = re.compile(r"[^。！？]+[。！？]")
# the kinds of place a name may be swapped for, by the suffix that says its kind
KIND_SUFFIXES = {
    "village": ("村",),
    "community": ("社区",),
    "enterprise": ("公司", "厂"),
    "cooperative": ("合作社",),
    "school": ("小学", "中学", "学校", "幼儿园"),
}
REFLECTIONS = (
    ("认识到", "通过这项工作，我深刻认识到群众利益无小事。"),
    ("体会", "我体会到，基层工作只有沉下去才能摸清实情。"),
    ("下一步", "下一步，我将持续跟踪，确保各项工作落地见效。"),
    ("将继续", "我将继续把这项工作抓紧抓实。"),
    ("计划", "计划下月再组织一次回访。"),
    ("今后", "今后要进一步加强政策学习。"),
    ("感受到", "从中感受到群众对美好生活的期盼。"),
    ("打算", "打算年底前再推动一批实事落地。"),
)


@dataclass
class Case:
    posting: str
    kind: str
    before: str
    after: str
    caught: bool


@dataclass
class Posting:
    name: str
    bench: BenchPosting
    draft: ReportDraft
    records: Records
    messages: tuple[str, ...]
    names: dict[str, list[str]]  # kind -> names in its draft


def _kind(name: str) -> str | None:
    for kind, suffixes in KIND_SUFFIXES.items():
        if name.endswith(suffixes):
            return kind
    return None


def prepare(name: str) -> Posting:
    from analysis.facts import find_places
    from reporting.compose import compile_report

    bench = load(name)
    entries = bench.entries()
    draft = compile_report("mid", bench.person, entries, bench.start, bench.end, bench.today)
    chosen = [e for e in entries if e.status == "active" and bench.start <= e.work_date <= bench.end]
    records = Records.build(chosen, bench.person)
    names: dict[str, list[str]] = defaultdict(list)
    for paragraph in draft.paragraphs():
        for place in find_places(paragraph.text):
            kind = _kind(place["name"])
            if kind and place["name"] not in names[kind]:
                names[kind].append(place["name"])
    messages = tuple(text for _, text in bench.messages) + tuple(
        v for v in (bench.person.posting.host_unit, bench.person.posting.sending_unit) if bench.person.posting and v
    )
    return Posting(name, bench, draft, records, messages, names)


def checked(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs written from entries (opening, closing and 【待补充】 lines are templates)."""
    return [p for p in paragraphs if p.sources]


def caught(text: str, paragraph: Paragraph, records: Records) -> bool:
    return bool(check_paragraph(text, paragraph.sources, paragraph.figures, records))


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def figure_changes(paragraph: Paragraph, rng: random.Random, skipped: Counter[str]) -> Iterator[str]:
    """The paragraph with one figure given a value no source nor the paragraph writes with that unit."""
    written = paragraph.text + "".join(s.text for s in paragraph.sources)
    dated = {(s.date.month, s.date.day) for s in paragraph.sources}
    for m in RE_FIGURE.finditer(paragraph.text):
        if m.group(1):  # a date: another day of that month, no source entry's day and none a source writes
            month = int(m.group(1))
            options = [
                d
                for d in range(1, 29)
                if f"{month}月{d}日" not in written and f"{d}日" not in written and (month, d) not in dated
            ]
            if not options:
                skipped["figure: every other day is written in the sources"] += 1
                continue
            new = f"{month}月{rng.choice(options)}日"
        else:
            value = float(m.group(3))
            wan, qualifier, unit = m.group(4) or "", m.group(5) or "", m.group(6)
            if unit == "月" and value > 12:
                continue
            options = [value + d for d in (1, 2, 3, 5, 7, 10, 13) if value + d != value]
            if value > 2:
                options += [value - 1, value * 2]
            if unit == "月":  # a month no source entry is dated in
                options = [v for v in options if v <= 12 and int(v) not in {month for month, _ in dated}]
            options = [
                v
                for v in options
                if f"{_number_text(v)}{wan}{unit}" not in written
                and f"{_number_text(v)}{wan}{qualifier}{unit}" not in written
            ]
            if not options:
                skipped["figure: every nearby value is written in the sources"] += 1
                continue
            new = f"{_number_text(rng.choice(options))}{wan}{qualifier}{unit}"
        yield paragraph.text[: m.start()] + new + paragraph.text[m.end() :]


def name_swaps(paragraph: Paragraph, me: Posting, others: list[Posting], skipped: Counter[str]) -> Iterator[str]:
    from analysis.facts import find_places

    for place in find_places(paragraph.text):
        name = place["name"]
        kind = _kind(name)
        if kind is None or name not in paragraph.text:
            continue
        candidates = [n for other in others for n in other.names.get(kind, [])]
        if not candidates:
            skipped[f"name: no {kind} in the other postings"] += 1
            continue
        for new in candidates[:3]:
            if any(new in text for text in me.messages) or new in paragraph.text:
                skipped["name: the other posting's name is in this cadre's messages too"] += 1
                continue
            yield paragraph.text.replace(name, new, 1)


def _foreign(sentence: str, paragraph: Paragraph, me: Posting, other: Posting) -> bool:
    """Whether a sentence of another draft states something this paragraph's cadre did not: a name none of his
    messages has, or a figure neither the paragraph nor its sources write."""
    for names in other.names.values():
        for name in names:
            if name in sentence and not any(name in text for text in me.messages):
                return True
    written = paragraph.text + "".join(s.text for s in paragraph.sources)
    dated = {(s.date.month, s.date.day) for s in paragraph.sources}
    for m in RE_FIGURE.finditer(sentence):
        if m.group(0) in written:
            continue
        if m.group(1) and (int(m.group(1)), int(m.group(2))) in dated:
            continue  # the day of one of the paragraph's entries
        if m.group(6) == "月" and m.group(3) and int(float(m.group(3))) in {month for month, _ in dated}:
            continue  # a month one of its entries is dated in
        return True
    return False


def foreign_sentences(
    paragraph: Paragraph, me: Posting, others: list[Posting], rng: random.Random, skipped: Counter[str]
) -> Iterator[str]:
    pool = [(s, o) for o in others for p in checked(o.draft.paragraphs()) for s in RE_SENTENCE.findall(p.text)]
    own = RE_SENTENCE.findall(paragraph.text) or [paragraph.text]
    for sentence, other in rng.sample(pool, min(6, len(pool))):
        sentence = re.sub(r"^[一二三四五六七八九十]是", "", sentence)
        if not _foreign(sentence, paragraph, me, other):
            skipped["sentence: states nothing foreign to this cadre (no other name, no figure he lacks)"] += 1
            continue
        at = rng.randrange(len(own) + 1)
        yield "".join(own[:at]) + sentence + "".join(own[at:])


def reflections_added(paragraph: Paragraph, rng: random.Random, skipped: Counter[str]) -> Iterator[str]:
    own = RE_SENTENCE.findall(paragraph.text) or [paragraph.text]
    for word, sentence in REFLECTIONS:
        if any(word in s.text for s in paragraph.sources):
            skipped[f"reflection: the cadre wrote {word} himself"] += 1
            continue
        at = rng.randrange(len(own) + 1)
        yield "".join(own[:at]) + sentence + "".join(own[at:])


def run(show_missed: int = 0, seed: int = SEED) -> int:
    rng = random.Random(seed)
    postings = [prepare(name) for name in POSTING_MODULES]
    cases: list[Case] = []
    clean_total, clean_refused = 0, []
    skipped: Counter[str] = Counter()
    for me in postings:
        others = [p for p in postings if p is not me]
        for paragraph in checked(me.draft.paragraphs()):
            clean_total += 1
            problems = check_paragraph(paragraph.text, paragraph.sources, paragraph.figures, me.records)
            if problems:
                clean_refused.append((me.name, paragraph.text[:60], problems))
            kinds = (
                ("figure changed", figure_changes(paragraph, rng, skipped)),
                ("name swapped", name_swaps(paragraph, me, others, skipped)),
                ("another cadre's sentence", foreign_sentences(paragraph, me, others, rng, skipped)),
                ("reflection added", reflections_added(paragraph, rng, skipped)),
            )
            for kind, variants in kinds:
                for text in variants:
                    if text == paragraph.text:
                        skipped[f"{kind}: no change"] += 1
                        continue
                    cases.append(Case(me.name, kind, paragraph.text, text, caught(text, paragraph, me.records)))
    by_kind: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_kind[case.kind].append(case)
    print("| corruption | caught / total | rate |")
    print("|---|---|---|")
    for kind, items in by_kind.items():
        hits = sum(c.caught for c in items)
        print(f"| {kind} | {hits} / {len(items)} | {hits / len(items):.1%} |")
    hits = sum(c.caught for c in cases)
    rate = hits / len(cases) if cases else 0.0
    print(f"| all | {hits} / {len(cases)} | {rate:.1%} |")
    print(f"clean paragraphs refused: {len(clean_refused)} / {clean_total}")
    for name, text, problems in clean_refused:
        print(f"  {name}: {text}… -> {problems}")
    print(f"candidates skipped as no corruption: {sum(skipped.values())}")
    for reason, n in skipped.most_common():
        print(f"  {n:4d}  {reason}")
    missed = [c for c in cases if not c.caught]
    for case in missed[:show_missed]:
        print(f"MISSED {case.posting} / {case.kind}:\n  {case.after}")
    worst = min((sum(c.caught for c in items) / len(items) for items in by_kind.values()), default=0.0)
    ok = len(cases) >= 500 and worst >= TARGET and not clean_refused
    print(f"targets: >= 500 variants, >= {TARGET:.0%} caught per kind, 0 clean refused: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-missed", type=int, default=0, help="print this many variants the verifier missed")
    parser.add_argument("--seed", type=int, default=SEED, help="another draw of the corruptions")
    args = parser.parse_args(argv)
    return run(args.show_missed, args.seed)


if __name__ == "__main__":
    raise SystemExit(main())
