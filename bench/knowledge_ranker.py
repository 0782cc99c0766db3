"""Learns the search re-ranker (knowledge/search/rerank.py) on the DEV split of the colloquial labelled set and
writes knowledge/search/ranker_weights.json.

For every dev question the engine's best candidates (rerank.POOL) and their signals are taken from the real
engine over the demo seed; a linear scorer is fitted by a listwise softmax loss (the labelled answer against the
other candidates) with L2 regularisation, in numpy. The feature set and the regularisation are chosen by k-fold
cross-validation inside dev (folds by question); the cross-validated top-1/top-3 is the honest estimate and is
printed. The chosen model is then refitted on the whole of dev. The test split is never read here.

The margin that makes a first answer "clearly ahead" (the bot answers it directly, else offers three choices) is
chosen on the cross-validated dev predictions: the smallest log-odds lead at which the first answer is right at
least ``CLEAR_PRECISION`` of the time.

    .venv/bin/python bench/knowledge_ranker.py [--folds 5] [--dry-run]
"""

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass

import numpy as np
from harness import ROOT, bench_environment

sys.path.insert(0, str(ROOT))

TARGETED = ("law_x_penalty", "law_x_law_cue", "law_x_rule_cue", "faq_x_facets", "item_x_wants_guide")
FEATURE_SETS = {
    "base": lambda names: [n for n in names if "_x_" not in n and not n.startswith("tied_")],
    "base-no-kind": lambda names: [n for n in names if "_x_" not in n and not n.startswith(("tied_", "kind_"))],
    "no-kind+targeted": lambda names: [
        n for n in names if ("_x_" not in n and not n.startswith(("tied_", "kind_"))) or n in TARGETED
    ],
    "base+targeted": lambda names: [
        n for n in names if ("_x_" not in n and not n.startswith("tied_")) or n in TARGETED
    ],
}
"""Feature sets compared by cross-validation (the kind×question crossings in full overfit: 55–88 features
learned the dev split's mix of answer kinds, and the older set fell far below its floor)."""
L2 = (0.01, 0.03, 0.1, 0.3)
ANCHORS = (0.0, 2.0)
"""Weight of the engine's standardised log score that the regularisation pulls towards (0: towards nothing)."""
OLD_TOP1_FLOOR = 0.873
OLD_TOP3_FLOOR = 0.949
"""The older labelled set must not fall below these (issue 15): a setting that would is not chosen."""
CLEAR_PRECISION = 0.90
"""How often a clearly-ahead first answer must be right on the cross-validated dev predictions: as often as
under the engine's former rule (the second below 0.8 of the first), 90.1 % on dev."""


@dataclass
class Group:
    """One question's candidates: features, which are right, and the question."""

    q: str
    x: np.ndarray
    right: np.ndarray


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2, help="cross-validation repeats with other fold splits")
    parser.add_argument("--dry-run", action="store_true", help="do not write the weights")
    args = parser.parse_args()
    with bench_environment("sqlite", "ranker"):
        dev, old = collect()
    learn(dev, old, folds=args.folds, repeats=args.repeats, write=not args.dry_run)


@dataclass
class Groups:
    """A question set's candidate groups, and how many questions have no right answer among the candidates."""

    name: str
    groups: list[Group]
    unreachable: int

    @property
    def total(self) -> int:
        return len(self.groups) + self.unreachable


def collect() -> tuple[Groups, Groups]:
    """The candidate groups of the dev split (learned from) and of the older set (the floor), from the engine
    without a re-ranker."""
    from core.db import session_scope
    from core.migrate import upgrade
    from core.seed import demo
    from knowledge.plugin import seed
    from knowledge.search import rerank, service
    from knowledge.search.engine import Hit
    from knowledge.search.evaluation import load, target_of

    upgrade()
    with session_scope() as db:
        demo.ensure_roles(db)
        demo.seed_items(db, demo.seed_departments(db))
        db.commit()
        seed(db)
        index = service.refresh(db, force=True)
    index.ranker = None
    out = []
    for name, questions in (
        ("调优集（dev）", load(ROOT / "tests/knowledge/colloquial_questions.json", "dev")),
        ("原有标注集", load(ROOT / "tests/knowledge/eval_questions.json")),
    ):
        began = time.perf_counter()
        groups = Groups(name, [], 0)
        for question in questions:
            flags, candidates = index.candidates(question.q)
            right = np.array(
                [target_of(Hit(c.document, 0.0, 0.0, "")) in question.targets for c in candidates], dtype=bool
            )
            if not right.any():
                groups.unreachable += 1
                continue
            groups.groups.append(Group(question.q, rerank.features(flags, candidates), right))
        print(
            f"{name} {groups.total} 条：候选取自引擎前 {rerank.POOL} 名（{time.perf_counter() - began:.1f} 秒），"
            f"答案不在候选中的 {groups.unreachable} 条（计为未命中）",
            flush=True,
        )
        out.append(groups)
    return out[0], out[1]


def fit(groups: list[Group], columns: list[int], l2: float, anchor: float, steps: int = 400) -> tuple[np.ndarray, ...]:
    """Standardisation and weights minimising the mean softmax loss of the right answers plus ``l2``·|w − w₀|²,
    where w₀ keeps the engine's order (``anchor`` on its standardised log score, nothing else): the stronger the
    regularisation, the closer the learned order stays to the engine's."""
    stacked = np.vstack([g.x[:, columns] for g in groups])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (stacked - mean) / scale
    t = np.concatenate([g.right / g.right.sum() for g in groups])
    starts = np.cumsum([0] + [len(g.right) for g in groups[:-1]])
    sizes = np.array([len(g.right) for g in groups])
    prior = np.zeros(len(columns))
    prior[0] = anchor  # columns start with log_rel (ANCHORED)
    w = prior.copy()
    # Adam on the full batch: small data, smooth convex loss
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    rate, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        logits = x @ w
        logits -= np.repeat(np.maximum.reduceat(logits, starts), sizes)
        p = np.exp(logits)
        p /= np.repeat(np.add.reduceat(p, starts), sizes)
        grad = 2 * l2 * (w - prior) + x.T @ (p - t) / len(groups)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= rate * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
    return mean, scale, w


def ranks(groups: list[Group], columns: list[int], model: tuple[np.ndarray, ...]) -> list[tuple[int, float, bool]]:
    """Per group: the rank of the first right answer, the first's lead over the second, and whether first is right."""
    mean, scale, w = model
    out = []
    for g in groups:
        logits = ((g.x[:, columns] - mean) / scale) @ w
        order = np.argsort(-logits, kind="stable")
        rank = int(np.flatnonzero(g.right[order])[0])
        lead = float(logits[order[0]] - logits[order[1]]) if len(order) > 1 else 99.0
        out.append((rank, lead, rank == 0))
    return out


def cross_validate(
    groups: list[Group], columns: list[int], l2: float, anchor: float, folds: int, repeats: int
) -> list[tuple[int, float, bool]]:
    """Out-of-fold predictions for every group, over ``repeats`` random fold splits."""
    out: list[tuple[int, float, bool]] = []
    for repeat in range(repeats):
        order = list(range(len(groups)))
        random.Random(repeat).shuffle(order)
        for fold in range(folds):
            held = set(order[fold::folds])
            train = [g for n, g in enumerate(groups) if n not in held]
            model = fit(train, columns, l2, anchor)
            out += ranks([groups[n] for n in sorted(held)], columns, model)
    return out


def learn(dev: Groups, old: Groups, *, folds: int, repeats: int, write: bool) -> None:
    """Chooses features, regularisation and anchor by cross-validated dev top-1 among the settings that keep the
    older set at or above its floor (fitted on all of dev, as shipped), refits, prints, writes."""
    from knowledge.search import rerank

    names = list(rerank.FEATURES)
    for groups in (dev, old):
        engine = [(int(np.flatnonzero(g.right)[0]), 0.0, bool(g.right[0])) for g in groups.groups]
        print(
            f"引擎原排序 {groups.name}：top-1 {share(engine, 1, groups.total)}，top-3 {share(engine, 3, groups.total)}"
        )
    print(f"原有标注集的底线：top-1 ≥ {OLD_TOP1_FLOOR:.1%}，top-3 ≥ {OLD_TOP3_FLOOR:.1%}", flush=True)
    best: tuple[float, str, float, float] | None = None
    for set_name, choose in FEATURE_SETS.items():
        chosen = choose(names)
        columns = [names.index(n) for n in chosen]
        for anchor in ANCHORS:
            for l2 in L2:
                began = time.perf_counter()
                predicted = cross_validate(dev.groups, columns, l2, anchor, folds, repeats)
                top1 = sum(r == 0 for r, _, _ in predicted) / (dev.total * repeats)
                on_old = ranks(old.groups, columns, fit(dev.groups, columns, l2, anchor))
                old1 = sum(r == 0 for r, _, _ in on_old) / old.total
                old3 = sum(r < 3 for r, _, _ in on_old) / old.total
                keeps = old1 >= OLD_TOP1_FLOOR and old3 >= OLD_TOP3_FLOOR
                print(
                    f"  特征 {set_name:<22}（{len(chosen)} 个）锚 {anchor:<3} L2 {l2:<6} 交叉验证 dev top-1 "
                    f"{share(predicted, 1, dev.total * repeats)}，top-3 {share(predicted, 3, dev.total * repeats)}；"
                    f"原有集 {old1:.1%} / {old3:.1%}{'' if keeps else '（低于底线）'}"
                    f"（{time.perf_counter() - began:.1f} 秒）",
                    flush=True,
                )
                if keeps and (best is None or top1 > best[0] + 1e-9):
                    best = (top1, set_name, l2, anchor)
    if best is None:
        print("没有一种设置守住原有标注集的底线：不写权重（引擎保持原排序）")
        return
    _, set_name, l2, anchor = best
    chosen = FEATURE_SETS[set_name](names)
    columns = [names.index(n) for n in chosen]
    predicted = cross_validate(dev.groups, columns, l2, anchor, folds, repeats)
    print(
        f"选定：特征 {set_name}，锚 {anchor}，L2 {l2}；交叉验证 dev（{folds} 折 × {repeats} 次）top-1 "
        f"{share(predicted, 1, dev.total * repeats)}，top-3 {share(predicted, 3, dev.total * repeats)}",
        flush=True,
    )
    margin = clear_margin(predicted)
    clear = [p for p in predicted if p[1] >= margin]
    print(
        f"“明显领先”门槛 {margin:.2f}（对数几率差）：交叉验证中 {len(clear) / len(predicted):.1%} 的问题明显领先，"
        f"其中第一条正确 {sum(p[2] for p in clear) / max(len(clear), 1):.1%}",
        flush=True,
    )
    mean, scale, w = fit(dev.groups, columns, l2, anchor)
    fitted = ranks(dev.groups, columns, (mean, scale, w))
    print(
        f"全部 dev 上拟合（乐观，仅供对照）：top-1 {share(fitted, 1, dev.total)}，top-3 {share(fitted, 3, dev.total)}"
    )
    model = rerank.Model(tuple(chosen), mean, scale, w)
    heaviest = sorted(zip(chosen, w, strict=True), key=lambda nw: -abs(nw[1]))[:12]
    print("权重最大的特征：" + "，".join(f"{n} {x:+.2f}" for n, x in heaviest))
    if write:
        data = {
            "about": "Learned by bench/knowledge_ranker.py on the dev split; do not edit by hand.",
            "feature_set": set_name,
            "l2": l2,
            "anchor": anchor,
            "clear_margin": round(margin, 4),
            "model": model.to_json(),
        }
        rerank.WEIGHTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"已写入 {rerank.WEIGHTS.relative_to(ROOT)}")


def clear_margin(predicted: list[tuple[int, float, bool]]) -> float:
    """The smallest lead above which the first answer is right at least CLEAR_PRECISION of the time."""
    for margin in np.arange(0.0, 6.01, 0.1):
        above = [p for p in predicted if p[1] >= margin]
        if above and sum(p[2] for p in above) / len(above) >= CLEAR_PRECISION:
            return float(margin)
    return 6.0


def share(predicted: list[tuple[int, float, bool]], k: int, total: int) -> str:
    return f"{sum(r < k for r, _, _ in predicted) / total:.1%}"


if __name__ == "__main__":
    main()
