"""Report figures computed from entries analysed the way capture analyses them."""

from __future__ import annotations

import datetime as dt
import itertools

from reporting.figures import compute_figures, leave_dates
from storage.entities import Entry
from tests.posting import POSTING, entry_from_text

_seq = itertools.count(1)


def entry(day: dt.date, text: str, status: str = "active") -> Entry:
    return entry_from_text(next(_seq), day, text, status)


def test_figures_are_exact() -> None:
    entries = [
        entry(dt.date(2026, 6, 2), "上午列席镇党委会，研究防汛工作"),
        entry(dt.date(2026, 6, 3), "走访东坪村3户困难户，了解饮水情况"),
        entry(dt.date(2026, 6, 3), "走访东坪村李某某家，反映村道难走"),
        entry(dt.date(2026, 6, 5), "走访宏达食品，厂长王某反映缺工20人左右"),
        entry(dt.date(2026, 6, 8), "到新华小学座谈，校长反映缺英语老师"),
        entry(dt.date(2026, 6, 9), "接待来访群众14人次，来访2起"),
        entry(dt.date(2026, 6, 10), "调处纠纷1起，集体访1批"),
        entry(dt.date(2026, 6, 11), "学习《信访条例》，记了笔记，写了心得体会"),
        entry(dt.date(2026, 6, 12), "读了《乡村振兴促进法》，学习笔记两页"),
        entry(dt.date(2026, 6, 15), "石桥村打井项目第一批资金到位85万元，铺管道2.3公里"),
        entry(dt.date(2026, 6, 16), "石桥村打井项目第二批资金到位15万元"),
        entry(dt.date(2026, 6, 16), "下午参加县政府专题会议"),
        entry(dt.date(2026, 6, 17), "6月18日至6月20日请假3天，回原单位"),
        entry(dt.date(2026, 6, 22), "销假"),
        entry(dt.date(2026, 6, 23), "走访东坪村困难户张某", status="deleted"),
        entry(dt.date(2026, 7, 2), "七月的记录不在本期"),
    ]
    figures = compute_figures(entries, POSTING, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert figures.days_on_post == 30 and figures.leave_days == 3 and figures.days_on_post_net == 27
    assert figures.entries == 14  # the deleted entry and the July one are left out
    assert figures.by_kind == {"log": 6, "visit": 4, "study": 2, "leave": 1, "back": 1}
    assert figures.workdays_logged == 10
    assert figures.visits == 4
    assert figures.visited == {"village": ("东坪村",), "enterprise": ("宏达食品",), "school": ("新华小学",)}
    assert figures.households_visited == 4  # 3户 stated, plus 李某某家
    assert figures.meetings == 2
    assert figures.petitions == 4 and figures.petition_visitors == 14
    assert figures.study_sessions == 2 and figures.reflections == 1
    assert figures.materials == ("信访条例", "乡村振兴促进法")
    assert figures.money_yuan == 1_000_000 and figures.length_metres == 2300


def test_period_clips_the_posting_and_the_leave() -> None:
    entries = [entry(dt.date(2026, 5, 30), "5月30日至6月2日请假4天")]
    figures = compute_figures(entries, POSTING, dt.date(2026, 5, 25), dt.date(2026, 6, 10))
    assert figures.days_on_post == 10  # 6月1日 to 6月10日
    assert figures.leave_days == 2  # 6月1日 and 6月2日： the leave before the posting does not count


def test_no_posting_no_entries() -> None:
    figures = compute_figures([], None, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert figures.days_on_post == 0 and figures.entries == 0 and figures.visited == {}


def test_an_early_return_ends_the_leave() -> None:
    from dataclasses import replace

    leave = entry(dt.date(2026, 6, 17), "6月18日至6月24日请假7天，回原单位")
    back_early = replace(leave, details={**leave.details, "returned_on": "2026-06-21"})
    june = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert compute_figures([leave], POSTING, *june).leave_days == 7
    assert compute_figures([back_early], POSTING, *june).leave_days == 3  # 18, 19 and 20: back on the 21st
    same_day = replace(leave, details={**leave.details, "returned_on": "2026-06-18"})
    assert compute_figures([same_day], POSTING, *june).leave_days == 0  # back the day it began
    assert leave_dates([back_early], None, dt.date(2026, 6, 21), dt.date(2026, 6, 21)) == set()
