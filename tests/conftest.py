"""Shared paths for the tests."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The papers sit beside the repository (../shared/papers), as in CI's fresh clone.
PAPERS = ROOT.parent / "shared" / "papers"


@pytest.fixture(scope="session")
def papers_dir() -> Path:
    assert PAPERS.is_dir(), f"the source papers are expected at {PAPERS}"
    return PAPERS
