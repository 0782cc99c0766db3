"""Search snippets read as Chinese is written: no gap inside a phrase the search matched in parts."""

from knowledge.search.snippets import snippet


def test_neighbouring_matches_read_as_one_phrase_without_a_gap() -> None:
    text = "本办法规定应当申请领取施工许可证的建筑工程未取得施工许可证的，一律不得开工。"
    shown = snippet(text, ["施工", "许可证", "工程"])
    assert "<mark>施工许可证</mark>" in shown
    assert "</mark><mark>" not in shown


def test_a_line_break_between_chinese_characters_leaves_no_space() -> None:
    shown = snippet("一律不得开工。\n任何单位和个人不得将\n施工许可证分解办理。Word 2026 版", ["施工"])
    assert shown == "一律不得开工。任何单位和个人不得将<mark>施工</mark>许可证分解办理。Word 2026版"


def test_the_snippet_stays_escaped() -> None:
    assert snippet("<b>施工</b>许可", ["施工"]) == "&lt;b&gt;<mark>施工</mark>&lt;/b&gt;许可"
