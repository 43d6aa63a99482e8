"""CITATION.cff is valid Citation File Format 1.2.0 and agrees with pyproject.toml, LICENSE and the bibliography.

The validator is ``jsonschema`` (pinned in the "dev" group) with the official CFF 1.2.0 JSON schema.
``cffconvert``, the reference validator, cannot be installed next to the book's tools: cffconvert 2.0.0
requires ``jsonschema<4`` while jupyter-book's and JupyterLab's dependencies require jsonschema 4. So the
schema it ships is vendored, unchanged, as ``tools/cff-schema-1.2.0.json``: copied from the PyPI wheel
``cffconvert-2.0.0-py3-none-any.whl``, member ``cffconvert/schemas/1.2.0/schema.json`` (the schema's
``$id`` is https://citation-file-format.github.io/1.2.0/schema.json; CC-BY-4.0, the Citation File
Format authors). Its SHA-256 is checked below, so an edited copy fails. No network is needed.
"""

import datetime as dt
import hashlib
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "tools" / "cff-schema-1.2.0.json"
SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"


def _strings_for_dates(node):
    """YAML reads ``2026-11-25`` as a date; CFF (a JSON schema) expects the ISO string, as cffconvert does."""
    if isinstance(node, dict):
        return {k: _strings_for_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_strings_for_dates(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


def _load_cff(text: str):
    return _strings_for_dates(yaml.safe_load(text))


@pytest.fixture(scope="module")
def validator():
    raw = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, f"{SCHEMA_PATH} differs from the vendored schema"
    schema = json.loads(raw)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def cff():
    return _load_cff((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_is_valid_cff_1_2_0(validator, cff):
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(cff)]
    assert not errors, "CITATION.cff is not valid CFF 1.2.0:\n" + "\n".join(errors)
    assert cff["cff-version"] == "1.2.0"


def test_the_validator_rejects_what_cff_forbids(validator, cff):
    # the schema check can fail: no authors, a misspelt key, a malformed DOI
    for broken in (
        {k: v for k, v in cff.items() if k != "authors"},
        {**cff, "autors": cff["authors"]},
        {**cff, "doi": "sciadv.abm7185"},
    ):
        assert list(validator.iter_errors(broken)), broken.keys()


def test_version_and_licence_match_pyproject_and_license_file(cff):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]["text"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_every_cited_doi_is_in_the_book_bibliography(cff):
    bib_dois = {d.lower() for d in re.findall(r"doi\s*=\s*\{([^}]+)\}", (ROOT / "book/references.bib").read_text())}
    dois = [cff["preferred-citation"]["doi"]] + [ref["doi"] for ref in cff.get("references", [])]
    assert dois and all(d.lower() in bib_dois for d in dois), sorted(set(d.lower() for d in dois) - bib_dois)
