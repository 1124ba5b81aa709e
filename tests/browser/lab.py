"""A lesson in JupyterLab, as a student opens it: run every cell and find the first explorer.

Shared by the JupyterLab browser tests (sliders, latency).
"""
from __future__ import annotations

import ast
import json
import urllib.request
from pathlib import Path

import nbformat
from jupyter_client import BlockingKernelClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
RUN_ALL_TIMEOUT = 180_000  # ms

PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
STARTED = f"() => {PROMPTS}.some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
# Every shown cell has its execution count ("[3]:", not "[*]:" or "[ ]:") and the kernel is idle
# (cells whose input is collapsed, a lesson's hidden solution, show no prompt).
ALL_RAN = (f"n => {PROMPTS}.filter(p => /\\[\\d+\\]/.test(p.textContent)).length === n"
           " && document.querySelector(\".jp-Notebook-ExecutionIndicator[data-status='idle']\") !== null")
TRACEBACK = "Traceback (most recent call last)"


def lesson(pattern: str) -> Path | None:
    """The lesson notebook whose name matches ``pattern`` (e.g. ``"*universal_approximation*"``)."""
    return next(iter(sorted(NOTEBOOKS.glob(f"{pattern}.ipynb"))), None)


def accept_dialogs(page) -> list:
    """Accept any dialog over the notebook; return their texts (kept in the failure message)."""
    texts = []
    dialogs = page.locator(".jp-Dialog")
    while dialogs.count():
        texts.append(dialogs.first.inner_text()[:300])
        dialogs.first.locator(".jp-mod-accept").first.click()
        page.wait_for_timeout(500)
    return texts


def run_all_cells(page) -> None:
    """Run > Run All Cells, again if the kernel was not connected yet and nothing started.

    A dialog over the notebook (such as the kernel chooser JupyterLab sometimes shows while a
    fresh workspace starts its kernel) is accepted first, and its text reported.
    """
    seen = []
    for _ in range(5):
        seen += accept_dialogs(page)
        try:
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click(timeout=10_000)
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click(timeout=10_000)
            page.wait_for_function(STARTED, timeout=5_000)
            if seen:
                print("dialogs accepted over the notebook:", seen)
            return
        except Exception:
            page.keyboard.press("Escape")   # close an open menu before the next try
            continue
    raise AssertionError(f"Run All Cells started no cell (dialogs seen: {seen})")


def sessions(lab_server, notebook: Path) -> list[dict]:
    """The server's sessions (notebook and kernel) for ``notebook``."""
    url, token = lab_server
    with urllib.request.urlopen(f"{url}/api/sessions?token={token}") as response:
        return [s for s in json.load(response) if s["path"] == notebook.name]


def kernel_threads(lab_server, runtime: Path, notebook: Path) -> list[str]:
    """The names of the threads alive in ``notebook``'s kernel, asked over a connection of our
    own (its connection file in the server's ``runtime`` folder), as a silent user expression."""
    (session,) = sessions(lab_server, notebook)
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{session['kernel']['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        reply = client.execute("", silent=True, reply=True, timeout=60,
                               user_expressions={"threads": "[t.name for t in __import__('threading').enumerate()]"})
    finally:
        client.stop_channels()
    return ast.literal_eval(reply["content"]["user_expressions"]["threads"]["data"]["text/plain"])


def shut_down_kernel(lab_server, notebook: Path) -> None:
    """Shut down the kernel an earlier test left running for ``notebook``.

    A lesson is opened as a student first opens it, in a new kernel. In a kernel that an earlier
    test had driven, Run All stopped at an explorer cell in about half the tries: the reloaded
    page's widget views messaged ipympl canvases of the earlier run, ipympl's handler raised
    (``'NoneType' object has no attribute 'handle_json'``) and the error ended the running cell.
    """
    url, token = lab_server
    for session in sessions(lab_server, notebook):
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request).close()


def open_and_run(page, lab_server, notebook: Path, screenshots: Path) -> None:
    """Open ``notebook`` in JupyterLab in a new kernel, run every cell and insist none raised."""
    shut_down_kernel(lab_server, notebook)
    url, token = lab_server
    # a workspace of its own, reset: only this notebook open (the server is shared by the tests)
    page.goto(f"{url}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?reset&token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)
    # Counted in the file, not in the page: in CI a cold JupyterLab waited forever on lesson 05
    # with all 18 shown cells run, having counted more prompts before Run All (hidden cells' prompts
    # not yet collapsed, presumably: the page's count depends on how far it has rendered).
    nb = nbformat.read(notebook, as_version=4)
    n_code = sum(c.cell_type == "code" and not c.metadata.get("jupyter", {}).get("source_hidden") for c in nb.cells)
    run_all_cells(page)
    try:
        page.wait_for_function(ALL_RAN, arg=n_code, timeout=RUN_ALL_TIMEOUT)
    except Exception:
        page.screenshot(path=screenshots / f"lab_{notebook.stem[:2]}_run_all_failed.png", full_page=True)
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        errors = page.locator(".jp-OutputArea-output", has_text=TRACEBACK).all_inner_texts()
        raise AssertionError(f"not every cell ran: prompts {prompts}; errors shown {errors}; see {screenshots}")
    errors = page.locator(".jp-OutputArea-output", has_text=TRACEBACK)
    assert errors.count() == 0, errors.first.inner_text()[:2000]


def first_explorer(page, wait_for_ink):
    """The first output holding sliders above an ipympl canvas, scrolled into view and drawn."""
    explorer = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".widget-slider")).filter(has=page.locator(".jupyter-matplotlib")).first
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator(".jupyter-matplotlib-figure canvas").first
    figure.wait_for(state="visible", timeout=30_000)
    # ipympl draws its first frame only after the browser asks for it: wait for ink.
    wait_for_ink(page, figure)
    return explorer
