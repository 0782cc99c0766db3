"""Turning Chinese (and mixed) text into search terms.

Words come from jieba's search mode (long words and their parts), with the glossary and service-item
names loaded as a user dictionary so that "建设工程规划许可证" stays one term. Character bigrams of the
Chinese runs are added as weaker terms, so a typo that spoils one word still matches most of its bigrams.
"""

import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

_lock = threading.Lock()
_loaded_words: set[str] = set()
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
BIGRAM_PREFIX = "~"

STOPWORDS = frozenset(
    [
        "哪些",
        "需要",
        "东西",
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "嘛",
        "么",
        "哦",
        "请问",
        "请",
        "问",
        "一下",
        "我",
        "我们",
        "咱",
        "咱们",
        "你",
        "你们",
        "您",
        "他",
        "她",
        "它",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "就",
        "都",
        "也",
        "还",
        "这",
        "那",
        "这个",
        "那个",
        "哪个",
        "些",
        "个",
        "能",
        "可以",
        "想",
        "要",
        "得",
        "地",
        "着",
        "过",
        "给",
        "把",
        "被",
        "让",
        "跟",
        "对",
        "从",
        "向",
        "到",
        "吧",
        "呗",
        "哈",
        "嗯",
        "么样",
        "怎么",
        "怎样",
        "如何",
        "什么",
        "啥",
        "哪儿",
        "为什么",
        "是否",
        "需不需要",
        "能不能",
        "可不可以",
        "谢谢",
        "麻烦",
        "你好",
        "您好",
    ]
)
# Kept on purpose although common: 多久 材料 收费 费用 地点 时间 网上 办理 — they are what people ask about.


def initialize() -> None:
    """Loads jieba's dictionary now rather than on the first query."""
    jieba.initialize()


def add_words(words: Iterable[str]) -> None:
    """Teaches jieba domain words (glossary terms, item names, law titles) so they stay whole."""
    with _lock:
        for word in words:
            word = normalize(word).strip()
            if len(word) >= 2 and word not in _loaded_words:
                jieba.add_word(word, freq=20000)
                _loaded_words.add(word)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> list[str]:
    """Search-mode words without stop words and punctuation."""
    out: list[str] = []
    for token in jieba.lcut_for_search(normalize(text)):
        token = token.strip()
        if token and token not in STOPWORDS and _WORD.fullmatch(token):
            out.append(token)
    return out


def bigrams(text: str) -> list[str]:
    """Character bigrams of the Chinese runs, marked so they never collide with words."""
    out: list[str] = []
    for run in _CJK_RUN.findall(normalize(text)):
        out.extend(BIGRAM_PREFIX + run[i : i + 2] for i in range(len(run) - 1))
    return out


def terms(text: str) -> list[str]:
    """Every term of a text: words and bigrams."""
    return words(text) + bigrams(text)
