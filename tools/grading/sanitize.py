"""Student content made inert in every page grading renders: feedback and the formgrader (issue 19).

A submission's outputs and its unlocked cells are the student's: HTML, SVG, Markdown,
JavaScript and widget views there can carry script (``<script>``, ``onerror=``, ``javascript:``
links, SVG with script) or fetch from elsewhere (``<img src=http://...>``), and a page that runs
them acts with its reader's rights: the instructor's, in the formgrader. So before any page is
rendered, :class:`SanitizeNotebook`

* cleans HTML outputs and Markdown cells (rendered first) with :func:`clean_html`, an
  allowlist: text markup, tables, links to http(s)/mailto/``#``, images only from ``data:``
  URLs, no ``style``, no event handlers, no SVG or MathML elements; anything else is shown
  as escaped text, so an instructor sees what was tried;
* keeps SVG outputs only as ``<img src="data:image/svg+xml...">`` (nbconvert's default), in
  which a browser runs no script and loads nothing;
* drops JavaScript and widget outputs (their plain-text form remains) and the widget state.

The pages also forbid inline script (a Content-Security-Policy), which holds even if a
cleaning rule is missed: ``feedback.PAGE_POLICY`` for feedback pages,
``formgrader.py`` for the instructor's server.
"""
from __future__ import annotations

import re

import bleach
from nbconvert.filters import markdown2html
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
    "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
})
ATTRIBUTES = {
    "*": {"class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},   # the anchors nbconvert gives headings
}
# Plain data only: what the outputs may keep besides cleaned HTML (nbconvert shows SVG as <img>).
SAFE_MIME = frozenset({"text/plain", "text/latex", "image/png", "image/jpeg", "image/gif",
                       "image/svg+xml", "application/json"})
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)


def _allowed(tag: str, name: str, value: str) -> bool:
    if name not in ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set()):
        return False
    if tag == "img" and name == "src":
        return bool(_DATA_IMAGE.match(value))       # nothing is fetched from elsewhere
    if tag == "a" and name == "href":
        return not value.strip().lower().startswith("data:")
    return True


def clean_html(html) -> str:
    """``html`` with only the allowlisted tags and attributes; other markup escaped as text.

    Also the ``clean_html`` filter of the grading pages' templates (nbconvert's own allows no
    headings, paragraphs or images).
    """
    html = html.decode() if isinstance(html, bytes) else str(html)
    return bleach.clean(html, tags=TAGS, attributes=_allowed, protocols={"http", "https", "mailto", "data"},
                        strip=False, strip_comments=True)


def markdown_as_html(source: str) -> str:
    """A Markdown cell rendered and cleaned, as one HTML block that Markdown passes unchanged.

    Newlines become ``&#10;`` (the same text to a browser, also inside ``<pre>``), so no blank
    line ends the block when the page's template renders the cell as Markdown again.
    """
    html = clean_html(markdown2html(source))
    return '<div class="cleaned-markdown">' + html.replace("\r", "").replace("\n", "&#10;") + "</div>"


class SanitizeNotebook(Preprocessor):
    """Clean every output, Markdown and raw cell of a notebook before it becomes a page."""

    enabled = Bool(True).tag(config=True)   # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)   # widget state: the views are dropped below
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = markdown_as_html(cell.source)
            cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            cell.source = clean_html(cell.source)
        elif cell.cell_type == "code":
            for output in cell.outputs:
                if "data" in output:
                    output.data = _clean_data(output.data)
        return cell, resources


def _clean_data(data: dict) -> dict:
    clean = {mime: value for mime, value in data.items() if mime in SAFE_MIME}
    if "text/html" in data:
        clean["text/html"] = clean_html(data["text/html"])
    if "text/markdown" in data:
        clean["text/html"] = clean.get("text/html") or clean_html(markdown2html(data["text/markdown"]))
    if not clean:
        clean["text/plain"] = f"[output of type {', '.join(sorted(data))} not shown]"
    return clean
