"""A student's result as plain data: numbers, text, arrays and containers of them.

Grading never judges a student's object, only this copy of it: a float subclass that claims to
equal everything becomes a plain ``float``, an ndarray subclass a plain ``ndarray``, a coursekit
network its layers' names and parameter arrays, and anything else an :class:`Opaque` (its type
names and a bounded ``repr``). The same copy is made in the student's own kernel (instant
feedback) and, sent over the wire (:func:`encode` / :func:`decode`), read by the grader.

:func:`decode` reads what a possibly hostile kernel sent: it accepts only the tags below,
numeric dtypes, consistent shapes and bounded nesting, and raises ``ValueError`` otherwise.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 12
MAX_TEXT = 10_000
# dtypes an array may arrive in: bool, signed/unsigned ints and floats up to 8 bytes (never object)
_DTYPES = {np.dtype(t).str for t in (bool, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                      np.uint32, np.uint64, np.float16, np.float32, np.float64)}


@dataclass(frozen=True)
class Opaque:
    """A value that is neither numbers nor text: its type names (most derived first) and repr."""

    types: tuple
    text: str


@dataclass(frozen=True)
class Layer:
    """One layer of a coursekit network: class name, parameter arrays, numeric settings."""

    kind: str
    params: dict
    settings: dict


@dataclass(frozen=True)
class Network:
    """A coursekit ``Sequential`` (such as an ``MLP``) as its layers."""

    layers: tuple


def type_names(value_or_type) -> tuple:
    """Qualified names of a type (or of a value's type) and of its bases, most derived first."""
    cls = value_or_type if isinstance(value_or_type, type) else type(value_or_type)
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__)


def _opaque(value) -> Opaque:
    try:
        text = repr(value)
    except Exception as exc:  # a repr that raises still describes nothing we can trust
        text = f"<repr failed: {type(exc).__name__}>"
    return Opaque(type_names(value), text if len(text) <= 200 else text[:197] + "...")


def _network(value) -> Network | None:
    from coursekit.module import Sequential  # here: a kernel that never builds a network needs no layers
    if not isinstance(value, Sequential):
        return None
    layers = []
    for layer in value.layers:
        params = {name: np.array(p.data, dtype=np.float64) for name, p in layer.named_parameters()}
        settings = {k: float(v) for k, v in vars(layer).items()
                    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)}
        layers.append(Layer(type(layer).__name__, params, settings))
    return Network(tuple(layers))


def plain(value, depth: int = 0):
    """The plain copy of ``value`` (see the module docstring); never raises."""
    if depth > MAX_DEPTH:
        return Opaque(("builtins.object",), "<nested too deeply>")
    try:
        if value is None or isinstance(value, (bool, np.bool_)):
            return None if value is None else bool(value)
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, (float, np.floating)):
            return float(value)
        if isinstance(value, (str, np.str_)):
            return str.__str__(value)[:MAX_TEXT]
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.dtype.itemsize <= 8:
            return np.array(value, dtype=value.dtype.newbyteorder("="), copy=True, subok=False)
        if isinstance(value, list):  # the built-in iteration, not a subclass's
            return [plain(v, depth + 1) for v in list.__iter__(value)]
        if isinstance(value, tuple):
            return tuple(plain(v, depth + 1) for v in tuple.__iter__(value))
        if isinstance(value, dict):
            return {_key(k, depth): plain(v, depth + 1) for k, v in dict.items(value)}
        network = _network(value)
        if network is not None:
            return network
        return np.array(np.asarray(value, dtype=np.float64), copy=True, subok=False)
    except Exception:
        return _opaque(value)


def _key(key, depth):
    key = plain(key, depth + 1)
    return key if isinstance(key, (type(None), bool, int, float, str)) else repr(key)


# -------------------------------------------------------------------------- the wire format

def encode(value):
    """JSON-able form of a plain value (arrays as base64 bytes, so NaN and shapes survive)."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        return {"t": "float", "v": repr(value)}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, np.ndarray):
        return {"t": "array", "dtype": value.dtype.str, "shape": list(value.shape),
                "data": base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return {"t": type(value).__name__, "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Network):
        return {"t": "network", "v": [{"kind": layer.kind, "params": encode(layer.params),
                                        "settings": encode(layer.settings)} for layer in value.layers]}
    return {"t": "opaque", "types": list(value.types), "text": value.text}


def decode(data, depth: int = 0):
    """The plain value that :func:`encode` made; ``ValueError`` for anything else."""
    if depth > MAX_DEPTH + 2 or not isinstance(data, dict):
        raise ValueError("not an encoded value")
    tag = data.get("t")
    if tag == "none":
        return None
    if tag == "bool" and isinstance(data.get("v"), bool):
        return data["v"]
    if tag == "int" and isinstance(data.get("v"), str) and len(data["v"]) <= 400:
        return int(data["v"])
    if tag == "float" and isinstance(data.get("v"), str):
        return float(data["v"])
    if tag == "str" and isinstance(data.get("v"), str):
        return data["v"][:MAX_TEXT]
    if tag == "array":
        return _decode_array(data)
    if tag in ("list", "tuple") and isinstance(data.get("v"), list):
        items = [decode(v, depth + 1) for v in data["v"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(data.get("v"), list):
        pairs = [(decode(k, depth + 1), decode(v, depth + 1)) for k, v in data["v"]]
        if not all(isinstance(k, (type(None), bool, int, float, str)) for k, _ in pairs):
            raise ValueError("a dict key that is not plain")
        return dict(pairs)
    if tag == "network" and isinstance(data.get("v"), list):
        layers = []
        for layer in data["v"]:
            params, settings = decode(layer["params"], depth + 1), decode(layer["settings"], depth + 1)
            if not (isinstance(layer.get("kind"), str) and isinstance(params, dict) and isinstance(settings, dict)):
                raise ValueError("a malformed layer")
            layers.append(Layer(layer["kind"], params, settings))
        return Network(tuple(layers))
    if tag == "opaque" and isinstance(data.get("types"), list) and isinstance(data.get("text"), str):
        return Opaque(tuple(str(t) for t in data["types"][:50]), data["text"][:200])
    raise ValueError(f"an unknown or malformed value (tag {str(tag)[:20]!r})")


def _decode_array(data) -> np.ndarray:
    dtype, shape, raw = data.get("dtype"), data.get("shape"), data.get("data")
    if dtype not in _DTYPES or not isinstance(raw, str) or not isinstance(shape, list) \
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise ValueError("a malformed array")
    buffer = base64.b64decode(raw, validate=True)
    if int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize != len(buffer):
        raise ValueError("an array whose data does not match its shape")
    return np.frombuffer(buffer, dtype=np.dtype(dtype)).reshape(shape).copy()
