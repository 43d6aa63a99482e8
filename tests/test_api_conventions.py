"""The public API of ``helpers`` speaks one vocabulary; this walks it and fails when a convention is broken.

Conventions (CONTRIBUTING.md, "Changing helpers"):

1. a function that takes a fitted model names it ``estimator`` and takes it first (no ``model=``);
2. options after the data are keyword-only: a positional parameter with a default must be one of the
   data parameters of :data:`DATA_PARAMETERS`;
3. one name per concept: ``n_bootstrap`` (not ``n_boot``), ``random_state`` (not ``seed``), ``colour``
   (not ``color``), ``confidence`` for an interval's level (``level``/``levels`` name categories);
4. a fitted attribute holding an error is named after it (``best_mae_``, ``best_error_``), never
   ``best_score_`` (scikit-learn's name for a score, where larger is better);
5. no estimator writes its own parameters in ``fit`` (not even temporarily);
6. no returned Bunch holds a closure (it would not pickle);
7. terms are grouped from ``term_features_`` / ``term_kinds_``, never by splitting names at ``PAIR_SEP``;
8. every package re-exports exactly the public names of its modules, explicitly imported; and every
   module is listed in the module map (the ``helpers`` package docstring).

Each check is a function of a module (or a source text), so the tests at the end show, on a small
module written to break it, that the check fails.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
import types
from pathlib import Path

import pytest

import helpers

ROOT = Path(__file__).resolve().parents[1]
#: Parameters that are data (may be positional even with a default): inputs, targets, and what a
#: function is about.
DATA_PARAMETERS = {"X", "y", "groups", "input_features", "elements", "rows", "gamma_degree"}
#: Parameter names and the one the vocabulary uses instead.
RENAMED = {
    "n_boot": "n_bootstrap",
    "seed": "random_state",
    "color": "colour",
    "level": "confidence",
    "model": "estimator",
}


def public_modules() -> list[types.ModuleType]:
    """Every importable module of ``helpers`` whose name has no leading underscore."""
    out = [helpers]
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        out.append(importlib.import_module(info.name))
    return out


def _public_callables(module):
    """(qualified name, function) of the public functions and public methods defined in ``module``."""
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            for attr, fn in vars(obj).items():
                if inspect.isfunction(fn) and (not attr.startswith("_") or attr == "__init__"):
                    yield f"{name}.{attr}", fn


def signature_problems(module) -> list[str]:
    """Conventions 1-3 on the signatures of ``module``'s public functions and methods."""
    problems = []
    for qualname, fn in _public_callables(module):
        params = [p for p in inspect.signature(fn).parameters.values() if p.name not in ("self", "cls")]
        names = [p.name for p in params]
        where = f"{module.__name__}.{qualname}"
        if "estimator" in names and names[0] != "estimator":
            problems.append(f"{where}: 'estimator' must be the first parameter")
        for p in params:
            is_label = isinstance(p.default, str) or p.annotation in (str, "str")
            if p.name == "model" and is_label:
                continue  # a column or record label, not a fitted model
            if p.name == "level" and "levels" not in names and qualname.endswith("__init__"):
                continue
            if p.name in RENAMED:
                problems.append(f"{where}: parameter {p.name!r} should be {RENAMED[p.name]!r}")
        if qualname.endswith("__init__"):
            continue  # estimator parameters follow scikit-learn's own rule
        for p in params:
            if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty and p.name not in DATA_PARAMETERS:
                problems.append(f"{where}: option {p.name!r} after the data must be keyword-only")
    return problems


def _self_attribute_targets(node) -> set[str]:
    """Names ``x`` of every ``self.x = …`` / ``self.x += …`` / ``setattr(self, "x", …)`` inside ``node``."""
    out = set()
    for sub in ast.walk(node):
        targets = []
        if isinstance(sub, ast.Assign):
            targets = sub.targets
        elif isinstance(sub, (ast.AugAssign, ast.AnnAssign)):
            targets = [sub.target]
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and sub.func.id == "setattr"
            and len(sub.args) >= 2
            and isinstance(sub.args[0], ast.Name)
            and sub.args[0].id == "self"
            and isinstance(sub.args[1], ast.Constant)
        ):
            out.add(str(sub.args[1].value))
        for t in targets:
            for leaf in ast.walk(t):
                if isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name) and leaf.value.id == "self":
                    out.add(leaf.attr)
    return out


def source_problems(source: str, where: str) -> list[str]:
    """Conventions 4-7 on a module's source text."""
    tree = ast.parse(source)
    problems = []
    for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
        init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        params = {a.arg for a in init.args.args + init.args.kwonlyargs} - {"self"} if init else set()
        for fn in cls.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            written = _self_attribute_targets(fn)
            if "best_score_" in written:
                problems.append(f"{where}: {cls.name}.{fn.name} sets best_score_ (name the error: best_mae_, …)")
            if fn.name.startswith("fit") and written & params:
                problems.append(f"{where}: {cls.name}.{fn.name} writes its own parameter(s) {sorted(written & params)}")
    for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        nested = {n.name for n in ast.walk(fn) if isinstance(n, ast.FunctionDef) and n is not fn}
        lambdas = {
            t.id
            for n in ast.walk(fn)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Lambda)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for call in [n for n in ast.walk(fn) if isinstance(n, ast.Call)]:
            if isinstance(call.func, ast.Name) and call.func.id == "Bunch":
                for kw in call.keywords:
                    v = kw.value
                    if isinstance(v, ast.Lambda) or (isinstance(v, ast.Name) and v.id in nested | lambdas):
                        problems.append(f"{where}: {fn.name} returns a Bunch holding the closure {kw.arg!r}")
    for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call)]:
        f = call.func
        if (
            isinstance(f, ast.Attribute)
            and f.attr in ("split", "partition")
            and call.args
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id == "PAIR_SEP"
        ):
            problems.append(
                f"{where}: line {call.lineno} splits a term name at PAIR_SEP; group terms by "
                "term_features_ / term_kinds_"
            )
    return problems


def export_problems(package) -> list[str]:
    """Convention 8: a package's ``__all__`` is the union of its modules' ``__all__``, imported explicitly."""
    if not hasattr(package, "__path__"):
        return []
    problems = []
    source = Path(package.__file__).read_text()
    if "importlib" in source or "reexport" in source:
        problems.append(f"{package.__name__}: re-exports through importlib; import each name explicitly")
    expected = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            expected[name] = module
    if package is helpers:
        return problems
    exported = set(getattr(package, "__all__", ()))
    for name in sorted(set(expected) - exported):
        problems.append(f"{package.__name__}: does not re-export {expected[name].__name__}.{name}")
    for name in sorted(exported - set(expected)):
        problems.append(f"{package.__name__}: exports {name!r}, which no module of it lists in __all__")
    for name in sorted(exported & set(expected)):
        if getattr(package, name) is not getattr(expected[name], name):
            problems.append(f"{package.__name__}.{name} is not {expected[name].__name__}.{name}")
    return problems


# ----------------------------------------------------------------------------- the API of helpers
MODULES = public_modules()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_signatures_follow_the_vocabulary(module):
    assert signature_problems(module) == []


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_sources_follow_the_conventions(module):
    assert source_problems(Path(module.__file__).read_text(), module.__name__) == []


@pytest.mark.parametrize("module", [m for m in MODULES if hasattr(m, "__path__")], ids=lambda m: m.__name__)
def test_packages_reexport_their_modules_explicitly(module):
    assert export_problems(module) == []


def test_every_module_is_in_the_module_map():
    """The ``helpers`` docstring is the module map a newcomer reads to find where X lives."""
    doc = helpers.__doc__
    missing = [m.__name__ for m in MODULES if m is not helpers and f":mod:`{m.__name__}`" not in doc]
    assert missing == [], f"add {missing} to the module map in helpers/__init__.py"
    listed = {name for name in _mods_named_in(doc)}
    stale = sorted(listed - {m.__name__ for m in MODULES})
    assert stale == [], f"the module map lists modules that do not exist: {stale}"


def _mods_named_in(doc: str):
    import re

    return re.findall(r":mod:`(helpers[\w.]*)`", doc)


def test_module_map_is_linked_from_the_readme_and_the_book():
    for path in ("README.md", "book/how-this-book-is-built.md"):
        assert "helpers/__init__.py" in (ROOT / path).read_text(), f"{path} should point to the module map"


# ----------------------------------------------------------------------------- the checks can fail
BROKEN = textwrap.dedent("""
    from sklearn.base import BaseEstimator
    from sklearn.utils import Bunch
    from helpers.linear import PAIR_SEP

    __all__ = ["score_it", "Tuned", "path"]

    def score_it(X, model, n_boot=10, seed=0):
        return model.predict(X)

    class Tuned(BaseEstimator):
        def __init__(self, interactions="all"):
            self.interactions = interactions

        def fit(self, X, y):
            self.interactions = [(0, 1)]
            self.best_score_ = 0.1
            return self

    def path(terms):
        def predict(X):
            return X
        groups = [t.split(PAIR_SEP) for t in terms]
        return Bunch(predict=predict, groups=groups)
""")


@pytest.fixture
def broken_module(tmp_path, monkeypatch):
    (tmp_path / "broken_api.py").write_text(BROKEN)
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module("broken_api")


def test_the_checks_catch_a_module_that_breaks_every_convention(broken_module):
    sig = "\n".join(signature_problems(broken_module))
    assert "'estimator' must be the first" not in sig  # no estimator parameter at all ...
    assert "parameter 'model' should be 'estimator'" in sig  # ... but a model under another name
    assert "'n_boot' should be 'n_bootstrap'" in sig and "'seed' should be 'random_state'" in sig
    assert "option 'n_boot' after the data must be keyword-only" in sig
    src = "\n".join(source_problems(BROKEN, "broken_api"))
    assert "Tuned.fit sets best_score_" in src
    assert "Tuned.fit writes its own parameter(s) ['interactions']" in src
    assert "path returns a Bunch holding the closure 'predict'" in src
    assert "splits a term name at PAIR_SEP" in src


def test_the_export_check_catches_a_missing_or_importlib_reexport(tmp_path, monkeypatch):
    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('import importlib\n__all__ = ["a"]\nfrom fakepkg.one import a\n')
    (pkg / "one.py").write_text('__all__ = ["a", "b"]\na = 1\nb = 2\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    problems = "\n".join(export_problems(importlib.import_module("fakepkg")))
    assert "re-exports through importlib" in problems and "does not re-export fakepkg.one.b" in problems
