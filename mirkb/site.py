"""The evidence report: a static HTML site to read triples and their evidence in a browser.

``build_site(out, mentions, …)`` writes:

- ``index.html``: every triple (miRNA, cancer, effect, support, sources, rules, and its verdict
  when gold was given) in a table that filters (free text, effect, source, verdict) and sorts by
  any column, with plain JavaScript inside the page;
- ``triples/<id>.html``: one page per triple, each evidence sentence (or table row) with the
  miRNA, the cancer and the cue highlighted by displaCy's span renderer (see
  :mod:`mirkb.highlight` for how the spans are found), its document, offsets, rule and hedge;
- ``evaluation.html`` (with gold): true positives, false positives and false negatives side by
  side, near misses labelled, the rule that fired, and the per-effect chart ``per_effect.png``.

Nothing loads from the network and no server is needed: the pages open from disk (file://),
which is why the triple data sits in the page rather than in a JSON file fetched at run time.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mirkb.highlight import LABELS, Highlighter, Mark
from mirkb.scoring import Evaluation, Finding, Row, strip_arm

#: Highlight colours (background), also used by the legend.
COLORS = {"miRNA": "#ffd166", "cancer": "#8ecae6", "cue": "#b5e48c"}

NEAR_PAIR = "right pair, wrong effect"
NEAR_ARM = "arm granularity"
NEAR_CANCER = "cancer granularity"


@dataclass
class Triple:
    triple_id: str
    mirna: str
    cancer: str
    cancer_id: str
    effect: str
    mentions: list[dict] = field(default_factory=list)
    #: doc_id → "TP", "FP" or "optional" (strict, all sources) for documents that were scored
    verdicts: dict[str, str] = field(default_factory=dict)

    @property
    def documents(self) -> list[str]:
        return sorted({m["doc_id"] for m in self.mentions})

    @property
    def sources(self) -> list[str]:
        return sorted({str(m.get("source", "")) for m in self.mentions if m.get("source")})

    @property
    def rules(self) -> list[str]:
        return sorted({str(m.get("rule", "")) for m in self.mentions if m.get("rule")})

    @property
    def hedged(self) -> bool:
        return any(_truthy(m.get("hedged")) for m in self.mentions)

    @property
    def page(self) -> str:
        return f"triples/{self.triple_id[:16]}.html"

    @property
    def verdict(self) -> str:
        """One word for the index: the verdicts of the scored documents, or "" when none was."""
        return "+".join(sorted(set(self.verdicts.values())))


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes"}


def group_triples(mentions: Iterable[dict]) -> list[Triple]:
    """Mention rows (§5 columns) grouped into triples, most supported first."""
    from mirkb.kb.store import triple_id

    by_id: dict[str, Triple] = {}
    for m in mentions:
        tid = m.get("triple_id") or triple_id(m["mirna"], m["cancer"], m["effect"])
        entry = by_id.get(tid)
        if entry is None:
            entry = by_id[tid] = Triple(tid, m["mirna"], m["cancer"], str(m.get("cancer_id") or ""), m["effect"])
        entry.mentions.append(m)
    for entry in by_id.values():
        entry.mentions.sort(key=lambda m: (m["doc_id"], _int(m.get("start"))))
    return sorted(by_id.values(), key=lambda t: (-len(t.documents), -len(t.mentions), t.mirna, t.cancer, t.effect))


def read_mentions(path: Path) -> list[dict]:
    """Mention rows of a §5 predictions file (CSV, TSV or Parquet, by suffix) as dicts."""
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() in {".parquet", ".pq"}:
        frame = pd.read_parquet(path)
    elif path.stat().st_size == 0:
        return []
    else:
        sep = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, quoting=3 if sep == "\t" else 0)
    return [{k: ("" if v is None else v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def to_rows(mentions: Iterable[dict]) -> list[Row]:
    """Mention dicts as the scorer's prediction rows."""
    return [Row(str(m["doc_id"]), str(m["mirna"]), str(m["cancer"]), str(m["effect"]), str(m.get("source", "")),
                evidence=str(m.get("evidence", "")), start=_int(m.get("start"))) for m in mentions]


def _int(value, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------- evaluation


@dataclass
class Item:
    """One TP, FP or FN on the evaluation page."""

    kind: str
    doc_id: str
    mirna: str
    cancer: str
    effect: str
    evidence: str
    rule: str = ""
    line: int = 0
    start: int = -1
    near: list[str] = field(default_factory=list)
    page: str = ""
    stored: dict = field(default_factory=dict)


def _cancer_related(a: str, b: str) -> bool:
    """One cancer is a subtype of the other in the project's lexicon (ontology ancestors)."""
    if a == b:
        return False
    from extractors.cancer import load_lexicon

    concepts = load_lexicon().concepts
    ca, cb = concepts.get(a), concepts.get(b)
    return bool(ca and cb and (ca.is_broader_than(cb) or cb.is_broader_than(ca)))


def near_misses(row: Row, others: Iterable[Row]) -> list[str]:
    """How a wrong or missed triple almost matched one on the other side, in the same document."""
    labels: list[str] = []
    for other in others:
        if other.doc_id != row.doc_id or (other.mirna, other.cancer, other.effect) == (row.mirna, row.cancer, row.effect):
            continue
        if other.mirna == row.mirna and other.cancer == row.cancer:
            label = f"{NEAR_PAIR} ({other.effect})"
        elif other.mirna != row.mirna and strip_arm(other.mirna) == strip_arm(row.mirna) \
                and other.cancer == row.cancer and other.effect == row.effect:
            label = f"{NEAR_ARM} ({other.mirna})"
        elif strip_arm(other.mirna) == strip_arm(row.mirna) and other.effect == row.effect \
                and _cancer_related(other.cancer, row.cancer):
            label = f"{NEAR_CANCER} ({other.cancer})"
        else:
            continue
        if label not in labels:
            labels.append(label)
    return labels


def evaluation_items(evaluation: Evaluation, mentions: list[dict], gold: list[Row],
                     pages: dict[str, str]) -> dict[str, list[Item]]:
    """TP, FP and FN items (strict, all sources), each with its evidence, rule and near misses."""
    from mirkb.kb.store import triple_id

    first: dict[tuple[str, str, str, str], dict] = {}
    for m in mentions:
        first.setdefault((m["doc_id"], m["mirna"], m["cancer"], m["effect"]), m)
    documents = set(evaluation.documents)
    predicted = [Row(m["doc_id"], m["mirna"], m["cancer"], m["effect"], str(m.get("source", "")))
                 for m in mentions if m["doc_id"] in documents]
    required = [r for r in gold if not r.optional and r.doc_id in documents]
    strict = evaluation.result("strict", "all")

    def from_prediction(kind: str, doc_id: str, key: tuple[str, str, str], near: list[str]) -> Item:
        m = first.get((doc_id, *key), {})
        return Item(kind, doc_id, *key, evidence=str(m.get("evidence", "")), rule=str(m.get("rule", "")),
                    start=_int(m.get("start")), near=near, page=pages.get(triple_id(*key), ""), stored=m)

    required_keys = {(r.doc_id, r.mirna, r.cancer, r.effect) for r in required}
    tps = sorted({(r.doc_id, r.mirna, r.cancer, r.effect) for r in predicted} & required_keys)
    items: dict[str, list[Item]] = {"TP": [], "FP": [], "FN": []}
    items["TP"] = [from_prediction("TP", d, (mi, c, e), []) for d, mi, c, e in tps]
    for finding in strict.false_positives:
        items["FP"].append(from_prediction("FP", finding.doc_id, finding.key, near_misses(finding.row, required)))
    for finding in strict.false_negatives:
        items["FN"].append(_gold_item(finding, near_misses(finding.row, predicted)))
    return items


def _gold_item(finding: Finding, near: list[str]) -> Item:
    row = finding.row
    return Item("FN", finding.doc_id, row.mirna, row.cancer, row.effect, evidence=row.evidence, line=row.line,
                near=near)


def verdicts_by_triple(evaluation: Evaluation, mentions: list[dict], gold: list[Row]) -> dict[str, dict[str, str]]:
    """triple_id → {doc_id: TP / FP / optional} over the scored documents (strict, all sources)."""
    from mirkb.kb.store import triple_id

    documents = set(evaluation.documents)
    required = {(r.doc_id, r.mirna, r.cancer, r.effect) for r in gold if not r.optional}
    optional = {(r.doc_id, r.mirna, r.cancer, r.effect) for r in gold if r.optional} - required
    out: dict[str, dict[str, str]] = {}
    for m in mentions:
        if m["doc_id"] not in documents:
            continue
        key = (m["doc_id"], m["mirna"], m["cancer"], m["effect"])
        verdict = "TP" if key in required else "optional" if key in optional else "FP"
        out.setdefault(triple_id(m["mirna"], m["cancer"], m["effect"]), {})[m["doc_id"]] = verdict
    return out


# --------------------------------------------------------------------------- rendering


def render_marks(text: str, marks: list[Mark]) -> str:
    """``text`` with its marks drawn by displaCy's span renderer (manual input, no Doc needed).

    Tokens are the text cut at whitespace and at every mark boundary, so a mark never starts or
    ends inside a token; displaCy writes a space after each token, so tokens that were joined in
    the text (``miR-21`` before a comma) are rejoined afterwards by the markup it emits for them.
    """
    from spacy import displacy

    tokens, spaces, starts = _tokens(text, marks)
    spans = []
    for mark in marks:
        try:
            first = starts.index(mark.start)
            last = max(i for i, s in enumerate(starts) if s < mark.end)
        except ValueError:
            continue
        spans.append({"start_token": first, "end_token": last + 1, "label": mark.label})
    data = {"text": text, "tokens": tokens, "spans": spans}
    markup = displacy.render(data, style="span", manual=True, page=False, jupyter=False,
                             options={"colors": COLORS})
    return markup


def _tokens(text: str, marks: list[Mark]) -> tuple[list[str], list[bool], list[int]]:
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    tokens, spaces, starts = [], [], []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        pos = a
        for word in piece.split():
            at = text.index(word, pos)
            tokens.append(word)
            starts.append(at)
            pos = at + len(word)
            spaces.append(pos < len(text) and text[pos].isspace())
    return tokens, spaces, starts


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.2rem 2rem;color:#222;max-width:1400px}
h1{font-size:1.4rem;margin:.2rem 0 .6rem} h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
a{color:#1d4e89} table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f4f6;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"} th[aria-sort=descending]::after{content:" \\25BC"}
.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:center;margin:.6rem 0}
.filters input{padding:.3rem;width:18rem} .muted{color:#666;font-size:.85rem}
.legend span{padding:.1rem .4rem;margin-right:.4rem;border-radius:3px}
.ev{border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}
.meta{font-size:.82rem;color:#555;margin-bottom:.2rem}
.badge{display:inline-block;font-size:.75rem;padding:0 .35rem;border-radius:3px;background:#eee;margin-right:.3rem}
.TP{background:#d1fae5} .FP{background:#fee2e2} .FN{background:#fef3c7} .optional{background:#e0e7ff}
.near{background:#fde68a}
.cols{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem} .cols>div{min-width:0}
.spans{line-height:2.6 !important} #triples td:first-child{white-space:nowrap}
"""

_INDEX_JS = """
(function(){
  var table=document.getElementById('triples'), body=table.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows), total=rows.length;
  var q=document.getElementById('q'), effect=document.getElementById('effect'),
      source=document.getElementById('source'), verdict=document.getElementById('verdict'),
      count=document.getElementById('count');
  function apply(){
    var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean), shown=0;
    rows.forEach(function(r){
      var hay=r.getAttribute('data-search');
      var ok=words.every(function(w){return hay.indexOf(w)>=0;})
        && (!effect.value || r.getAttribute('data-effect')===effect.value)
        && (!source.value || r.getAttribute('data-sources').split(' ').indexOf(source.value)>=0)
        && (!verdict || !verdict.value || r.getAttribute('data-verdict').split('+').indexOf(verdict.value)>=0);
      r.hidden=!ok; if(ok) shown++;
    });
    count.textContent=shown+' of '+total+' triples';
  }
  [q,effect,source,verdict].forEach(function(el){ if(el){ el.addEventListener('input',apply); el.addEventListener('change',apply);} });
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,col){
    th.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending', num=th.hasAttribute('data-num');
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(o){o.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      rows.sort(function(a,b){
        var x=a.cells[col].getAttribute('data-v')||a.cells[col].textContent,
            y=b.cells[col].getAttribute('data-v')||b.cells[col].textContent;
        var c=num?(parseFloat(x)-parseFloat(y)):x.localeCompare(y);
        return asc?c:-c;
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  apply();
})();
"""


def _page(title: str, body: str, *, script: str = "", root: str = "") -> str:
    nav = f'<p class="muted"><a href="{root}index.html">all triples</a></p>'
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # nothing on these pages may load from elsewhere: they are read offline, from disk
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' data:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n{nav}{body}\n"
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>\n"
    )


def _legend() -> str:
    return '<p class="legend muted">' + "".join(
        f'<span style="background:{COLORS[label]}">{label}</span>' for label in LABELS) + "</p>"


def _e(value) -> str:
    return html.escape(str(value))


def _evidence_block(high: Highlighter, *, evidence: str, mirna: str, cancer: str, rule: str, stored: dict,
                    meta: str) -> str:
    marks = high.marks(evidence, mirna, cancer, rule, stored)
    missing = [label for label in LABELS if label not in {m.label for m in marks}]
    if not rule or rule.startswith("table:"):
        missing = [label for label in missing if label != "cue"]
    note = ""
    if missing:
        why = " (taken from the heading above)" if "+heading" in rule and "cancer" in missing else ""
        note = f'<div class="muted">not written in this evidence: {", ".join(missing)}{why}</div>'
    drawn = render_marks(evidence, marks) if evidence else '<div class="muted">no evidence text</div>'
    return f'<div class="ev"><div class="meta">{meta}</div>{drawn}{note}</div>'


def _mention_meta(m: dict, verdict: str = "") -> str:
    parts = [f"<b>{_e(m['doc_id'])}</b>"]
    if _int(m.get("start")) >= 0:
        parts.append(f"chars {_int(m.get('start'))}–{_int(m.get('end'))}")
    if m.get("source"):
        parts.append(_e(m["source"]))
    if m.get("rule"):
        parts.append(f"rule <code>{_e(m['rule'])}</code>")
    if _truthy(m.get("hedged")):
        parts.append('<span class="badge">hedged</span>')
    if verdict:
        parts.append(f'<span class="badge {verdict}">{verdict}</span>')
    return " · ".join(parts)


def render_triple(high: Highlighter, t: Triple) -> str:
    head = (f"<h1>{_e(t.mirna)} | {_e(t.cancer)} | {_e(t.effect)}</h1>"
            f'<p class="muted">{_e(t.cancer_id) or "no DOID"} · {len(t.documents)} document(s) · '
            f"{len(t.mentions)} mention(s) · triple id <code>{_e(t.triple_id[:16])}</code></p>")
    blocks = [
        _evidence_block(high, evidence=str(m.get("evidence", "")), mirna=t.mirna, cancer=t.cancer,
                        rule=str(m.get("rule", "")), stored=m, meta=_mention_meta(m, t.verdicts.get(m["doc_id"], "")))
        for m in t.mentions
    ]
    body = head + _legend() + '<div id="evidence">' + "".join(blocks) + "</div>"
    return _page(f"{t.mirna} | {t.cancer} | {t.effect}", body, root="../")


def render_index(triples: list[Triple], *, title: str, with_verdicts: bool, has_evaluation: bool) -> str:
    from mirkb.scoring import EFFECTS

    effects = [e for e in EFFECTS if any(t.effect == e for t in triples)]
    sources = sorted({s for t in triples for s in t.sources})
    opts = "".join(f'<option value="{_e(e)}">{_e(e)}</option>' for e in effects)
    sopts = "".join(f'<option value="{_e(s)}">{_e(s)}</option>' for s in sources)
    verdict_filter = ""
    if with_verdicts:
        verdict_filter = ('<label>verdict <select id="verdict"><option value="">any</option>'
                          '<option>TP</option><option>FP</option><option>optional</option></select></label>')
    filters = (
        '<div class="filters"><input id="q" type="search" placeholder="filter: miRNA, cancer, effect, document…" '
        'aria-label="filter">'
        f'<label>effect <select id="effect"><option value="">any</option>{opts}</select></label>'
        f'<label>source <select id="source"><option value="">any</option>{sopts}</select></label>'
        f'{verdict_filter}<span id="count" class="muted"></span></div>'
    )
    head_cells = ['<th>miRNA</th>', '<th>cancer</th>', '<th>effect</th>', '<th data-num>documents</th>',
                  '<th data-num>mentions</th>', '<th>source</th>', '<th>hedged</th>', '<th>rules</th>']
    if with_verdicts:
        head_cells.append("<th>verdict</th>")
    rows = []
    for t in triples:
        search = " ".join([t.mirna, t.cancer, t.cancer_id, t.effect, *t.documents, *t.rules]).lower()
        cells = [
            f'<td><a href="{t.page}">{_e(t.mirna)}</a></td>',
            f"<td>{_e(t.cancer)}</td>",
            f"<td>{_e(t.effect)}</td>",
            f'<td data-v="{len(t.documents)}" title="{_e(", ".join(t.documents))}">{len(t.documents)}</td>',
            f'<td data-v="{len(t.mentions)}">{len(t.mentions)}</td>',
            f"<td>{_e(' '.join(t.sources))}</td>",
            f"<td>{'yes' if t.hedged else ''}</td>",
            f'<td class="muted">{_e(", ".join(t.rules))}</td>',
        ]
        if with_verdicts:
            cells.append(f'<td><span class="badge {_e(t.verdict)}">{_e(t.verdict)}</span></td>' if t.verdict
                         else "<td></td>")
        rows.append(
            f'<tr data-search="{_e(search)}" data-effect="{_e(t.effect)}" data-sources="{_e(" ".join(t.sources))}" '
            f'data-verdict="{_e(t.verdict)}">' + "".join(cells) + "</tr>"
        )
    n_docs = len({d for t in triples for d in t.documents})
    intro = (f"<h1>{_e(title)}</h1><p class=\"muted\">{len(triples)} triples from {n_docs} document(s). "
             "Click a miRNA for its evidence; click a column to sort.")
    if has_evaluation:
        intro += ' <a href="evaluation.html">Evaluation against the gold</a>: TP, FP and FN side by side.'
    intro += "</p>"
    table = ('<table id="triples"><thead><tr>' + "".join(head_cells) + "</tr></thead><tbody>"
             + "\n".join(rows) + "</tbody></table>")
    return _page(title, intro + filters + table, script=_INDEX_JS)


def render_evaluation(high: Highlighter, evaluation: Evaluation, items: dict[str, list[Item]],
                      chart: str | None) -> str:
    from mirkb.scoring import LEVELS

    rows = []
    for level in LEVELS:
        c = evaluation.result(level, "all").micro
        rows.append(f"<tr><td>{level}</td><td>{c.tp}</td><td>{c.fp}</td><td>{c.fn}</td>"
                    f"<td>{c.p:.3f}</td><td>{c.r:.3f}</td><td>{c.f1:.3f}</td></tr>")
    summary = ('<table style="width:auto"><thead><tr><th>level (all sources)</th><th>TP</th><th>FP</th><th>FN</th>'
               "<th>P</th><th>R</th><th>F1</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    docs = ", ".join(evaluation.documents)
    intro = (f"<h1>Evaluation against the gold</h1><p class=\"muted\">Documents scored: {_e(docs)}. "
             "Strict matching, all sources (TRIPLES.md §7). A near miss is a wrong or missed triple that "
             "almost matched one on the other side in the same document: "
             f"<i>{NEAR_PAIR}</i>, <i>{NEAR_ARM}</i> (-5p/-3p), <i>{NEAR_CANCER}</i> (a subtype or "
             "parent type in the ontology).</p>")
    chart_html = (f'<h2>Per effect</h2><img id="chart" src="{chart}" alt="precision, recall and F1 per effect" '
                  'style="max-width:720px;width:100%">' if chart else "")
    columns = []
    titles = {"TP": "True positives", "FP": "False positives", "FN": "False negatives: missed gold"}
    for kind in ("TP", "FP", "FN"):
        blocks = []
        for item in items[kind]:
            link = f' <a href="{item.page}">page</a>' if item.page else ""
            near = "".join(f'<span class="badge near">near miss: {_e(n)}</span>' for n in item.near)
            where = f"line {item.line}" if item.line else (f"char {item.start}" if item.start >= 0 else "")
            rule = f" · rule <code>{_e(item.rule)}</code>" if item.rule else ""
            meta = (f'<span class="badge {kind}">{kind}</span><b>{_e(item.mirna)} | {_e(item.cancer)} | '
                    f"{_e(item.effect)}</b>{link}<br>{_e(item.doc_id)} {where}{rule}<br>{near}")
            blocks.append(_evidence_block(high, evidence=item.evidence, mirna=item.mirna, cancer=item.cancer,
                                          rule=item.rule, stored=item.stored, meta=meta))
        columns.append(f'<div id="col-{kind}"><h2>{titles[kind]} ({len(items[kind])})</h2>' + "".join(blocks)
                       + "</div>")
    body = intro + summary + chart_html + _legend() + '<div class="cols">' + "".join(columns) + "</div>"
    return _page("mirkb evaluation", body)


def build_site(out: Path, mentions: list[dict], *, evaluation: Evaluation | None = None,
               gold: list[Row] | None = None, title: str = "mirkb evidence report",
               chart: Path | None = None) -> list[Path]:
    """Write the site into ``out`` (created if needed); return the pages written.

    ``mentions`` are §5 rows (dicts; extra keys such as ``triple_id`` or ``*_span`` are used when
    present). With ``evaluation`` and ``gold`` (the rows it was scored against), the index shows
    each triple's verdict and ``evaluation.html`` is written; ``chart`` is the per-effect PNG
    (drawn into ``out`` when not given).
    """
    out = Path(out)
    (out / "triples").mkdir(parents=True, exist_ok=True)
    high = Highlighter()
    triples = group_triples(mentions)
    if evaluation is not None:
        by_id = {t.triple_id: t for t in triples}
        for tid, verdicts in verdicts_by_triple(evaluation, mentions, gold or []).items():
            if tid in by_id:
                by_id[tid].verdicts = verdicts
    written = []
    for t in triples:
        path = out / t.page
        path.write_text(render_triple(high, t), encoding="utf-8")
        written.append(path)
    # pages of triples the knowledge base no longer has would otherwise linger from a former build
    for stale in set((out / "triples").glob("*.html")) - set(written):
        stale.unlink()
    if evaluation is not None:
        if chart is None:
            from mirkb.report import plot_per_effect

            chart = out / "per_effect.png"
            plot_per_effect(chart, evaluation.per_effect)
        rel = chart.name if chart.parent.resolve() == out.resolve() else chart.resolve().as_uri()
        pages = {t.triple_id: t.page for t in triples}
        items = evaluation_items(evaluation, mentions, gold or [], pages)
        path = out / "evaluation.html"
        path.write_text(render_evaluation(high, evaluation, items, rel), encoding="utf-8")
        written.append(path)
    elif (out / "evaluation.html").exists():
        (out / "evaluation.html").unlink()  # from a former build with gold: the index no longer links it
    index = out / "index.html"
    index.write_text(render_index(triples, title=title, with_verdicts=evaluation is not None,
                                  has_evaluation=evaluation is not None), encoding="utf-8")
    return [index, *written]

