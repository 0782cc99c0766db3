"""Search latency with 10,000 FAQs and 2,000 law articles loaded (plus the demo items' guides), in-process.

The demo FAQs and articles are multiplied with varied wording until the counts are reached, indexed by
the real engine (jieba, user dictionary, synonyms, the item recogniser and ranking of issue 15), then the
labelled questions (the older set and the colloquial one) are searched repeatedly.
Prints p50/p95/p99 latency and the index build time.

    .venv/bin/python bench/knowledge_search.py [--faqs 10000] [--articles 2000]
"""

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.search import ranking, tokens  # noqa: E402
from knowledge.search.engine import Document, Index  # noqa: E402
from knowledge.search.facets import facets  # noqa: E402
from knowledge.search.recognise import Recogniser, phrases_of  # noqa: E402

PLACES = ["开发区", "高新区", "综保区", "科创园", "出口加工区", "北区", "南区", "滨湖片区"]
WHO = ["企业", "个人", "个体工商户", "外资企业", "建设单位", "物业公司", "社会组织"]


def documents(faq_count: int, article_count: int) -> list[Document]:
    """FAQ and article documents, the demo ones varied until the counts are reached."""
    seed = ROOT / "knowledge" / "seed"
    faqs = json.loads((seed / "faqs.json").read_text(encoding="utf-8"))
    laws = json.loads((seed / "laws.json").read_text(encoding="utf-8"))
    items = json.loads((ROOT / "core/seed/data/items.json").read_text(encoding="utf-8"))
    item_ids = {item["name"]: n for n, item in enumerate(items, start=1)}
    rng = random.Random(5)
    docs: list[Document] = [
        Document(
            key=f"item:{n}",
            kind="item",
            title=item["name"],
            link=f"/guides/{n}",
            fields=((item["name"], 3.0), (" ".join(item["aliases"]), 2.5), (item["scope"], 0.4)),
            snippet_source=item["scope"],
            items=frozenset({n}),
            aspects=ranking.ITEM_ASPECTS,
        )
        for n, item in enumerate(items, start=1)
    ]
    for n in range(faq_count):
        faq = faqs[n % len(faqs)]
        variant = "" if n < len(faqs) else f"（{rng.choice(PLACES)}{rng.choice(WHO)}）"
        question = faq["question"] + variant
        docs.append(
            Document(
                key=f"faq:{n}",
                kind="faq",
                title=question,
                link=f"/knowledge/faqs/{n}",
                fields=(
                    (question, 3.0),
                    (" ".join(faq["alternatives"]), 2.5),
                    (" ".join(faq["keywords"]), 2.0),
                    (faq["item_name"], 3.0),
                    (faq["answer"], 1.0),
                ),
                snippet_source=faq["answer"],
                facets=facets(question),
                items=frozenset({item_ids[faq["item_name"]]}) if faq["item_name"] in item_ids else frozenset(),
                aspects=ranking.faq_aspects(question),
            )
        )
    articles = [(law["title"], a) for law in laws for a in law["articles"]]
    for n in range(article_count):
        title, article = articles[n % len(articles)]
        text = article["text"] if n < len(articles) else f"{rng.choice(PLACES)}参照执行：{article['text']}"
        docs.append(
            Document(
                key=f"law:{n}",
                kind="law",
                title=f"《{title}》{article['no']}",
                link=f"/knowledge/laws/{n}",
                fields=((title, 1.2), (article["no"], 1.0), (text, 1.0)),
                snippet_source=text,
                meta={"article": article["no"]},
                aspects=ranking.law_aspects(text),
            )
        )
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faqs", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    seed = ROOT / "knowledge" / "seed"
    glossary = json.loads((seed / "glossary.json").read_text(encoding="utf-8"))
    items = json.loads((ROOT / "core/seed/data/items.json").read_text(encoding="utf-8"))
    tokens.initialize()
    tokens.add_words([g["term"] for g in glossary] + [i["name"] for i in items])
    docs = documents(args.faqs, args.articles)
    began = time.perf_counter()
    index = Index()
    for doc in docs:
        index.add(doc)
    index.set_synonyms((g["term"], g["synonyms"]) for g in glossary)
    index.recogniser = Recogniser()
    for n, item in enumerate(items, start=1):
        index.recogniser.add(n, item["name"], phrases_of(item["name"], item["aliases"]))
    build = time.perf_counter() - began

    questions = [
        q["q"]
        for name in ("eval_questions.json", "colloquial_questions.json")
        for q in json.loads((ROOT / "tests/knowledge" / name).read_text("utf-8"))
    ]
    for q in questions[:20]:
        index.search(q)  # warm-up
    latencies = []
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            index.find(q, limit=5)
            latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]  # noqa: E731
    print(
        f"知识检索基准：{args.faqs} 条问答 + {args.articles} 条法规条文 + {len(items)} 个事项指南，"
        f"共 {len(index)} 个文档；建索引 {build:.1f} s"
    )
    print(
        f"{len(latencies)} 次查询：p50 {statistics.median(latencies):.2f} ms，p95 {pct(0.95):.2f} ms，"
        f"p99 {pct(0.99):.2f} ms，最大 {latencies[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
