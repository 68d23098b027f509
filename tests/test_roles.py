"""Entry roles: work done, a summary of earlier entries, a plan, or the cadre's own words for a report's sections."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.roles import OWN_WORD_LABELS, OWN_WORDS, ROLES, Role, entry_role, strip_label

EXAMPLES: dict[Role, list[str]] = {
    "work": [
        "上午到东坪村看饮水工程，管道铺了六成",
        "走访红旗村，村主任反映灌溉渠堵了，下周回访看疏通情况",  # a promise inside a visit note
        "到丰收合作社座谈，理事长讲缺冷库；建议村里牵头申请项目",  # a suggestion inside a visit note
        "明天的会已准备好，议程和参会名单都发给各村了",
        "明天要交的报表今天填完了",
        "计划生育政策宣传进村，跟计生专干一起发了200份资料",
        "下午开了上半年工作总结会，每个站所负责人讲了10分钟",
        "参加局里的学习体会交流会，我讲了5分钟挂职感受",
        "今天写了本月工作小结，发给了原单位和县委组织部",
        "总结了一下打井项目的经验，写成一篇信息报送县委办",
        "本周三去大湾村走访了4户监测户",
        "上月底联系的客商今天来考察了",
        "7月15日上午召开了防汛工作部署会",
        "晚上8点开视频会，县里调度防汛工作，开到10点",
        "打算在东坪村发展林下养鸡，今天跟村干部商量了场地",
        "建议村里给张大爷申请的临时救助，今天批下来了",
        "预计今年全镇粮食增产一成，这是跟农技站一起测产估出来的",
        "心得体会写了一半",
        "体会：",  # a label with nothing after it says nothing
    ],
    "summary": [
        "本月小结：走访农户36户，召开座谈会4次",
        "本周工作：1.走访石桥村困难户9户；2.参加党委会1次",
        "7月工作小结:东坪村道路硬化完工,石桥村打井出水",
        "这个月党建方面：上党课2次，发展党员1名",
        "本季度招商小结:接洽客商11批,签约2个",
        "挂职以来共走访了全镇12个村",
        "三个月来走访了全镇9个村，入户120户",
        "小结：本周防火检查卡点4个，未发生火情",
        "截至目前，结对的5户全部稳定脱贫",
        "总结一下这周：跑了4个村，见了5家企业",
        "这两周干了这些事：走访企业6家",
        "项目推进周报:3个项目按进度推进",
        "本周工作小结：走访农户12户",  # 本週工作小結 once simplified
    ],
    "plan": [
        "明天去柳溪村走访几户监测户，看看雨后房子情况",
        "下周组织各村开展防汛应急演练",
        "后天陪县交通局去验收大湾村便民桥",
        "计划本月内把5户结对户再走一遍",
        "准备下周去党校参加为期5天的培训",
        "打算下周请县农技站的专家来讲课",
        "拟于下周到宏达食品开个企业座谈会",
        "下午要去县发改委送项目申报材料",
        "今晚得把上半年工作总结材料写出来，明天要交",
        "国庆前要把全镇自建房排查再过一遍",
        "周四接访日轮到我，要提前看看积案材料",
        "本周内要报送第三季度统计报表",
        "约了浙江的企业家下周来考察园区",
        "预计下个月中旬菌棚开始出菇，到时候要联系收购商",
    ],
    "reflections": [
        "体会：走访多了才知道，群众要的往往不是钱",
        "心得体会：就业服务要把岗位送到家门口",
        "几点体会：一是学习要结合实际，二是要多请教",
        "感悟: 农村孩子不缺聪明,缺的是好老师",
        "体会 帮扶不能只送米送油",
        "这段时间最大的体会是,情况在一线,办法也在一线",
        "体会到了基层干部的不容易",
        "收获：跟来访群众打交道要先听完再说",
    ],
    "shortcomings": [
        "不足：理论学习不够系统",
        "不足之处：走访面还不够广",
        "存在的不足:对劳务政策不熟",
        "不足，材料写得慢",
        "反思：这次山洪预警信息传达慢了",
        "短板：帮扶手段单一",
    ],
    "next_steps": [
        "下一步：盯住东坪村道路硬化收尾",
        "下一步打算:把菌草种植推到中川村",
        "下步打算:把剩下的3个偏远村再走一遍",
        "今后打算：跟福建那边建立长期劳务协作关系",
        "建议：镇里把防返贫监测做成每月一次",
        "建议县里给山区村配卫星电话",
        "下一步着力化解石桥村的两起拆迁积案",
        "打算：利用原单位资源，再引进1到2家企业",
    ],
}


@pytest.mark.parametrize(("role", "text"), [(role, text) for role, texts in EXAMPLES.items() for text in texts])
def test_role_examples(role: Role, text: str) -> None:
    assert entry_role(text) == role


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("体会：走访多了才知道", "走访多了才知道"),
        ("下一步打算:把菌草种植推到中川村", "把菌草种植推到中川村"),
        ("不足，材料写得慢", "材料写得慢"),
        ("  心得体会 ： 就业服务要到家门口  ", "就业服务要到家门口"),
        ("几点体会（一）：学习要结合实际", "学习要结合实际"),
        ("体会：心得：两个标签", "两个标签"),
        ("建议县里给山区村配卫星电话", "建议县里给山区村配卫星电话"),  # no separator: the word is part of the sentence
        ("体会到了基层干部的不容易", "体会到了基层干部的不容易"),
        ("下一步着力化解积案", "下一步着力化解积案"),
        ("体会：", "体会："),
        ("上午到东坪村", "上午到东坪村"),
    ],
)
def test_strip_label(text: str, stripped: str) -> None:
    assert strip_label(text) == stripped


def test_public_constants() -> None:
    assert set(OWN_WORDS) < set(ROLES) and ROLES[0] == "work"
    assert set(OWN_WORD_LABELS) == set(OWN_WORDS)
    assert all(labels for labels in OWN_WORD_LABELS.values())


# A label, stated independently of the module: a label word, perhaps its number, a separator, then words.
_ALL_LABELS = sorted({w for labels in OWN_WORD_LABELS.values() for w in labels}, key=len, reverse=True)
_STARTS_WITH_LABEL = re.compile(
    "(?:" + "|".join(_ALL_LABELS) + r")(?:[一二三四五六七八九十\d]{1,2}|[（(][一二三四五六七八九十\d]{1,2}[）)])?"
    r"[\s:：,，、;；—-][\s:：,，、。;；—-]*\S"
)

# Any code point: emoji, non-characters (U+FFFE, U+10FFFF), lone surrogates, controls.
_any_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=200)
_chat_text = st.text(
    st.sampled_from(list("体会心得不足下一步打算建议明天本月小结：:，, \n走访了已😀\ufffe\U0010ffff1二")), max_size=60
)
_texts = st.one_of(_any_text, _chat_text)


@given(_texts)
def test_entry_role_never_raises_and_names_a_role(text: str) -> None:
    assert entry_role(text) in ROLES


@given(_texts)
def test_strip_label_leaves_no_label_and_is_idempotent(text: str) -> None:
    stripped = strip_label(text)
    assert not _STARTS_WITH_LABEL.match(stripped)
    assert strip_label(stripped) == stripped
    assert stripped == stripped.strip()
    assert stripped in text


@given(
    st.sampled_from([(role, label) for role, labels in OWN_WORD_LABELS.items() for label in labels]),
    st.sampled_from(["：", ":", "，", " ", "：  ", "—"]),
    st.text(st.sampled_from(list("群众工作要多听少说基层情况在一线办法，。😀12")), min_size=1, max_size=40),
)
def test_labelled_own_words_get_their_role_and_lose_the_label(label: tuple[Role, str], separator: str, body: str) -> None:
    role, word = label
    body = body.strip()
    if not body or _STARTS_WITH_LABEL.match(body) or body[0] in "，。":
        return  # the body must not itself start with a label or a separator
    assert entry_role(word + separator + body) == role
    assert strip_label(word + separator + body) == body


def test_huge_texts_are_fast_and_safe() -> None:
    assert strip_label("体会：" * 200_000 + "完") == "完"
    assert entry_role("明天" + "去" * 1_000_000) == "plan"
    assert entry_role("本月小结：" + "走访了农户，" * 100_000) == "summary"
    assert entry_role("\ufffe\U0010ffff😀" * 10_000) == "work"
