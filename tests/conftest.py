"""Shared paths, the studies as the config lists them, and the workflow run in a temporary
copy that several test files read. No test lists the studies: they come from config/."""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The papers and reference cases sit beside the repository (../shared), as in CI's fresh
# clone; REANALYSIS_SHARED points elsewhere when the clone lives somewhere else.
SHARED = Path(os.environ.get("REANALYSIS_SHARED", ROOT.parent / "shared"))
PAPERS = SHARED / "papers"


def load_config(root: Path = ROOT) -> dict:
    from reanalysis.inputs.config import load_config as load
    return load(root)


CONFIG = load_config()
STUDIES = sorted(CONFIG["studies"])


def study_papers(config: dict, study: str, root: Path = ROOT) -> Path:
    """Where a study's paper text lies. The shared default follows REANALYSIS_SHARED."""
    own = config["studies"][study].get("papers_dir")
    if own is None and "REANALYSIS_SHARED" in os.environ:
        return PAPERS
    return (root / (own or config["papers_dir"])).resolve()


@pytest.fixture(scope="session")
def papers_dir() -> Path:
    assert PAPERS.is_dir(), f"the source papers are expected at {PAPERS} (set REANALYSIS_SHARED)"
    return PAPERS


@pytest.fixture(scope="session", autouse=True)
def shared_beside_copies(tmp_path_factory):
    """A copy of the repository made under pytest's base folder finds the papers where the
    repository does (papers_dir: ../shared/papers; the audit job scans them, scan_text):
    the shared folder is linked beside the copies."""
    link = tmp_path_factory.getbasetemp() / "shared"
    if SHARED.is_dir() and not link.exists():
        link.symlink_to(SHARED.resolve(), target_is_directory=True)


SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
LEDGER_COLUMNS = ["study", "claim_id", "location", "quantity", "reported", "claim", "recomputed",
                  "variant", "method", "verdict", "decision_error", "why_unverifiable", "note", "source_file",
                  "source_line", "statistic", "value", "low", "high", "claim_basis"]
VERDICTS = {"reproduced", "consistent", "discrepant", "unverifiable"}


def copy_repo(dest: Path) -> Path:
    for name in ("Snakefile", "workflow", "config", "raw"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / name)
    return dest


def run_snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SNAKEMAKE, "--cores", "2", *args], cwd=workdir,
                          capture_output=True, text=True, timeout=600)


def resign(workdir: Path) -> None:
    subprocess.run([sys.executable, "-m", "reanalysis.inputs.manifest", "sign", "raw"], cwd=workdir,
                   check=True, capture_output=True)


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory):
    """One clean run of the whole workflow, shared by every test that reads its results."""
    workdir = copy_repo(tmp_path_factory.mktemp("run"))
    # the papers beside the copy, as beside the repository (config papers_dir ../shared/papers):
    # the report quotes their lines
    shared = workdir.parent / "shared"
    if not shared.exists():
        shared.symlink_to(SHARED.resolve(), target_is_directory=True)
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def tree(results: Path) -> dict[str, bytes]:
    """Every file under a results folder, by relative path, with its bytes."""
    return {p.relative_to(results).as_posix(): p.read_bytes()
            for p in sorted(results.rglob("*")) if p.is_file()}


def assert_same_tree(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    assert [name for name in ta if ta[name] != tb[name]] == []



def config_error(study: dict, edit, config_file: str) -> str:
    """The error a copy of ``study``, changed by ``edit(copy)``, gets from the study schema."""
    import copy

    from reanalysis.errors import InputError
    from reanalysis.inputs.config import STUDY_SCHEMA, validate_config

    changed = copy.deepcopy(study)
    edit(changed)
    with pytest.raises(InputError) as info:
        validate_config(changed, config_file, ROOT / STUDY_SCHEMA)
    return str(info.value)

def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# Counts a test wants seen in every run (e.g. how many outside reference cases agree),
# printed in pytest's terminal summary.
REPORTED: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for line in REPORTED:
        terminalreporter.write_line(line)
