"""Report benchmark: compile and render drafts from 1,000, 5,000 and 20,000 entries, against one jieba.lcut pass.

For each size prints the text size, compile time, Word rendering time, the time of one jieba.lcut over the
same text, measured in the same run, and the ratio (compile + render) / lcut (target <= 3): the medians of
three runs (one at 20,000), each compiling cold (the per-text caches cleared, so a larger size does not reuse
what a smaller one read). Times are the process's CPU time (time.process_time): the work is single-threaded,
and on a shared machine the wall clock counts other processes' turns too.

Run: .venv/bin/python bench/report.py
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba

from analysis.classify import warm_up
from reporting.compose import compile_report
from reporting.word import render_docx
from storage.entities import Entry, Person, Posting
from tests.posting import entry_from_text

PARTS = [
    "上午到{v}走访{n}户困难户，了解饮水、就医和务工情况，反映村道下雨天难走",
    "下午列席镇党委会，研究防汛备汛和人居环境整治，会上就{v}饮水工程作了发言",
    "陪同县扶贫办到{v}查看打井项目进度，资金到位{n}万元，管道铺设{n}00米",
    "在镇信访办接待来访群众{n}人次，来访{k}起，主要反映征地补偿问题，已登记转办",
    "学习《乡村振兴促进法》，记了两页笔记，晚上写心得体会",
    "和包村干部入户宣传医保缴费政策，发放宣传单{n}00份",
    "请农技员给{v}种植户讲茶园秋季管护，培训{n}人",
]
VILLAGES = ["东坪村", "石桥村", "中川村", "凹塘村", "上尧村", "青山社区"]


def make_entries(count: int, seed: int = 5) -> list[Entry]:
    rng = random.Random(seed)
    start = dt.date(2026, 1, 1)
    entries = []
    for seq in range(1, count + 1):
        day = start + dt.timedelta(days=seq * 330 // count)
        text = "；".join(
            rng.choice(PARTS).format(v=rng.choice(VILLAGES), n=rng.randint(2, 9), k=rng.randint(1, 3))
            for _ in range(rng.choice((2, 3)))
        )
        entries.append(entry_from_text(seq, day, text))
    return entries


RUNS = {1000: 3, 5000: 3, 20000: 1}  # each size's runs; the median is printed


def _clear_text_caches() -> None:
    """Forget what earlier drafts read from each text (the per-text caches of analysis/ and reporting/), so every
    run compiles its entries cold, as a cadre's first report would."""
    for name, module in list(sys.modules.items()):
        if not name.startswith(("analysis.", "reporting.")):
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if info is not None and (info().maxsize or 0) >= 1024 and value.__module__ == name:
                value.cache_clear()


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _timed(work: Callable[[Any], object], argument: Any) -> float:
    started = time.process_time()
    work(argument)
    return time.process_time() - started


def main() -> None:
    warm_up()
    posting = Posting(1, "青山镇人民政府", "党委副书记", "市审计局", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    person = Person(1, "王明", "cadre", "Asia/Shanghai", True, posting)
    # steady state, as in the running bot: jieba's keyword tables loaded once
    compile_report("final", person, make_entries(20), posting.start_date, posting.end_date, dt.date(2026, 12, 1))
    print(f"{'entries':>8}{'chars':>10}{'compile s':>11}{'render s':>10}{'lcut s':>9}{'ratio':>8}")
    for count, runs in RUNS.items():
        entries = make_entries(count)
        text = "\n".join(e.text for e in entries)
        compiles, renders, cuts, ratios = [], [], [], []
        for _ in range(runs):
            _clear_text_caches()
            started = time.process_time()
            draft = compile_report("final", person, entries, posting.start_date, posting.end_date, dt.date(2026, 12, 1))
            compiles.append(time.process_time() - started)
            renders.append(_timed(render_docx, draft))
            cuts.append(_timed(jieba.lcut, text))
            ratios.append((compiles[-1] + renders[-1]) / cuts[-1])
        print(
            f"{count:>8}{len(text):>10}{_median(compiles):>11.2f}{_median(renders):>10.2f}{_median(cuts):>9.2f}"
            f"{_median(ratios):>8.2f}"
        )
    print("target: ratio <= 3 ((compile + render) / one jieba.lcut over the same text); medians of the runs, CPU time")


if __name__ == "__main__":
    main()
