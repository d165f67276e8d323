"""Shared paths for the tests."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The papers and reference cases sit beside the repository (../shared), as in CI's fresh
# clone; REANALYSIS_SHARED points elsewhere when the clone lives somewhere else.
SHARED = Path(os.environ.get("REANALYSIS_SHARED", ROOT.parent / "shared"))
PAPERS = SHARED / "papers"


@pytest.fixture(scope="session")
def papers_dir() -> Path:
    assert PAPERS.is_dir(), f"the source papers are expected at {PAPERS} (set REANALYSIS_SHARED)"
    return PAPERS
