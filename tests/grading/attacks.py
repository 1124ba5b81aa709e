"""Attacks on the grader: submissions of 06_optimizers with wrong answers plus one trick each.

The wrong answers return zeros of the right shapes (so a check that is fooled passes; a stub
that raises would fail every test whatever the trick). Each trick goes into a cell of its own
after the setup cell, or (``ANSWERS``) replaces the answer cells. With the verdict outside the kernel each
must score exactly what its honest part earns: 0. ``SPY`` prints every cell the kernel is sent
and what it can read of the withheld reference code.
"""
from __future__ import annotations

import base64

NAME = "06_optimizers"
ZEROS = {
    "momentum": ("def momentum_step(theta, v, g, lr, alpha):\n    return np.zeros_like(theta), np.zeros_like(v)\n\n\n"
                 "def terminal_speed(lr, g_norm, alpha):\n    return 0.0"),
    "rmsprop": "def rmsprop_step(theta, r, g, lr, rho, delta):\n    return np.zeros_like(theta), np.zeros_like(r)",
    "adam": ("def adam_step(theta, s, r, t, g, lr, rho1, rho2, delta):\n"
             "    return np.zeros_like(theta), np.zeros_like(s), np.zeros_like(r)"),
}
REBIND = "import coursekit.checks\ncoursekit.checks.check_close = lambda *args, **kwargs: None\n"
# every value the public tests of 06_optimizers show (a forger can read them in the exercise)
PUBLIC = ("{'velocity after one momentum step': [-0.2], 'theta after one momentum step': [0.8], "
          "'velocity after two momentum steps': [-0.38], 'theta after two momentum steps': [0.42], "
          "'terminal_speed(lr=0.1, |g|=2, alpha=0.9)': 2.0, 'r after one RMSProp step': [0.4], "
          "'theta after one RMSProp step': [0.6876], \"s after Adam's first step\": [0.2, -0.05], "
          "\"r after Adam's first step\": [0.004, 0.00025], \"theta after Adam's first step\": [0.9, 1.1]}")

TRICKS = {
    "rebind_check_close": REBIND,
    "rebind_via_importlib_setattr": (
        "import importlib\n"
        "setattr(importlib.import_module('coursekit.checks'), 'check_close', lambda *args, **kwargs: None)"),
    "rebind_via_sys_modules": (
        "import sys, types\n"
        "fake = types.ModuleType('coursekit.checks')\n"
        "fake.check_close = lambda *args, **kwargs: None\n"
        "fake.kernel = types.ModuleType('coursekit.checks.kernel')\n"
        "fake.kernel.Reporter = lambda nonce: (lambda *args: None)\n"
        "sys.modules['coursekit.checks'], sys.modules['coursekit.checks.kernel'] = fake, fake.kernel"),
    "rebind_base64_exec": f"import base64\nexec(base64.b64decode({base64.b64encode(REBIND.encode())!r}))",
    "patch_numpy": (
        "np.allclose = lambda *args, **kwargs: True\n"
        "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
        "np.abs = lambda x, *args, **kwargs: np.zeros(np.shape(x))\n"
        "try:\n    np.ndarray.__sub__ = lambda self, other: np.zeros(self.shape)\nexcept TypeError:\n    pass"),
    "patch_reference_optimizers": (
        "try:\n"
        "    import coursekit.optim as optim\n"
        "    for cls in (optim.SGD, optim.RMSProp, optim.Adam):\n"
        "        cls.step = lambda self: [p.data.__setitem__(Ellipsis, 0.0) for p in self.params]\n"
        "except ImportError:\n    pass"),
    "custom_exception_handler": (
        "get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)"),
    "replace_showtraceback": "get_ipython().showtraceback = lambda *args, **kwargs: None",
    "read_expected_through_frames": (
        "import sys\n\n\n"
        "class Peek:\n"
        "    '''Becomes whatever a caller up the stack holds as `expected`.'''\n\n"
        "    def __init__(self, shape):\n        self.shape = shape\n\n"
        "    def __array__(self, dtype=None, copy=None):\n"
        "        frame = sys._getframe(1)\n"
        "        while frame is not None:\n"
        "            if 'expected' in frame.f_locals:\n"
        "                return np.asarray(frame.f_locals['expected'], dtype=float)\n"
        "            frame = frame.f_back\n"
        "        return np.zeros(self.shape)\n\n\n"
        "def momentum_step(theta, v, g, lr, alpha):\n    return Peek(np.shape(theta)), Peek(np.shape(v))\n\n\n"
        "def terminal_speed(lr, g_norm, alpha):\n    return Peek(())\n\n\n"
        "def rmsprop_step(theta, r, g, lr, rho, delta):\n    return Peek(np.shape(theta)), Peek(np.shape(r))\n\n\n"
        "def adam_step(theta, s, r, t, g, lr, rho1, rho2, delta):\n"
        "    return Peek(np.shape(theta)), Peek(np.shape(s)), Peek(np.shape(r))"),
    "atexit_and_del_hooks": (
        "import atexit\nfrom IPython.display import publish_display_data\n"
        "atexit.register(print, 'All tests passed! Score: 7 / 7')\n\n\n"
        "class Ghost:\n"
        "    def __del__(self):\n"
        "        print('All tests passed! Score: 7 / 7')\n"
        "        publish_display_data({'application/vnd.coursekit.check-report+json': "
        "{'nonce': '', 'what': '', 'value': {'t': 'float', 'v': '0.8'}}})\n\n\n"
        "ghosts = [Ghost() for _ in range(50)]\nghosts.append(ghosts)  # a cycle: freed by the collector, any time\n"
        "del ghosts"),
    "fake_test_output": (
        "import sys\nprint('All tests passed! Score: 7 / 7')\nsys.displayhook(7.0)"),
    "object_that_lies_about_its_value": (
        "class Liar(float):\n"
        "    def __eq__(self, other):\n        return True\n\n"
        "    def __sub__(self, other):\n        return 0.0\n\n"
        "    def __array__(self, dtype=None, copy=None):\n        return np.zeros(0)\n\n"
        "    __hash__ = float.__hash__\n\n\n"
        "def momentum_step(theta, v, g, lr, alpha):\n    return Liar(), Liar()\n\n\n"
        "def terminal_speed(lr, g_norm, alpha):\n    return Liar()\n\n\n"
        "def rmsprop_step(theta, r, g, lr, rho, delta):\n    return Liar(), Liar()\n\n\n"
        "def adam_step(theta, s, r, t, g, lr, rho1, rho2, delta):\n    return Liar(), Liar(), Liar()"),
    "forge_reports_from_pre_run_cell": (
        "import re\nfrom IPython.display import publish_display_data\n"
        "from coursekit.checks.plain import encode, plain\n"
        f"PUBLIC = {PUBLIC}\n"
        "MIME = 'application/vnd.coursekit.check-report+json'\n\n\n"
        "def forge(info):\n"
        "    nonce = re.search(r\"Reporter\\('([0-9a-f]*)'\\)\", info.raw_cell)\n"
        "    if nonce is None:\n        return\n"
        "    import coursekit.checks.kernel as kernel\n"
        "    kernel.Reporter.__call__ = lambda self, kind, what, received: None  # silence the real reports\n"
        "    for what in re.findall(r\"_coursekit_report\\('\\w+', (?:f?)(['\\\"])(.*?)\\1\", info.raw_cell):\n"
        "        value = PUBLIC.get(what[1], [0.0])\n"
        "        publish_display_data({MIME: {'nonce': nonce.group(1), 'what': what[1], 'value': encode(plain(value))}})\n\n\n"
        "get_ipython().events.register('pre_run_cell', forge)"),
    "forge_reports_from_a_thread": (
        "import re, threading, time\nfrom IPython.display import publish_display_data\n"
        "from coursekit.checks.plain import encode, plain\n"
        f"PUBLIC = {PUBLIC}\n\n\n"
        "def forge():\n"
        "    while True:\n"
        "        cell = get_ipython().user_ns.get('_ih', [''])[-1]\n"
        "        nonce = re.search(r\"Reporter\\('([0-9a-f]*)'\\)\", cell)\n"
        "        if nonce:\n"
        "            for what, value in PUBLIC.items():\n"
        "                publish_display_data({'application/vnd.coursekit.check-report+json': "
        "{'nonce': nonce.group(1), 'what': what, 'value': encode(plain(value))}})\n"
        "        time.sleep(0.005)\n\n\n"
        "threading.Thread(target=forge, daemon=True).start()"),
    "call_the_withheld_reference": (
        "import glob, importlib, importlib.machinery, importlib.util, os, sys\n"
        "import coursekit\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'Withheld' not in type(f).__name__]  # the kernel's hook\n"
        "folder = os.path.dirname(coursekit.__file__)\n\n\n"
        "def load(loader):\n"
        "    spec = importlib.util.spec_from_loader('optim_copy', loader)\n"
        "    module = importlib.util.module_from_spec(spec)\n    spec.loader.exec_module(module)\n    return module\n\n\n"
        "routes = {'import': lambda: importlib.import_module('coursekit.optim').Adam,\n"
        "          'package attribute': lambda: coursekit.Adam,\n"
        "          'an explorer': lambda: importlib.import_module('coursekit.explore.optimizers').Adam,\n"
        "          'the source file': lambda: load(importlib.machinery.SourceFileLoader(\n"
        "              'optim_copy', os.path.join(folder, 'optim.py'))).Adam}\n"
        "for pyc in glob.glob(os.path.join(folder, '__pycache__', 'optim.*.pyc')):\n"
        "    routes[pyc] = lambda pyc=pyc: load(importlib.machinery.SourcelessFileLoader('optim_copy', pyc)).Adam\n"
        "for route, reach in routes.items():\n"
        "    try:\n"
        "        print(f'[attack] {route}: reached', reach().step)\n"
        "    except Exception as exc:\n"
        "        print(f'[attack] {route}: refused ({type(exc).__name__})')"),
}

# tricks that define the answers themselves (the others go into a cell after the setup cell)
ANSWERS = {"read_expected_through_frames", "object_that_lies_about_its_value"}

SPY = (
    "import coursekit, os\n\n\n"
    "def spy(result):\n"
    "    print('[spy] cell sent to the kernel:\\n' + result.info.raw_cell)\n\n\n"
    "get_ipython().events.register('post_run_cell', spy)\n"
    "with open(os.path.join(os.path.dirname(coursekit.__file__), 'optim.py')) as fh:\n"
    "    print('[spy] optim.py reads:\\n' + fh.read()[:400])")


def submissions(solution, cases) -> dict:
    """name -> notebook: the honest solution, the wrong answers alone, and each attack
    (``cases``: tests/grading/cases.py, which edits notebooks)."""
    zeros = solution
    for gid, source in ZEROS.items():
        zeros = cases.replace_stub(zeros, gid, source)
    found = {"honest": solution, "zeros": zeros, "spy": cases.insert_code(zeros, "setup", SPY)}
    for name, trick in TRICKS.items():
        if name in ANSWERS:  # the trick is the answers: all four functions in the first answer cell
            nb = cases.replace_stub(zeros, "momentum", trick)
            for gid in ("rmsprop", "adam"):
                nb = cases.replace_stub(nb, gid, "# see the first answer cell")
            found[name] = nb
        else:
            found[name] = cases.insert_code(zeros, "setup", trick)
    return found
