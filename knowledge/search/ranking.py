"""Ranking rules on top of word matching: what a question asks, which item it is about, which article it names.

Word scores alone rank whatever shares the most words first: "施工许可证要什么条件" found 商品房预售 (whose conditions
mention a 施工 permit), "有什么人才补贴政策" found the policy's 监督管理 section. Three signals fix that, each a
factor on the word score:

- the item the question names (knowledge/search/recognise.py): its guide, its FAQs and the law articles its guide
  cites rank up; other items' guides rank down;
- what the question asks (ASKS): a penalty question prefers articles that set penalties, a question about
  amounts prefers a policy's 标准 section, one about conditions the sections and articles that list conditions,
  "怎么申请" the application steps, "要办什么手续" an item's guide, "多少天内要去改" the article with a time limit
  (…日内), "谁负责检测" the article naming who is responsible (aspect tags on articles, law_aspects);
- an article number the question names ("城乡规划法第四十条") wins over the neighbouring articles;
- a question that plainly asks what to do about an item (办什么证, 找谁批) gets the item's guide first, for the item
  it names or, naming none, the item whose FAQs lead the ranking (engine.Index._guide_first).

The factors were tuned on the dev half of tests/knowledge/colloquial_questions.json and checked against the older
labelled set (bench/knowledge_eval.py prints both).
"""

import re

LAW_CUES = (
    "不给发",
    "会怎样",
    "算不算",
    "有效吗",
    "行政机关",
    "不允许",
    "不得",
    "禁止",
    "效力",
    "算谁",
    "多少天内",
    "必须",
    "罚",
    "法律",
    "法规",
    "条例",
    "违法",
    "擅自",
    "未经",
    "没经过",
    "偷偷",
    "依法",
    "法定",
    "规定",
    "责任",
    "追究",
)
"""Words of a question about a rule, which an article answers more often than an FAQ (the law kind prior)."""

ASKS: dict[str, tuple[str, ...]] = {
    "penalty": (
        "罚",
        "处罚",
        "法律责任",
        "会怎样",
        "会怎么样",
        "怎么处理",
        "如何处理",
        "后果",
        "追究",
        "被抓",
        "查到",
        "违法",
        "犯法",
    ),
    "conditions": (
        "条件",
        "要求",
        "资格",
        "具备",
        "满足什么",
        "符合什么",
        "什么样的",
        "哪些人",
        "什么人能",
        "谁能",
        "哪些企业",
        "什么企业",
    ),
    "amounts": ("补贴多少", "补多少", "给多少", "发多少", "多少万", "最高", "最多多少", "标准是多少", "标准", "金额"),
    "deadline": (
        "多少天内",
        "几天内",
        "多久内",
        "多长时间内",
        "几日内",
        "多少日内",
        "期限内",
        "什么时候之前",
        "多久之内",
    ),
    "who": ("谁负责", "谁来", "谁定", "报给谁", "谁发", "归谁", "谁管", "由谁", "哪个部门负责", "哪个部门管", "谁审批"),
    "apply": ("怎么申请", "如何申请", "怎么报", "申报", "流程", "程序", "步骤", "在哪报", "怎么领", "怎么申领"),
    "procedure": (
        "手续",
        "什么证",
        "啥证",
        "哪些证",
        "些啥证",
        "办什么",
        "办啥",
        "什么许可",
        "什么审批",
        "啥审批",
        "报批",
        "要批",
        "要审批",
        "找谁",
        "找哪个",
        "哪个部门",
        "怎么弄",
        "怎么办",
        "咋办",
        "怎么走",
        "咋个办",
        "哪能弄",
        "要备案",
        "备个",
        "去哪里",
        "谁批",
        "走什么",
        "走啥",
        "怎么过户",
        "怎么注销",
        "怎么登记",
        "怎么备案",
    ),
}
"""Cue words of what a question asks."""
BENEFIT = ("补贴", "奖励", "补助", "资助", "优惠")
"""A question about a benefit that asks nothing narrower wants to know how much (the 标准 section)."""
STRONG = frozenset({"penalty"})
"""Asks so specific that a document not answering them ranks down even when it answers nothing in particular."""
MATCHED_WEIGHT = 0.4
"""Weight of the query words that named the recognised item: they match all of its documents alike, so the other
words decide among them (the item is ranked up by its tie instead)."""

HOW_TO_GET = re.compile(r"怎么办[^？?。！!，,\s吗呢啊]")
PENALTY_TEXT = re.compile(r"罚款|处罚|责令|追究|吊销|没收|罚金")
CONDITION_TEXT = re.compile(r"下列条件|具备|符合下列|条件：")
AMOUNT_TEXT = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|元|%)")
AMOUNT_HEADING = re.compile(r"标准|补贴|奖励|资助|金额")
CONDITION_HEADING = re.compile(r"对象|范围|条件")
APPLY_HEADING = re.compile(r"申报|流程|程序|办理方式|方式")
PENALTY_HEADING = re.compile(r"监督|不予|追回|法律责任")

ASK_MATCH = 1.45
"""A document answering what the question asks."""
ASK_MISMATCH = 0.85
"""A document that answers something else the question does not ask."""
ITEM_TIE = 1.2
"""A document of the item the question names (its guide, its FAQs, an article its guide cites)."""
LAW_TIE = 1.4
"""An article of a law the named item's guide cites, other than the cited articles."""
OTHER_ITEM = 0.55
"""Another item's guide when the question names an item."""
OTHER_ITEM_FAQ = 0.8
"""Another item's FAQ when the question names an item."""
PROCEDURE_GUIDE = 2.0
"""The named item's guide when the question asks what to do (手续, 什么证) and nothing narrower."""
ARTICLE_NAMED = 4.0
"""The article whose number the question names."""
GUIDE_CONFIDENCE = 0.6
"""A plainly named item's guide, asked what to do, is a sure answer whatever other words the question has."""
ELSEWHERE_CONFIDENCE = 0.6
"""How much less sure an answer is when it belongs to another item than the question names."""
TIED_CONFIDENCE = 1.3
"""How much more sure an answer is when it belongs to the item the question names."""

_NUMERAL = "零〇一二三四五六七八九十百千两"
ARTICLE = re.compile(rf"第([{_NUMERAL}\d]+)条")
_DIGITS = "零一二三四五六七八九"


def asks(text: str) -> frozenset[str]:
    """What a question asks (keys of ASKS)."""
    found = frozenset(name for name, cues in ASKS.items() if any(cue in text for cue in cues))
    if HOW_TO_GET.search(text):  # 怎么办营业执照 (how to get one), unlike a closing 怎么办 (what now)
        found |= {"procedure"}
    if not found and any(word in text for word in BENEFIT):
        return frozenset({"amounts"})
    return found


OVERVIEW = "overview"
"""A policy's summary: it answers no particular ask, so any ask prefers a section."""
_ASPECT_BITS = {name: 1 << n for n, name in enumerate([*ASKS, OVERVIEW])}


def aspect_bits(names: frozenset[str] | set[str]) -> int:
    """A set of aspects as bits, for vectorised matching."""
    return sum(_ASPECT_BITS[name] for name in names if name in _ASPECT_BITS)


GENERIC = (
    "怎么办",
    "咋办",
    "怎么回事",
    "到哪",
    "哪了",
    "附近",
    "是谁",
    "什么样",
    "有什么",
    "怎么样",
    "好吃",
    "最快",
    "推荐",
)
"""Words that make a sentence a question but say nothing about its subject: a document matching only these has
not answered it (they count for ranking, not for ``confidence``)."""


def is_generic(term: str) -> bool:
    """True for a generic question word, or a bigram inside one."""
    return any(term in word for word in GENERIC)


def confidence(raw: float, ideal: float, *, tied: bool, elsewhere: bool = False) -> float:
    """How sure an answer is, 0–1: its word score over the best the question's words could reach (so one
    threshold works for short and long questions), raised when it belongs to the item the question names. The
    ranking factors are left out on purpose: they order candidates, they do not make a weak match a good one.
    A document of another item than the one named (``elsewhere``) is less sure: it shares the question's words
    about conditions or time, not its subject."""
    if ideal <= 0:
        return 0.0
    return min(1.0, raw / ideal * (TIED_CONFIDENCE if tied else ELSEWHERE_CONFIDENCE if elsewhere else 1.0))


WHO_TEXT = re.compile(r"负责|主管部门|由[^，。；]{0,16}(审批|核发|批准|制定|确定|发放)")
DEADLINE_TEXT = re.compile(r"[\d一二三四五六七八九十百]+(个工作日|日|天|个月)[以之]?内")


def law_aspects(text: str) -> frozenset[str]:
    """What a law article answers."""
    out = set()
    if DEADLINE_TEXT.search(text):
        out.add("deadline")
    if WHO_TEXT.search(text):
        out.add("who")
    if PENALTY_TEXT.search(text):
        out.add("penalty")
    if CONDITION_TEXT.search(text):
        out.add("conditions")
    return frozenset(out)


def policy_aspects(heading: str, text: str) -> frozenset[str]:
    """What a policy section answers, mostly from its heading."""
    out = set()
    if AMOUNT_HEADING.search(heading) and AMOUNT_TEXT.search(text):
        out.add("amounts")
    if CONDITION_HEADING.search(heading):
        out.add("conditions")
    if APPLY_HEADING.search(heading):
        out.add("apply")
    if PENALTY_HEADING.search(heading):
        out.add("penalty")
    return frozenset(out)


FAQ_PENALTY = re.compile(r"罚|会怎样|会怎么样|后果")


def faq_aspects(question: str) -> frozenset[str]:
    """What an FAQ answers besides its facets (knowledge/search/facets.py); penalties only when it says so
    plainly ("给了差评以后会怎么处理" is not about penalties)."""
    found = asks(question) - {"procedure", "penalty", "conditions"}  # conditions is a facet already
    return found | ({"penalty"} if FAQ_PENALTY.search(question) else set())


ITEM_ASPECTS = frozenset({"procedure", "conditions", "apply"})
"""An item's guide says what to do, on which conditions and how to apply."""
GUIDE_ASKS = ITEM_ASPECTS
OVERVIEW_FACTOR = 0.7
"""A policy's summary against its sections: a question usually asks about one section."""
GUIDE_UNASKED = 0.75
"""An item's guide when the question asks about something narrower (materials, time, a penalty, an amount): an
FAQ or an article answers that better."""


GUIDE_LEAD = 1.05
"""An item's guide, when the question asks what to do about the item and nothing narrower, scores this much above
the best other document (it is the answer, whatever else shares the question's words)."""
IMPLIED_POOL = 5
"""How many of the best FAQs and guides vote for the item a question is about when it names none."""
IMPLIED_SHARE = 0.6
"""The share of their scores one item must hold (its document also first) to count as the item asked about."""


PLAINLY_PROCEDURE = (
    "什么证",
    "啥证",
    "哪些证",
    "办什么",
    "办啥",
    "办哪些",
    "什么许可",
    "什么审批",
    "啥审批",
    "什么手续",
    "啥手续",
    "哪些手续",
    "什么备案",
    "要审批吗",
    "要批吗",
    "报批",
    "谁批",
    "找谁",
    "哪个部门",
    "走什么",
    "走啥",
    "去哪里办",
    "去哪办",
    "在哪办",
    "哪里办",
)
"""Cues that ask, beyond doubt, which procedure to go through (unlike 怎么办 or 手续, which also close questions
about something particular: "来不及办手续能先抢修吗")."""


def wants_guide(text: str, asked_facets: frozenset[str], *, bare: bool = False) -> bool:
    """Whether a question asks what to do about an item (办什么证, 找谁批) and nothing narrower (materials, time,
    a penalty, an amount, a rule): the item's guide answers it. ``bare``: the question says nothing but the item's
    name and a procedure word ("施工许可证咋办"), which asks the same."""
    asked = asks(text)
    if "procedure" not in asked or asked_facets or asked - {"procedure"} or any(c in text for c in LAW_CUES):
        return False
    return bare or any(cue in text for cue in PLAINLY_PROCEDURE)


def focused(text: str, named: bool) -> bool:
    """Whether a question names an item (``named``) or asks something particular — a penalty, a rule, conditions,
    an amount, how to apply: such a question is a service question even when its words match weakly, unlike a
    question outside the services ("帮我订酒店"), which names no item and asks none of these."""
    return named or bool(asks(text) - {"procedure"}) or any(cue in text for cue in LAW_CUES)


def article_numbers(text: str) -> set[str]:
    """Article numbers the text names, as 第X条 in Chinese numerals (第40条 → 第四十条)."""
    out = set()
    for number in ARTICLE.findall(text):
        out.add(f"第{chinese_number(int(number)) if number.isdigit() else number}条")
    return out


def chinese_number(n: int) -> str:
    """1–999 in Chinese numerals as laws write article numbers (十, 二十一, 一百零三, 一百一十)."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens = "" if n < 20 else _DIGITS[n // 10]
        return tens + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + _DIGITS[rest]
    else:
        tail = _DIGITS[rest // 10] + "十" + (_DIGITS[rest % 10] if rest % 10 else "")
    return _DIGITS[n // 100] + "百" + tail


def cited_articles(legal_basis: str) -> list[tuple[str, list[str]]]:
    """(law title, article numbers) cited by an item's 设定依据; an empty list cites the whole law."""
    out = []
    for part in re.split(r"[；;]", legal_basis):
        for match in re.finditer(r"《([^》]+)》([^《]*)", part):
            out.append((match.group(1), sorted(article_numbers(match.group(2)))))
    return out
