"""Adding a paper needs data and config only.

- A throwaway study, copied from an existing one into a temporary copy of the repository
  (its own raw/<study>/ and config/studies/<study>.yaml, nothing else edited), gets every
  study-parametrised check and is audited by the workflow like the study it copies.
- ``python -m reanalysis new`` scaffolds a study that ``check`` then explains.
- Nothing under workflow/ names a study, and the workflow files are snakefmt-clean.
"""
import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import studychecks
from conftest import CONFIG, ROOT, STUDIES, copy_repo, load_config, read_csv, resign, run_snakemake

# the study copied (any summary-level study would do; the first in name order)
SOURCE = next(s for s in STUDIES if CONFIG["studies"][s]["design"] == "summary_level")
THROWAWAY = "throwaway_copy"


def run_cli(workdir, *args):
    return subprocess.run([sys.executable, "-m", "reanalysis", *args], cwd=workdir,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    workdir = copy_repo(tmp_path_factory.mktemp("throwaway"))
    shutil.copytree(workdir / "raw" / SOURCE, workdir / "raw" / THROWAWAY)
    text = (workdir / "config" / "studies" / f"{SOURCE}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"raw/{SOURCE}/", f"raw/{THROWAWAY}/")
    papers = (ROOT / CONFIG["papers_dir"]).resolve()
    if "papers_dir" not in CONFIG["studies"][SOURCE]:  # the copy lives elsewhere: say where
        text = f"papers_dir: {papers}\n" + text
    (workdir / "config" / "studies" / f"{THROWAWAY}.yaml").write_text(text, encoding="utf-8")
    resign(workdir)
    return workdir


def test_the_throwaway_study_is_found_without_other_edits(throwaway):
    config = load_config(throwaway)
    assert THROWAWAY in config["studies"]
    assert sorted(config["studies"]) == sorted(STUDIES + [THROWAWAY])


@pytest.mark.parametrize("check", studychecks.ALL_CHECKS, ids=lambda f: f.__name__)
def test_the_throwaway_study_gets_every_study_check(throwaway, check):
    check(throwaway, load_config(throwaway), THROWAWAY)


def test_check_command_validates_the_throwaway_study(throwaway):
    result = run_cli(throwaway, "check", THROWAWAY)
    assert result.returncode == 0, result.stderr
    assert f"{THROWAWAY}: config and transcription valid" in result.stdout


def test_the_workflow_audits_the_throwaway_study_like_its_source(throwaway):
    targets = [f"results/audit/studies/{s}.csv" for s in (SOURCE, THROWAWAY)]
    result = run_snakemake(throwaway, *targets)
    assert result.returncode == 0, result.stderr[-3000:]
    source, copy = (read_csv(throwaway / t) for t in targets)
    assert len(copy) == len(source) > 0
    for a, b in zip(source, copy):
        assert {**a, "study": THROWAWAY} == b


def test_new_scaffolds_a_study_that_check_explains(tmp_path):
    workdir = copy_repo(tmp_path)
    paper = tmp_path / "paper.txt"
    paper.write_text("A made-up trial. Table 1 Age | 50.1 ± 3.2 | 49.8 ± 2.9 | 0.41\n", encoding="utf-8")
    result = run_cli(workdir, "new", "made_up", "--design", "summary_level", "--paper", str(paper))
    assert result.returncode == 0, result.stderr
    for path in ("raw/made_up/summaries.csv", "raw/made_up/claims.csv", "raw/made_up/ranges.yaml",
                 "config/studies/made_up.yaml"):
        assert (workdir / path).is_file(), path
    assert "next steps" in result.stdout and "python -m reanalysis check made_up" in result.stdout
    stub = (workdir / "config" / "studies" / "made_up.yaml").read_text()
    for kind in ("two_sample_t", "k_group_anova", "two_proportions", "contingency",
                 "proportion_difference_ci", "paired_from_summary", "change_between_groups",
                 "reported_statistic", "sd_feasibility", "difference", "sum", "value"):
        assert f"kind: {kind}" in stub, kind
    assert f"papers_dir: {paper.parent}" in stub or "papers_dir: " in stub
    # the stub validates as config; the empty transcription is what check reports, with the file
    load_config(workdir)
    checked = run_cli(workdir, "check", "made_up")
    assert checked.returncode == 1
    assert "raw/made_up/summaries.csv" in checked.stderr and "no data rows" in checked.stderr
    assert "python -m reanalysis draft made_up" in checked.stderr
    # the same name twice is refused
    again = run_cli(workdir, "new", "made_up", "--design", "summary_level", "--paper", str(paper))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_check_names_an_empty_check_and_what_to_do(tmp_path):
    workdir = copy_repo(tmp_path)
    # any study with a recomputable claim will do
    study = next(s for s in STUDIES
                 if any(c["claim_basis"] == "verbatim" for c in read_csv(ROOT / CONFIG["studies"][s]["claims"])))
    claims = workdir / CONFIG["studies"][study]["claims"]
    rows = read_csv(claims)
    first = next(r for r in rows if r["claim_basis"] == "verbatim")
    first["check"] = ""
    with open(claims, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = run_cli(workdir, "check", study)
    assert result.returncode == 1
    assert "empty check" in result.stderr and "not_recomputable" in result.stderr


def test_no_file_under_workflow_names_a_study():
    names = [s for s in STUDIES]
    hits = []
    for path in (ROOT / "workflow").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            hits += [(path.relative_to(ROOT).as_posix(), n) for n in names
                     if re.search(rf"\b{n}\b", text) or n in path.name]
    assert hits == []


def test_workflow_files_are_snakefmt_clean():
    snakefmt = shutil.which("snakefmt", path=str(Path(sys.executable).parent)) or shutil.which("snakefmt")
    assert snakefmt, "snakefmt is pinned in requirements.txt"
    files = ["Snakefile"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    result = subprocess.run([snakefmt, "--check", *files], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
