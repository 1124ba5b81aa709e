"""Copy the decks' scripts, styles and fonts from ``node_modules`` into one folder.
The course site's pages load the same copies (``tools/site/conf.py``).

Usage: ``python tools/slides/assets.py build/slides/assets`` (``make slides`` runs it after
``npm ci``). Only the files a deck loads are copied, in the layout ``nbconvert_config.py``
points at, so ``build/slides`` can be copied to a USB stick and opened without a network.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"

# destination (under the assets folder) -> source (under node_modules); folders are copied whole.
FILES = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "requirejs/require.js": "requirejs/require.js",
    "jquery/jquery.min.js": "jquery/dist/jquery.min.js",
    # MathJax 2: the combined TeX/CommonHTML configuration, what it loads lazily, and TeX fonts.
    "mathjax/MathJax.js": "mathjax/MathJax.js",
    "mathjax/config/TeX-AMS_CHTML-full.js": "mathjax/config/TeX-AMS_CHTML-full.js",
    "mathjax/config/Safe.js": "mathjax/config/Safe.js",
    "mathjax/extensions": "mathjax/extensions",
    "mathjax/jax/element": "mathjax/jax/element",
    "mathjax/jax/input/TeX": "mathjax/jax/input/TeX",
    "mathjax/jax/output/CommonHTML": "mathjax/jax/output/CommonHTML",
    "mathjax/localization/en": "mathjax/localization/en",
    "mathjax/fonts/HTML-CSS/TeX/woff": "mathjax/fonts/HTML-CSS/TeX/woff",
    "mathjax/fonts/HTML-CSS/TeX/otf": "mathjax/fonts/HTML-CSS/TeX/otf",
    # The widget manager finds its fonts next to embed-amd.js.
    "html-manager": "@jupyter-widgets/html-manager/dist",
    "jupyter-matplotlib/index.js": "jupyter-matplotlib/dist/index.js",
    # The explorers' frame player (coursekit/explore/frames.py) is an anywidget (AMD build).
    "anywidget/index.js": "anywidget/dist/index.js",
    "font-awesome/css": "font-awesome/css",
    "font-awesome/fonts": "font-awesome/fonts",
}
# Bundles and source maps the decks never load (libembed-amd.js alone is 3.6 MB), MathJax 2's
# accessibility extensions (3.7 MB, loaded only from its menu) and the icon fonts' formats for
# old browsers (eot, svg, ttf: every current browser takes woff2 or woff).
SKIP = shutil.ignore_patterns("*.map", "embed.js", "embed.js.LICENSE.txt", "libembed-amd.js",
                              "*.esm.js", "a11y", "*.eot", "*.svg", "*.ttf")


def copy_assets(out: Path) -> None:
    """Replace ``out`` with a fresh copy of every entry of ``FILES``."""
    missing = [src for src in FILES.values() if not (NODE_MODULES / src).exists()]
    if missing:
        raise SystemExit(f"not in {NODE_MODULES}: {missing}; run `npm ci` in tools/slides (make slides does)")
    if out.exists():
        shutil.rmtree(out)
    for dest, src in FILES.items():
        source, target = NODE_MODULES / src, out / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=SKIP)
        else:
            shutil.copy2(source, target)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {sys.argv[0]} OUT_DIR")
    copy_assets(Path(sys.argv[1]))
