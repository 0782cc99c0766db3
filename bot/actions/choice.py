"""What the first answer to a question should be, decided from one knowledge search (issue 15).

The search (``GET /knowledge/search``) ranks items, FAQs, laws, policies and glossary terms, recognises the
service item a question is about (``recognised_item``, the same recogniser it ranks with) and says whether its
top hit is clearly ahead (``clear``) and good enough to answer with (``answered``). The bot follows it rather than
guessing items from keywords of its own:

- a question about penalties or legal duties is answered by the law article among the hits;
- a question about opening a business lists the items the search found for it;
- an item hit on top (or, for the guide intent, the recognised item when the ranking is unsure) gets that item's
  guide, saying which item was understood; an FAQ, article or policy clearly first is the answer (it answers the
  question more precisely than the whole guide), with the item understood and its guide's link;
- when the top hit is not clearly ahead, the best three are offered as buttons;
- otherwise the top hit answers;
- nothing good enough to answer with, but the best hits share some of the question's subject words
  (``WEAK_CONFIDENCE``): the best three are offered as possible matches rather than a dead end (a colloquial
  question often has its answer among them: “楼下那颗树快倒了物业能直接锯掉吗”); nothing at all → the caller
  says so (or declines an out-of-scope message).

Everything here is pure (a search result in, a decision out), so it is tested without the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from actions.client import Hit, SearchResult

PENALTY = re.compile(
    r"罚|处罚|罚款|罚金|法律责任|违法|违规|擅自|未经批准|未经许可|无证|不办.{0,8}(就|会|能|直接)|追究|吊销|没收|责令|拘留|"
    r"后果|法律规定|哪条法|依据什么法|法律依据|法定义务|有什么义务|义务"
)
"""A question about a penalty or a legal duty: the law article answers it, not the item's guide."""
_OPENING = re.compile(
    r"(开|开办|开设|经营|干|做)(一)?(个|家|间|一个|一家|一间|了个|个体的?)?[^，。？?！!]{0,10}?(店|馆|铺|厂|公司|超市|小卖部|部|院|房|吧|中心|所|室|摊|档|园|厅|坊|行)"
)
_PAPERS = re.compile(r"(哪些|什么|啥|哪几|几个|些啥|些什么)(证|照|手续|许可|审批|备案|部门)|办(什么|哪些|啥)|跑哪")
"""Asks which papers in general ("要办哪些证"), unlike a question about one permit ("要办排水许可证吗") or one aspect
("开公司要多久拿到营业执照"), which the search's first hit answers."""
MAX_CHOICES = 3
WEAK_CONFIDENCE = 0.1
"""Below the search's ``answered`` (0.2–0.3), a first hit with at least this confidence (the share of the
question's subject words it matches) is offered among possible matches. Measured on the dev split of
tests/knowledge/colloquial_questions.json: of the 16 questions the search does not answer, all have a first hit
at 0.1 or more, 5 of them right and 10 with the right one among the first three; the NLU's out-of-scope messages
are declined before this (the weak tier is not offered for them), since their confidence overlaps (0–0.47)."""
_GUIDE_LINK = re.compile(r"/guides/(\d+)")


def asks_about_penalty(text: str) -> bool:
    """Whether the question asks what happens when a duty is not met, or what the law requires."""
    return bool(PENALTY.search(text or ""))


def opens_business(text: str) -> bool:
    """Whether the question asks what opening a kind of business takes (“开个小饭馆要办哪些证”)."""
    return bool(_OPENING.search(text or "")) and bool(_PAPERS.search(text or ""))


def item_id_of(hit: Hit) -> Optional[int]:
    """The catalogue id of an item hit (its link is /guides/<id>), None for other kinds."""
    if hit.get("kind") != "item":
        return None
    found = _GUIDE_LINK.search(hit.get("link") or "")
    if found:
        return int(found.group(1))
    key = str(hit.get("key") or "")
    tail = key.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def recognised(result: SearchResult) -> Optional[Dict[str, Any]]:
    """The item the search recognised in the question: ``{id, name}`` or None."""
    item = result.get("recognised_item")
    if isinstance(item, dict) and item.get("id") is not None:
        return {"id": int(item["id"]), "name": str(item.get("name") or "")}
    return None


@dataclass
class Decision:
    """What to say first: ``kind`` is guide | law | opening | choices | answer | maybe (possible matches, none
    good enough to answer with) | nothing."""

    kind: str
    hit: Optional[Hit] = None
    item_id: Optional[int] = None
    item_name: str = ""
    hits: List[Hit] = field(default_factory=list)


def decide(result: SearchResult, text: str, *, wants_guide: bool = False) -> Decision:
    """The first answer to ``text`` given its search ``result`` (see the module's docstring).

    ``wants_guide``: the person asked about an item's guide (the ask_guide intent) — the recognised item's guide is
    shown when the ranking is unsure of it. An answer from an older API without ``clear`` counts as clear.
    """
    hits = [h for h in result.get("hits") or [] if h.get("title")]
    item = recognised(result)
    answered = bool(result.get("answered")) and bool(hits)
    if answered and asks_about_penalty(text):
        law = next((h for h in hits if h.get("kind") == "law"), None)
        if law is not None:
            return Decision("law", hit=law)
    if opens_business(text):
        items = [h for h in hits if h.get("kind") == "item"]
        if answered and items:
            return Decision("opening", hits=items[:MAX_CHOICES])
    top = hits[0] if hits else None
    if not answered or top is None:
        if item is not None and wants_guide:  # the recogniser is sure of the item the person asked a guide for
            return Decision("guide", item_id=item["id"], item_name=item["name"])
        if top is not None and float(top.get("confidence") or 0.0) >= WEAK_CONFIDENCE:
            return Decision("maybe", hits=hits[:MAX_CHOICES], item_id=_id(item), item_name=_name(item))
        return Decision("nothing")
    if result.get("clear", True) is False and len(hits) >= 2:
        if wants_guide and item is not None and item_id_of(top) == item["id"]:
            return Decision("guide", item_id=item["id"], item_name=item["name"])
        return Decision("choices", hits=hits[:MAX_CHOICES], item_id=_id(item), item_name=_name(item))
    top_item = item_id_of(top)
    if top_item is not None:
        name = item["name"] if item is not None and item["id"] == top_item else str(top.get("title") or "")
        return Decision("guide", item_id=top_item, item_name=name)
    # an FAQ, article or policy clearly first answers more precisely than the whole guide (“验线要交什么材料”)
    return Decision("answer", hit=top, item_id=_id(item), item_name=_name(item))


def _id(item: Optional[Dict[str, Any]]) -> Optional[int]:
    return int(item["id"]) if item is not None else None


def _name(item: Optional[Dict[str, Any]]) -> str:
    return str(item["name"]) if item is not None else ""


_SENTENCE_END = "。！？；!?;"
_CLOSERS = "”’」』）)"


def whole_sentences(snippet: str) -> str:
    """A snippet without the partial sentences at its ends (“…请注意保” is dropped): an answer never stops
    mid-sentence. Empty when the snippet holds no whole sentence (the caller then points to the source)."""
    text = snippet.strip()
    if text.startswith("…"):
        text = text.lstrip("…")
        cut = min((text.find(c) for c in _SENTENCE_END if c in text), default=-1)
        text = text[cut + 1 :].lstrip(_CLOSERS + " ") if cut >= 0 else ""
    if text.endswith("…"):
        text = text.rstrip("…")
        cut = max(text.rfind(c) for c in _SENTENCE_END)
        while 0 <= cut < len(text) - 1 and text[cut + 1] in _CLOSERS:  # 。” keeps its closing quote
            cut += 1
        text = text[: cut + 1] if cut >= 0 else ""
    return text.strip()


def was_cut(snippet: str) -> bool:
    """Whether the snippet is a part of a longer text (the answer then says where the rest is)."""
    text = snippet.strip()
    return text.startswith("…") or text.endswith("…")
