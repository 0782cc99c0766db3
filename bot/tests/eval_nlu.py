"""NLU figures from `rasa test nlu` on the held-out set, checked against the floors.

Usage: python tests/eval_nlu.py [RESULTS_DIR] [HELDOUT_FILE]
(defaults: results/nlu and tests/eval/nlu_heldout.yml, relative to bot/)

Prints intent accuracy, per-intent precision / recall / F1 / support with what each intent was confused
with, the misclassified messages, and the case-number extraction rate (messages of the held-out set that
contain a case number, whose number the model extracted exactly). Exits 1 below a floor:
intent accuracy >= 92 %, case-number extraction 100 %.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

ACCURACY_FLOOR = 0.92
CASE_NO_FLOOR = 1.0
ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")
CASE_NO = re.compile(r"KF\d{12}", re.IGNORECASE)


def heldout_messages(path: Path) -> List[Tuple[str, str, List[Tuple[str, str]]]]:
    """(text, intent, [(entity, value)]) for every example of the held-out file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if not line.startswith("- "):
                continue
            raw = line[2:].strip()
            entities = [(entity, value) for value, entity in ANNOTATION.findall(raw)]
            out.append((ANNOTATION.sub(r"\1", raw), block["intent"], entities))
    return out


def entity_predictions(results: Path) -> Dict[str, List[Dict[str, Any]]]:
    """Predicted entities by message text, from the regex extractor's successes and errors files."""
    found: Dict[str, List[Dict[str, Any]]] = {}
    for name in ("RegexEntityExtractor_successes.json", "RegexEntityExtractor_errors.json"):
        path = results / name
        if path.exists():
            for row in json.loads(path.read_text(encoding="utf-8")):
                found[row["text"]] = row.get("predicted_entities") or []
    return found


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "results" / "nlu"
    heldout = Path(sys.argv[2]) if len(sys.argv) > 2 else root / "tests" / "eval" / "nlu_heldout.yml"
    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    messages = heldout_messages(heldout)

    accuracy = float(report["accuracy"])
    intents = sorted(k for k, v in report.items() if isinstance(v, dict) and "precision" in v and "avg" not in k)
    print(f"\nNLU held-out evaluation: {len(messages)} messages, {len(intents)} intents")
    print(f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}  confused with")
    for intent in intents:
        row = report[intent]
        confused = ", ".join(f"{k}×{v}" for k, v in sorted(row.get("confused_with", {}).items(), key=lambda kv: -kv[1]))
        print(
            f"{intent:<22}{row['precision']:>10.2f}{row['recall']:>8.2f}{row['f1-score']:>7.2f}"
            f"{int(row['support']):>5}  {confused}"
        )
    for avg in ("macro avg", "weighted avg"):
        if avg in report:
            row = report[avg]
            print(
                f"{avg:<22}{row['precision']:>10.2f}{row['recall']:>8.2f}{row['f1-score']:>7.2f}{int(row['support']):>5}"
            )

    errors_path = results / "intent_errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.exists() else []
    if errors:
        print("\nMisclassified (expected → predicted, confidence):")
        for error in errors:
            prediction = error.get("intent_prediction") or {}
            print(
                f"  {error['intent']} → {prediction.get('name')} ({prediction.get('confidence', 0):.2f}): {error['text']}"
            )

    predicted = entity_predictions(results)
    with_case = [(text, [v for e, v in ents if e == "case_no"]) for text, _, ents in messages]
    with_case = [(text, values) for text, values in with_case if values or CASE_NO.search(text)]
    extracted = 0
    for text, values in with_case:
        wanted = {v.upper() for v in values} or {m.upper() for m in CASE_NO.findall(text)}
        got = {str(e.get("value", "")).upper() for e in predicted.get(text, []) if e.get("entity") == "case_no"}
        if wanted and wanted <= got:
            extracted += 1
        else:
            print(f"  case number NOT extracted: {text} (got {sorted(got)})")
    case_rate = extracted / len(with_case) if with_case else 1.0

    print(f"\nIntent accuracy: {accuracy:.1%} (floor {ACCURACY_FLOOR:.0%})")
    print(f"Case-number extraction: {extracted}/{len(with_case)} = {case_rate:.0%} (floor {CASE_NO_FLOOR:.0%})")
    failed = []
    if accuracy < ACCURACY_FLOOR:
        failed.append("intent accuracy")
    if case_rate < CASE_NO_FLOOR:
        failed.append("case-number extraction")
    if not with_case:
        failed.append("no held-out message contains a case number")
    if failed:
        print("NLU evaluation FAILED: " + ", ".join(failed))
        return 1
    print("NLU evaluation passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
