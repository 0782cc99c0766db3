"""Do the flow phrasings land in their flow? (issue 15: intake and business-opening questions)

Usage: python tests/eval_flows.py [RESULTS_DIR] [PHRASINGS_FILE]
(defaults: results/flows and tests/eval/flow_phrasings.yml, relative to bot/; the results of
`rasa test nlu -u tests/eval/flow_phrasings.yml --successes`).

An intake phrasing must be classified start_project_intake (it starts project_form). A business-opening phrasing
must land where the knowledge search answers it: ask_guide or ask_question (both search; the answer lists the
items for opening that kind of business). Prints every phrasing that missed and exits 1 on any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

from eval_nlu import heldout_messages

LANDS: Dict[str, Set[str]] = {
    "start_project_intake": {"start_project_intake"},
    "ask_guide": {"ask_guide", "ask_question"},
}
FLOW = {"start_project_intake": "报建咨询", "ask_guide": "开业办证"}


def predictions(results: Path) -> Dict[str, str]:
    """The predicted intent of every message (successes and errors of `rasa test nlu`)."""
    found: Dict[str, str] = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results / name
        if path.exists():
            for row in json.loads(path.read_text(encoding="utf-8")):
                found[row["text"]] = (row.get("intent_prediction") or {}).get("name") or ""
    return found


def main(argv: List[str]) -> int:
    bot = Path(__file__).resolve().parent.parent
    results = Path(argv[1]) if len(argv) > 1 else bot / "results" / "flows"
    phrasings = Path(argv[2]) if len(argv) > 2 else bot / "tests" / "eval" / "flow_phrasings.yml"
    predicted = predictions(results)
    misses: List[Tuple[str, str, str]] = []
    counts: Dict[str, List[int]] = {}
    for text, intent, _ in heldout_messages(phrasings):
        got = predicted.get(text, "(没有预测)")
        tally = counts.setdefault(intent, [0, 0])
        tally[1] += 1
        if got in LANDS[intent]:
            tally[0] += 1
        else:
            misses.append((FLOW[intent], text, got))
    for intent, (good, total) in counts.items():
        print(f"  {FLOW[intent]}：{good}/{total} 句进入正确流程")
    for flow, text, got in misses:
        print(f"  未进入{flow}：{text}  →  {got}")
    return 1 if misses or not counts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
