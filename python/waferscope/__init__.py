"""waferscope from Python: every command of the request layer as a function.

    import waferscope as ws
    ws.perf(model="llama-3.1-8b", hardware="cs-3", concurrency=8)      # a DataFrame, one row
    ws.frontier(model="gpt-oss-120b", hardware=["cs-3", "gb300-nvl72"])  # a DataFrame, one row per point

Keyword arguments are the HTTP API's fields (the CLI's flags without "--", with "_" for "-"); values are what the
API takes as JSON (numbers, strings, lists of names, a dict for config=). Each call goes through the same request
layer as the CLI and the API (one validator, one run), so the answer is the CLI's `--format json` parsed: a list
of rows becomes a pandas DataFrame with the same field names and SI units, a JSON object a dict (its tables as
DataFrames). Bad input raises InputError, a ValueError whose `field` names the argument at fault; a request that
cannot be satisfied raises InfeasibleError, also a ValueError. Python runs locally like the CLI: paths to your
own config.json or workload files work, and so do the file fields (out=, plot=).
"""
import inspect
import json
import math
import os

from . import _waferscope as _core

__version__ = _core.version
__all__ = ["InputError", "InfeasibleError", "run", "commands", "set_catalog", "catalog_dir"]


class InputError(ValueError):
    """Bad input: `field` is the argument at fault (as the API spells it; empty when no single field is),
    `message` what was expected and what was found."""

    def __init__(self, field, message):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class InfeasibleError(ValueError):
    """A well-formed request that cannot be satisfied (the model does not fit, ...)."""


def _raise(kind, field, message):
    if kind == "infeasible":
        raise InfeasibleError(message)
    raise InputError(field, message)


def _plain(value):
    """JSON for what json.dumps does not take: numpy scalars and arrays, pandas Series, tuples, sets, paths."""
    if hasattr(value, "tolist"):  # numpy scalars and arrays, pandas Series and Index
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"expected a JSON value; got {type(value).__name__}")


def _body(fields):
    """The JSON body, each value checked on its own so that an error names its field."""
    parts = []
    for name, value in fields.items():
        if value is None:  # as in the API: an absent field takes its default
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(name, f"expected a finite number; got {value}")
        try:
            parts.append(json.dumps(name) + ":" + json.dumps(value, allow_nan=False, default=_plain))
        except (TypeError, ValueError) as error:
            raise InputError(name, str(error)) from None
    return "{" + ",".join(parts) + "}"


def _answer(value):
    """The JSON answer as Python: a list of rows -> DataFrame, an object -> dict of converted values."""
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        import pandas as pd  # on first use: `import waferscope` needs only the module (and is quick)
        return pd.DataFrame.from_records(value, columns=list(value[0].keys()))
    if isinstance(value, dict):
        return {key: _answer(item) for key, item in value.items()}
    return value


def run(command, **fields):
    """Runs `command` (a name from commands()) with `fields` as its JSON body; the functions below call this."""
    kind, field, text = _core.run(command, _body(fields))
    if kind != "ok":
        _raise(kind, field, text)
    return _answer(json.loads(text))


def commands():
    """Every command: {name: {"help": ..., "api": served by the HTTP API, "fields": [{name, type, help, default,
    required, surface, min, max}, ...]}}. Fields with surface "cli" are files the CLI and Python write or read."""
    return {c["name"]: c for c in _core.commands()}


def set_catalog(path):
    """Loads the catalog folder at `path` (raises InputError naming the file at fault) and uses it from now on."""
    kind, field, text = _core.set_catalog(os.fspath(path))
    if kind != "ok":
        _raise(kind, field, text)


def catalog_dir():
    """The catalog folder in use: set_catalog's, else $WAFERSCOPE_CATALOG, else the package's own or the build's."""
    return _core.catalog_dir()


_TYPES = {"integer": int, "number": float, "tokens": "int | str", "text": str, "flag": bool, "list": "list[str] | str",
          "object": dict}


def _doc(command):
    lines = [command["help"], "", "Keyword arguments (the API's fields):"]
    for f in command["fields"]:
        what = f["type"]
        if f["min"] is not None:
            what += f" in [{f['min']:g}, {f['max']:g}]"
        if f["required"]:
            what += ", required"
        elif f["default"] is not None:
            what += f", default {f['default']}"
        lines.append(f"    {f['name']} ({what}): {f['help']}")
    lines += ["", "Returns the CLI's --format json answer: a list of rows as a DataFrame, an object as a dict.",
              "Raises InputError (a ValueError naming the field) on bad input, InfeasibleError when nothing fits."]
    return "\n".join(lines)


def _make(command):
    name = command["name"]

    def call(**fields):
        return run(name, **fields)

    call.__name__ = call.__qualname__ = name
    call.__module__ = __name__
    call.__doc__ = _doc(command)
    call.__signature__ = inspect.Signature(
        [inspect.Parameter(f["name"], inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_TYPES[f["type"]])
         for f in command["fields"]])
    return call


for _command in _core.commands():
    globals()[_command["name"]] = _make(_command)
    __all__.append(_command["name"])
del _command

# An installed package (pip install .) carries its own copy of the catalog; a build tree reads the checkout's.
_packaged = os.path.join(os.path.dirname(__file__), "catalog")
if not os.environ.get("WAFERSCOPE_CATALOG") and os.path.isdir(_packaged):
    _core.set_catalog(_packaged, False)
