"""The instructor's formgrader pages run no student script (issue 19).

nbgrader's formgrader shows each autograded notebook inside the instructor's own Jupyter
server, where a script acts with the instructor's session (run code, rewrite the gradebook).
Two layers, both set up by ``formgrader_config.py`` (``make formgrader`` loads it):

* the notebook is cleaned before it is rendered (``sanitize.SanitizeNotebook`` as a
  preprocessor of the formgrader's nbconvert exporter, and the same ``clean_html`` filter);
* this server extension sends every submission page with a Content-Security-Policy that
  allows only the server's own script files and the page's own inline scripts and handlers
  that come before the notebook (the formgrader's, pinned by their SHA-256 hashes), so no
  script inside the notebook can run, whatever the cleaning missed, and nothing is fetched
  from elsewhere.

The formgrader's page loads MathJax 2 from a CDN (and its scripts need it), which that policy
blocks: the extension serves the decks' npm copy of MathJax 2 (``make slides`` installs it) and
``static/formgrader-mathjax.js``, and points the page there instead.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re

from jupyter_server.utils import url_path_join
from tornado.web import OutputTransform, StaticFileHandler

from .config import ROOT

SUBMISSION_PAGE = re.compile(r"/formgrader/submissions/[^/]+/?$")
NOTEBOOK_START = b'id="notebook"'   # everything after it is (cleaned) notebook content
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<code>.*?)</script>", re.S | re.I)
HANDLER = re.compile(rb"""\son[a-z]+\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.I)
JS_TYPES = (b"", b"text/javascript", b"application/javascript", b"module")
# nbgrader's formgrade template loads MathJax from here (nbconvert's mathjax macro, default URL)
CDN_MATHJAX = b"https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"
STATIC = ROOT / "tools" / "grading" / "static"
MATHJAX2 = ROOT / "tools" / "slides" / "node_modules" / "mathjax"   # the decks' copy (make slides)
POLICY = ("default-src 'self'; script-src 'self' 'unsafe-hashes' {hashes}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


def _hash(code: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code).digest()).decode() + "'"


def _script_type(attrs: bytes) -> bytes:
    found = re.search(rb"""\btype\s*=\s*["']?([^"'\s>]*)""", attrs, re.I)
    return found.group(1).lower() if found else b""


def page_policy(page: bytes) -> str:
    """The Content-Security-Policy of a submission page: the hashes of the inline scripts and
    event handlers before its notebook (the formgrader's own), none inside it."""
    head = page.split(NOTEBOOK_START, 1)[0]
    codes = [m.group("code") for m in INLINE_SCRIPT.finditer(head) if _script_type(m.group("attrs")) in JS_TYPES]
    # a handler's hash is over its value as parsed (entities decoded)
    codes += [html.unescape((m.group("dq") if m.group("dq") is not None else m.group("sq")).decode()).encode()
              for m in HANDLER.finditer(head)]
    return POLICY.format(hashes=" ".join(sorted({_hash(code) for code in codes})) or "'none'")


class SubmissionPagePolicy(OutputTransform):
    """On formgrader submission pages: MathJax from this server, and ``page_policy`` in place of
    jupyter_server's default policy."""

    def __init__(self, request):
        super().__init__(request)
        self.applies = bool(SUBMISSION_PAGE.search(request.path))
        self.base = request.path[:request.path.index("/formgrader/")] if self.applies else ""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.applies:
            chunk = chunk.replace(CDN_MATHJAX, f"{self.base}/coursekit/static/formgrader-mathjax.js".encode())
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
            # a page sent in pieces cannot be hashed whole: then no inline script at all
            headers["Content-Security-Policy"] = page_policy(chunk) if finishing else POLICY.format(hashes="'none'")
        return status_code, headers, chunk


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base, "coursekit/static/(.*)"), StaticFileHandler, {"path": str(STATIC)}),
        (url_path_join(base, "coursekit/mathjax2/(.*)"), StaticFileHandler, {"path": str(MATHJAX2)}),
    ])
    web_app.add_transform(SubmissionPagePolicy)
    if not MATHJAX2.is_dir():
        serverapp.log.warning(f"coursekit: no MathJax 2 in {MATHJAX2} (run make slides): the formgrader shows TeX")
    serverapp.log.info("coursekit: formgrader submission pages are sent with a script-forbidding CSP")
