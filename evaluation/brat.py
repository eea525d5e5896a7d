"""Load PolNeAR attribution annotations from brat standoff files.

PolNeAR (Newell, Margolin and Ruths, LREC 2018) stores each article as ``text/<name>.txt``
and one ``attributions/<name>_<annotator>.ann`` file per annotator. In an ``.ann`` file:

- ``T`` lines are text-bound spans: ``T12<TAB>Cue 419 457;460 470<TAB>text``. A span may be
  discontinuous (fragments separated by ``;``) and its text may run over several lines.
- ``E`` lines tie one attribution together:
  ``E3<TAB>Attribution:T12 Content:T11 Cue:T10 Source:T9``; the type is ``Attribution`` or
  ``Attribution-no-source``; a few carry a second content (``Content2``).
- ``Discard`` and ``Discuss`` spans record the annotation process, not attributions: ignored.

Offsets are character offsets into the ``.txt`` file read as UTF-8 with newlines kept as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

Fragment = tuple[int, int]
Fragments = tuple[Fragment, ...]

ROLES = ("source", "cue", "content")
ATTRIBUTION_TYPES = ("Attribution", "Attribution-no-source")
IGNORED_TYPES = ("Discard", "Discuss")

# An annotation line starts with an id such as T12, E3, #1, A2; anything else continues the
# text of the previous line (span texts may contain newlines).
_ANN_LINE = re.compile(r"^([TERAMN#*])(\d*)\t")
_ANNOTATOR = re.compile(r"^(?P<name>.+)_(?P<annotator>[0-9a-f]{4})\.ann$")


@dataclass(frozen=True)
class BratAttribution:
    """One attribution relation; each role is a tuple of (start, end) character fragments."""

    id: str
    source: Fragments | None
    cue: Fragments | None
    content: Fragments | None
    has_source: bool = True  # False for PolNeAR's ``Attribution-no-source``

    def role(self, name: str) -> Fragments | None:
        """The fragments of role ``name`` (one of `ROLES`)."""
        return getattr(self, name)


@dataclass
class BratDocument:
    """One annotator's annotation of one article."""

    name: str
    annotator: str
    text: str
    attributions: list[BratAttribution] = field(default_factory=list)


@dataclass
class PolnearArticle:
    """One article with every annotator's attributions (``annotations[annotator]``)."""

    name: str
    text: str
    annotations: dict[str, list[BratAttribution]]

    @property
    def annotators(self) -> list[str]:
        return sorted(self.annotations)


def parse_fragments(offsets: str) -> Fragments:
    """``"10 20;25 30"`` -> ``((10, 20), (25, 30))``."""
    fragments = []
    for part in offsets.split(";"):
        start, end = part.split()
        fragments.append((int(start), int(end)))
    return tuple(sorted(fragments))


def _annotation_lines(ann: str) -> list[str]:
    """Keep only lines that start an annotation (drop continuation lines of span texts)."""
    return [line for line in ann.splitlines() if _ANN_LINE.match(line)]


def _parse_t_line(line: str) -> tuple[str, str, Fragments]:
    tid, body = line.split("\t")[:2]
    label, offsets = body.split(" ", 1)
    return tid, label, parse_fragments(offsets)


def _parse_e_line(line: str) -> tuple[str, str, dict[str, list[str]]]:
    eid, body = line.split("\t")[:2]
    parts = body.split()
    label, _trigger = parts[0].split(":", 1)
    args: dict[str, list[str]] = {}
    for part in parts[1:]:
        role, tid = part.split(":", 1)
        # Content2 is a second content of the same attribution: fold it into "content".
        args.setdefault(role.rstrip("0123456789").lower(), []).append(tid)
    return eid, label, args


def _union(spans: dict[str, Fragments], tids: list[str] | None) -> Fragments | None:
    if not tids:
        return None
    fragments = sorted({frag for tid in tids if tid in spans for frag in spans[tid]})
    return tuple(fragments) or None


def parse_ann(ann: str) -> list[BratAttribution]:
    """Parse the text of one ``.ann`` file into attributions (Discard/Discuss ignored).

    An ``E`` line that names no content and no cue (an unfinished annotation) is skipped.
    """
    lines = _annotation_lines(ann)
    spans = {}
    for line in lines:
        if line.startswith("T"):
            tid, label, fragments = _parse_t_line(line)
            if label not in IGNORED_TYPES:
                spans[tid] = fragments
    attributions = []
    for line in lines:
        if not line.startswith("E"):
            continue
        eid, label, args = _parse_e_line(line)
        if label not in ATTRIBUTION_TYPES:
            continue
        content, cue = _union(spans, args.get("content")), _union(spans, args.get("cue"))
        if content is None and cue is None:
            continue
        source = _union(spans, args.get("source"))
        attributions.append(
            BratAttribution(eid, source, cue, content, has_source=label == "Attribution")
        )
    return attributions


def annotator_of(ann_path: Path) -> tuple[str, str]:
    """``name_d473.ann`` -> ``("name", "d473")``; a file without a code gets ``""``."""
    match = _ANNOTATOR.match(ann_path.name)
    if match is None:
        return ann_path.stem, ""
    return match["name"], match["annotator"]


def read_text(path: Path) -> str:
    """Read an article exactly as brat offsets expect it (UTF-8, newlines untouched)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def load_document(ann_path: Path, text_path: Path) -> BratDocument:
    """Load one annotator's ``.ann`` file with its article text."""
    name, annotator = annotator_of(ann_path)
    text = read_text(text_path)
    return BratDocument(name, annotator, text, parse_ann(read_text(ann_path)))


def load_polnear_split(root: str | Path, split: str) -> list[PolnearArticle]:
    """Load ``<root>/<split>/{text,attributions}``, grouping annotators per article.

    Articles are sorted by name; an article with no ``.ann`` file is skipped.
    """
    split_dir = Path(root) / split
    if not split_dir.is_dir():
        raise FileNotFoundError(f"PolNeAR split folder not found: {split_dir}")
    grouped: dict[str, dict[str, list[BratAttribution]]] = {}
    for ann_path in sorted((split_dir / "attributions").glob("*.ann")):
        name, annotator = annotator_of(ann_path)
        grouped.setdefault(name, {})[annotator] = parse_ann(read_text(ann_path))
    return [
        PolnearArticle(name, read_text(split_dir / "text" / f"{name}.txt"), annotations)
        for name, annotations in sorted(grouped.items())
    ]
