"""The assistant's retrieval quality and speed, without an LLM: Recall@1, Recall@3 and MRR of the
service, out-of-scope precision/recall/F1, and p50/p95 latency of a whole reply (retrieval and
wording), over bench/data/assistant_dev.tsv; and FAQ-level Recall@1/@3 (the FAQ entry the reply
answers with), the accuracy on services offered elsewhere and on "forgot my password", over
bench/data/assistant_faq.tsv.

    PYTHONPATH=. .venv/bin/python bench/assistant_eval.py            # print the figures
    PYTHONPATH=. .venv/bin/python bench/assistant_eval.py --write    # and rewrite docs/benchmarks.md
    PYTHONPATH=. .venv/bin/python bench/assistant_eval.py --tune     # choose thresholds on assistant_tune.tsv
    PYTHONPATH=. .venv/bin/python bench/assistant_eval.py --faq-tune # FAQ-level figures on the tuning set

`--tune` fits the out-of-scope model (src/pracha/assistant/scope.py) on the tuning questions only,
reports its 5-fold cross-validated figures there, and writes its weights to
catalog/assistant/tuning.yaml; the evaluation set is never used to tune.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from bench.common import REPO, code_version, load_average, machine, write_section  # noqa: E402

from pracha.assistant.dialogue import Assistant  # noqa: E402
from pracha.assistant.index import Tuning  # noqa: E402
from pracha.assistant.scope import FEATURES, fit  # noqa: E402
from pracha.services.catalog import load_catalog  # noqa: E402

DATA = REPO / "bench" / "data"
CATALOG = REPO / "catalog"


def read_questions(path: Path) -> list[tuple[str | None, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, question = line.split("\t", 1)
            rows.append((None if label == "-" else label, question.strip()))
    return rows


def evaluate(assistant: Assistant, rows: list[tuple[str | None, str]], tuning: Tuning | None = None
             ) -> dict[str, float]:
    index = assistant.index
    r1 = r3 = rr = 0.0
    tp = fp = fn = 0
    in_scope = sum(1 for label, _ in rows if label)
    for label, question in rows:
        found = index.search(question)
        ranked = [sid for sid, _ in found.services]
        says_in = index.decide(found.features, tuning) if found.services else False
        predicted = ranked[0] if says_in and ranked else None
        if label:
            r1 += predicted == label
            r3 += says_in and label in ranked[:3]
            rr += 1 / (ranked.index(label) + 1) if says_in and label in ranked else 0
        tp += predicted is None and label is None
        fp += predicted is None and label is not None
        fn += predicted is not None and label is None
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"recall1": r1 / in_scope, "recall3": r3 / in_scope, "mrr": rr / in_scope, "oos_precision": precision,
            "oos_recall": recall, "oos_f1": f1, "n": len(rows), "n_oos": len(rows) - in_scope}


def evaluate_faq(assistant: Assistant, rows: list[tuple[str | None, str]]) -> dict[str, float]:
    """FAQ-level figures: a row is right at k when a label (``a|b``: any part of a multi-part question)
    is among the first k topics the assistant would answer with (its reply's topic first)."""
    counts = {"faq": [0, 0, 0], "elsewhere": [0, 0, 0], "action": [0, 0, 0]}  # n, right@1, right@3
    misses: list[str] = []
    for label, question in rows:
        labels = set((label or "-").split("|"))
        kind = "elsewhere" if label and label.startswith("elsewhere:") else (
            "action" if label and label.startswith("action:") else "faq")
        reply = assistant.respond(question)
        ranked = [reply.topic] if reply.topic and reply.intent != "answer" else (
            assistant.index.faq_ranking(reply.retrieval, reply.service_id)[:3]
            if reply.retrieval is not None and reply.service_id else [])
        counts[kind][0] += 1
        counts[kind][1] += bool(ranked) and ranked[0] in labels
        counts[kind][2] += bool(labels & set(ranked[:3]))
        if not ranked or ranked[0] not in labels:
            misses.append(f"{label}\t{question}\t-> {ranked[0] if ranked else reply.intent}")
    share = {k: (v[1] / v[0] if v[0] else 0.0) for k, v in counts.items()}
    return {"faq_recall1": share["faq"], "faq_recall3": counts["faq"][2] / max(1, counts["faq"][0]),
            "elsewhere_accuracy": share["elsewhere"], "password_accuracy": share["action"],
            "n_faq": counts["faq"][0], "n_elsewhere": counts["elsewhere"][0], "n_password": counts["action"][0],
            "misses": misses}  # type: ignore[dict-item]


def elsewhere_false_alarms(assistant: Assistant, rows: list[tuple[str | None, str]]) -> int:
    """Questions about a Pracha service that the assistant sent elsewhere (should be none)."""
    return sum(1 for label, q in rows if label and assistant.respond(q).intent in ("elsewhere", "password_reset"))


def latency(assistant: Assistant, rows: list[tuple[str | None, str]], rounds: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        for _, question in rows:
            start = time.perf_counter()
            assistant.respond(question)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def tune(assistant: Assistant, rows: list[tuple[str | None, str]]) -> tuple[Tuning, dict[str, float]]:
    """Fit the out-of-scope model on these questions (all of them), and its 5-fold cross-validated
    figures on them (each fold predicted by a model fitted on the other four)."""
    x = np.array([assistant.index.search(q).features for _, q in rows])
    y = np.array([1.0 if label else 0.0 for label, _ in rows])
    base = assistant.index.tuning
    folds = np.arange(len(rows)) % 5
    predicted = np.zeros(len(rows), dtype=bool)
    for k in range(5):
        model = fit(x[folds != k], y[folds != k])
        predicted[folds == k] = [model.in_scope(row) for row in x[folds == k]]
    tp = sum(not p and not t for p, t in zip(predicted, y, strict=True))
    precision = tp / max(1, sum(not p for p in predicted))
    recall = tp / max(1, sum(not t for t in y))
    cv = {"cv_oos_precision": precision, "cv_oos_recall": recall,
          "cv_oos_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}
    return replace(base, scope=fit(x, y)), cv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite this section of docs/benchmarks.md")
    parser.add_argument("--tune", action="store_true", help="choose thresholds on the tuning set and save them")
    parser.add_argument("--faq-tune", action="store_true", help="FAQ-level figures and misses on the tuning set")
    parser.add_argument("--misses", action="store_true", help="list the FAQ-level misses")
    args = parser.parse_args()
    catalog = load_catalog(CATALOG)
    assistant = Assistant(catalog, CATALOG)
    if args.tune:
        rows = read_questions(DATA / "assistant_tune.tsv")
        t, cv = tune(assistant, rows)
        (CATALOG / "assistant" / "tuning.yaml").write_text(
            "# Fitted by `bench/assistant_eval.py --tune` on bench/data/assistant_tune.tsv (never the eval set):\n"
            "# the out-of-scope model of src/pracha/assistant/scope.py (in scope when the probability >= cut).\n"
            + yaml.safe_dump({"alpha": t.alpha, "faq_full_weight": t.faq_full_weight, "second_weight": t.second_weight,
                             "scope": t.scope.to_dict()}, sort_keys=False, allow_unicode=True))
        print("tuned:", t.scope.to_dict(), "\nin sample:", evaluate(assistant, rows, t), "\n5-fold:", cv)
        return
    if args.faq_tune:
        f = evaluate_faq(assistant, read_questions(DATA / "assistant_faq_tune.tsv"))
        print("\n".join(f.pop("misses")), "\n", f)  # type: ignore[arg-type]
        return
    rows = read_questions(DATA / "assistant_dev.tsv")
    m = evaluate(assistant, rows)
    f = evaluate_faq(assistant, read_questions(DATA / "assistant_faq.tsv"))
    misses = f.pop("misses")
    if args.misses:
        print("\n".join(misses))  # type: ignore[arg-type]
    false_alarms = elsewhere_false_alarms(assistant, rows)
    p50, p95 = latency(assistant, rows)
    t = assistant.index.tuning
    aims = [("Recall@1", m["recall1"], 0.85, ">="), ("out-of-scope F1", m["oos_f1"], 0.8, ">="),
            ("p95 latency (ms)", p95, 50.0, "<="), ("FAQ-level Recall@1", f["faq_recall1"], 0.8, ">="),
            ("elsewhere accuracy", f["elsewhere_accuracy"], 0.9, ">=")]
    lines = [
        "<!-- assistant:start -->",
        "## Assistant (bench/assistant_eval.py)",
        "",
        f"{m['n']:.0f} Thai (and a few English) questions in `bench/data/assistant_dev.tsv`, {m['n_oos']:.0f} "
        f"({m['n_oos'] / m['n']:.0%}) of them outside what Pracha knows; written apart from the FAQ (a test "
        "checks that none repeats an FAQ question). Out of scope is decided by a logistic model over "
        f"{len(FEATURES)} features ({', '.join(FEATURES)}; see src/pracha/assistant/scope.py), fitted on "
        "`bench/data/assistant_tune.tsv` only. No LLM.",
        "Recall@k counts a question right when the assistant answers (does not say out of scope) and the right "
        "service is among its first k; MRR likewise.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| Recall@1 | {m['recall1']:.3f} |",
        f"| Recall@3 | {m['recall3']:.3f} |",
        f"| MRR | {m['mrr']:.3f} |",
        f"| out-of-scope precision | {m['oos_precision']:.3f} |",
        f"| out-of-scope recall | {m['oos_recall']:.3f} |",
        f"| out-of-scope F1 | {m['oos_f1']:.3f} |",
        f"| latency p50 / p95 (one reply, in process) | {p50:.2f} ms / {p95:.2f} ms |",
        "",
        "### FAQ level (bench/data/assistant_faq.tsv)",
        "",
        f"{f['n_faq'] + f['n_elsewhere'] + f['n_password']:.0f} questions written apart from the FAQ (misspelt, "
        "colloquial, multi-part, a few English): "
        f"{f['n_faq']:.0f} labelled with the FAQ entry that answers them (a multi-part question with each part's "
        f"entry; answering any part counts), {f['n_elsewhere']:.0f} about state services Pracha does not offer "
        f"(`catalog/assistant/elsewhere.yaml`) and {f['n_password']:.0f} \"forgot my password\". Paraphrases "
        "and word lists were chosen on `bench/data/assistant_faq_tune.tsv` only. Recall@1 counts the FAQ entry "
        "the reply answers with; Recall@3 the first three entries of the chosen service.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| FAQ-level Recall@1 | {f['faq_recall1']:.3f} |",
        f"| FAQ-level Recall@3 | {f['faq_recall3']:.3f} |",
        f"| service-level Recall@1 (dev set, above) | {m['recall1']:.3f} |",
        f"| services offered elsewhere: right agency | {f['elsewhere_accuracy']:.3f} |",
        f"| \"forgot my password\" → reset page | {f['password_accuracy']:.3f} |",
        f"| Pracha questions of the dev set sent elsewhere (false alarms) | {false_alarms} |",
        "",
        f"Machine: {machine()}; load average {load_average():.2f} at the start; code {code_version()}.",
        "",
        "Aims:",
    ]
    for name, value, aim, op in aims:
        met = value >= aim if op == ">=" else value <= aim
        lines.append(f"- {name}: {value:.3f} (aim {op} {aim}): {'met' if met else 'NOT met'}")
    lines.append("<!-- assistant:end -->")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("assistant", text)


if __name__ == "__main__":
    main()
