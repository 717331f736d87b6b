"""The ``mirkb evaluate --report DIR`` output: a Markdown summary, error lists and a chart.

Files written:

- ``report.md``: micro scores for each level × source, per-document tables, the per-effect
  table (strict, all sources) and counts;
- ``fp.csv`` / ``fn.csv``: strict false positives / negatives over all sources, each with the
  first predicted evidence (FP, with its character ``start``) or the gold evidence and ``line``
  (FN), so each can be judged against the paper;
- ``per_effect.png``: precision, recall and F1 per effect (strict, all sources).
"""

from __future__ import annotations

import csv
from pathlib import Path

from mirkb.scoring import LEVELS, SCOPES, Counts, Evaluation, Finding

FINDING_COLUMNS: tuple[str, ...] = ("doc_id", "mirna", "cancer", "effect", "source", "evidence", "line", "start")


def _row(label: list[str], counts: Counts) -> str:
    cells = label + [str(counts.tp), str(counts.fp), str(counts.fn)]
    cells += [f"{counts.p:.3f}", f"{counts.r:.3f}", f"{counts.f1:.3f}"]
    return "| " + " | ".join(cells) + " |"


def _table(head: list[str], rows: list[str]) -> list[str]:
    head = head + ["TP", "FP", "FN", "P", "R", "F1"]
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *rows, ""]


def render_markdown(evaluation: Evaluation, *, title: str = "mirkb evaluation") -> str:
    lines = [f"# {title}", ""]
    lines += [
        f"- documents scored: {len(evaluation.documents)}",
        f"- predicted rows in them: {evaluation.n_predicted_rows}",
        f"- gold rows: {evaluation.n_gold_rows} (plus {evaluation.n_gold_optional} optional)",
    ]
    if evaluation.unscored:
        listed = ", ".join(f"{doc} ({n})" for doc, n in evaluation.unscored.items())
        lines.append(f"- predicted documents not scored (no gold; unique triples): {listed}")
    lines += ["", "Precision and recall of 0/0 are shown as 0; the counts say which.", ""]

    lines += ["## Micro-averaged", ""]
    lines += _table(
        ["level", "source"],
        [_row([level, scope], evaluation.result(level, scope).micro) for level in LEVELS for scope in SCOPES],
    )

    lines += ["## Per effect (strict, all sources)", ""]
    lines += _table(["effect"], [_row([effect], counts) for effect, counts in evaluation.per_effect.items()])

    lines += ["## Per document", ""]
    for level in LEVELS:
        for scope in SCOPES:
            result = evaluation.result(level, scope)
            lines += [f"### {level}, {scope}", ""]
            lines += _table(["document"], [_row([doc], c) for doc, c in result.documents.items()])
    return "\n".join(lines)


def _finding_record(finding: Finding) -> dict:
    row = finding.row
    return {
        "doc_id": finding.doc_id,
        "mirna": row.mirna,
        "cancer": row.cancer,
        "effect": row.effect,
        # every source the triple came from on that side, so a text/table mix-up is visible
        "source": "+".join(finding.sources),
        "evidence": row.evidence,
        "line": row.line if row.line else "",
        "start": row.start if row.start >= 0 else "",
    }


def write_findings(path: Path, findings: list[Finding]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FINDING_COLUMNS)
        writer.writeheader()
        for finding in findings:
            writer.writerow(_finding_record(finding))


def plot_per_effect(path: Path, per_effect: dict[str, Counts]) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on CI or servers
    import matplotlib.pyplot as plt

    effects = list(per_effect)
    width = 0.27
    positions = range(len(effects))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.8 * len(effects) + 2), 4.5))
    for offset, (label, values) in enumerate(
        (
            ("precision", [per_effect[e].p for e in effects]),
            ("recall", [per_effect[e].r for e in effects]),
            ("F1", [per_effect[e].f1 for e in effects]),
        )
    ):
        ax.bar([x + (offset - 1) * width for x in positions], values, width, label=label)
    ax.set_xticks(list(positions))
    ax.set_xticklabels(effects, rotation=40, ha="right")
    ax.set_ylim(0, 1.15)  # headroom so the legend row never covers a bar at 1.0
    ax.set_ylabel("score")
    ax.set_title("Per effect (strict, all sources)")
    ax.legend(ncol=3, loc="upper center", frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(directory: Path, evaluation: Evaluation) -> list[Path]:
    """Write the four report files into ``directory`` (created if needed); return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    strict = evaluation.result("strict", "all")
    paths = [directory / name for name in ("report.md", "fp.csv", "fn.csv", "per_effect.png")]
    paths[0].write_text(render_markdown(evaluation) + "\n", encoding="utf-8")
    write_findings(paths[1], strict.false_positives)
    write_findings(paths[2], strict.false_negatives)
    plot_per_effect(paths[3], evaluation.per_effect)
    return paths
