"""The laws a derivation rule cites, found in the knowledge base, and which of them changed since the rule.

A rule's legal basis is written as people write it — “《中华人民共和国城乡规划法》第三十六条、第三十七条；《城市道路
管理条例》第三十条至第三十三条” — so it is read the same way: each 《title》 with the articles written after it (up to
the next title) is one citation; “至” spans a range. A citation resolves when a published law has that title
(with or without “中华人民共和国”) and the article is stored. The rules admin page lists the rules whose cited law
was repealed, or amended after the rule-set version was published, so nobody has to remember to look.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from core.rules.document import RuleDef, RuleSetDocument
from knowledge import service
from knowledge.models import Law

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零〇一二三四五六七八九十百千"
_ARTICLE = re.compile(rf"第([{_NUMERAL}]+)条(之[一二三四五六七八九十]+)?(?:\s*(?:至|到|—|－|-)\s*第([{_NUMERAL}]+)条)?")
_TITLE = re.compile(r"《([^《》]+)》")
PRC = "中华人民共和国"


def to_int(numeral: str) -> int:
    """三十六 → 36, 一百零五 → 105, 十二 → 12."""
    total, digit = 0, 0
    for char in numeral:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
    return total + digit


def to_numeral(number: int) -> str:
    """36 → 三十六, 105 → 一百零五, 110 → 一百一十, 12 → 十二: as article numbers are written."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        count = number // value % 10
        if count:
            out += ("零" if zero and out else "") + digits[count] + unit
            zero = False
        elif out:
            zero = True
    return out


@dataclass(frozen=True)
class Citation:
    """One cited law with the articles named after it (none when only the law is named)."""

    title: str
    articles: tuple[str, ...] = ()


def parse(text: str) -> list[Citation]:
    """The citations in a legal-basis text, in order."""
    titles = list(_TITLE.finditer(text or ""))
    out = []
    for n, match in enumerate(titles):
        end = titles[n + 1].start() if n + 1 < len(titles) else len(text)
        articles: list[str] = []
        for found in _ARTICLE.finditer(text[match.end() : end]):
            first, suffix, last = found.group(1), found.group(2) or "", found.group(3)
            if last and not suffix:
                start, stop = to_int(first), to_int(last)
                articles += [f"第{to_numeral(k)}条" for k in range(start, stop + 1)] if start <= stop else []
            else:
                articles.append(f"第{first}条{suffix}")
        out.append(Citation(match.group(1).strip(), tuple(dict.fromkeys(articles))))
    return out


def find_law(laws: Mapping[str, Law], title: str) -> Law | None:
    """The law with this title, allowing the “中华人民共和国” prefix to be left out or added."""
    return laws.get(title) or laws.get(title.removeprefix(PRC)) or laws.get(PRC + title)


def cited_articles(rule: RuleDef, laws: Mapping[str, Law]) -> list[tuple[Law, str]]:
    """The stored (law, article) pairs the rule's legal basis cites."""
    out = []
    for citation in parse(rule.legal_basis):
        law = find_law(laws, citation.title)
        if law is None:
            continue
        numbers = {a.number for a in law.articles}
        out += [(law, number) for number in citation.articles if number in numbers]
    return out


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass
class LawAlert:
    """A rule whose cited law changed: what changed, and the law that replaced it, if any."""

    rule_code: str
    rule_name: str
    law_id: int
    law_title: str
    message: str
    replaced_by: Law | None = None
    articles: list[str] = field(default_factory=list)


def _alert(law: Law, since: date | None, laws_by_id: Mapping[int, Law]) -> tuple[str, Law | None] | None:
    replacement = laws_by_id.get(law.replaced_by_id) if law.replaced_by_id else None
    instead = f"，现行规定见《{replacement.title}》" if replacement is not None else ""
    if law.legal_status == "repealed":
        when = f"于{_day(law.repealed_on)}" if law.repealed_on else ""
        return f"《{law.title}》已{when}废止{instead}", replacement
    if law.legal_status == "amended":
        when = f"（{_day(law.amended_on)}施行）" if law.amended_on else ""
        return f"《{law.title}》已修改{when}，规则引用的是修改前的文本{instead}", replacement
    if since is not None and law.amended_on is not None and law.amended_on > since:
        return f"《{law.title}》于{_day(law.amended_on)}修改，晚于本版规则发布（{_day(since)}），请核对所引条文", None
    return None


def law_alerts(laws: Iterable[Law], document: RuleSetDocument, *, published_at: datetime | None) -> list[LawAlert]:
    """Enabled rules citing a repealed or superseded law, or one amended after ``published_at`` (the version's
    publication; None for a draft, which is checked for repeals and superseded texts only)."""
    every = list(laws)
    by_title = {law.title: law for law in every}
    by_id = {law.id: law for law in every}
    since = published_at.date() if published_at else None
    found = []
    for rule in sorted((r for r in document.rules if r.enabled), key=lambda r: (r.priority, r.code)):
        seen: set[int] = set()
        for citation in parse(rule.legal_basis):
            law = find_law(by_title, citation.title)
            if law is None or law.id in seen:
                continue
            seen.add(law.id)
            alert = _alert(law, since, by_id)
            if alert is not None:
                message, replacement = alert
                found.append(
                    LawAlert(rule.code, rule.name, law.id, law.title, message, replacement, list(citation.articles))
                )
    return found


def uncited_rules(laws: Iterable[Law], document: RuleSetDocument) -> list[RuleDef]:
    """Enabled rules none of whose citations names a stored article of a published law."""
    by_title = {law.title: law for law in laws}
    return [rule for rule in document.rules if rule.enabled and not cited_articles(rule, by_title)]


def check(
    db: Session, document: RuleSetDocument, *, published_at: datetime | None
) -> tuple[list[LawAlert], list[RuleDef]]:
    """The rules admin page's two lists for one version: alerts about cited laws, and rules citing no stored article."""
    laws = service.list_laws(db=db)
    return law_alerts(laws, document, published_at=published_at), uncited_rules(laws, document)
