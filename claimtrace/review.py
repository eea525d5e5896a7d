"""The HTML review page: one self-contained file where a person checks what was found.

Each statement's sentence is shown with its source, cue and content highlighted, beside its
claim score; a slider hides statements under a chosen score. Everything from the articles is
escaped by jinja2's autoescaping, so an article's ``<script>`` shows as text and never runs.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from claimtrace.formats import web_url

ROLES = ("source", "cue", "content")  # drawing order: later roles win where spans overlap
TEMPLATE = "review.html.j2"
# The page's only script: the score filter. The Content-Security-Policy allows this script by
# its hash and nothing else, so even a script that got past escaping could not run.
FILTER_SCRIPT = """
const slider = document.getElementById("ct-min-score");
const shown = document.getElementById("ct-min-score-value");
function applyFilter() {
  const minimum = parseFloat(slider.value);
  shown.textContent = minimum.toFixed(2);
  for (const item of document.querySelectorAll(".ct-statement")) {
    const score = item.dataset.score === "" ? -1 : parseFloat(item.dataset.score);
    item.classList.toggle("ct-hidden", minimum > 0 && score < minimum);
  }
}
slider.addEventListener("input", applyFilter);
applyFilter();
"""


@dataclass(frozen=True)
class Segment:
    text: str
    roles: tuple[str, ...]  # empty: plain text

    @property
    def css(self) -> str:
        return " ".join(f"ct-{role}" for role in self.roles)


def _role_spans(record: dict) -> list[tuple[str, int, int]]:
    spans = []
    for item in record.get("attributions") or []:
        for role in ROLES:
            span = item.get(role)
            if span and span.get("start") is not None:
                spans.append((role, span["start"], span["end"]))
    return spans


def segments(record: dict) -> list[Segment]:
    """The sentence cut where highlighted roles begin or end; spans outside it are left out."""
    text, offset = record["text"], record["sentence"]["start"]
    labels: list[set[str]] = [set() for _ in text]
    for role, start, end in _role_spans(record):
        for position in range(max(start - offset, 0), min(end - offset, len(text))):
            labels[position].add(role)
    keys = [tuple(r for r in ROLES if r in label) for label in labels]
    result, position = [], 0
    for roles, group in groupby(keys):
        length = len(list(group))
        result.append(Segment(text[position:position + length], roles))
        position += length
    return result


def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("claimtrace", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def render(records: Iterable[dict], title: str = "claimtrace review") -> str:
    articles: dict[str, dict] = {}
    for record in records:
        article = record.get("article") or {}
        # The link is decided here, by the check ClaimReview uses, not in the template.
        entry = articles.setdefault(article.get("id") or "?", {
            "article": article, "url": web_url(article.get("url")), "statements": []})
        entry["statements"].append({"record": record, "segments": segments(record)})
    digest = base64.b64encode(hashlib.sha256(FILTER_SCRIPT.encode("utf-8")).digest()).decode()
    return _environment().get_template(TEMPLATE).render(
        title=title, articles=list(articles.values()), script=FILTER_SCRIPT,
        script_hash=digest)


def write_html(records: Iterable[dict], path: Path) -> int:
    statements = list(records)  # one page: the records are needed together
    path.write_text(render(statements), encoding="utf-8")
    return len(statements)
