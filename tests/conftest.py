"""Shared fixtures: generated files go to a temporary directory, never into the repository."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True, scope="session")
def generated_files_in_tmp(tmp_path_factory):
    """Point S2SAD_OUTPUT_DIR at a temporary directory for the whole session."""
    directory = tmp_path_factory.mktemp("generated")
    previous = os.environ.get("S2SAD_OUTPUT_DIR")
    os.environ["S2SAD_OUTPUT_DIR"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("S2SAD_OUTPUT_DIR", None)
    else:
        os.environ["S2SAD_OUTPUT_DIR"] = previous


@pytest.fixture
def verify_each_pass(monkeypatch):
    """Verify the IR after every pass of the derivative pipeline; yields the log
    of verifications made (``pass:function``)."""
    from pass_verification import install

    yield install(monkeypatch)
