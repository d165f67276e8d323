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
from conftest import (CONFIG, ROOT, STUDIES, copy_repo, load_config, read_csv, resign, run_snakemake,
                      study_papers)
from reanalysis.inputs import transcription
from reanalysis.onboarding.scaffold import TODO_TITLE, paper_title

# the study copied (any summary-level study would do; the first in name order)
SOURCE = next(s for s in STUDIES if CONFIG["studies"][s]["design"] == "summary_level")
THROWAWAY = "throwaway_copy"


def run_cli(workdir, *args):
    return subprocess.run([sys.executable, "-m", "reanalysis", *args], cwd=workdir,
                          capture_output=True, text=True, timeout=120)


def add_throwaway(workdir: Path) -> Path:
    """The SOURCE study copied as THROWAWAY into a copy of the repository: its own raw/
    folder and config file, nothing else edited."""
    shutil.copytree(workdir / "raw" / SOURCE, workdir / "raw" / THROWAWAY)
    text = (workdir / "config" / "studies" / f"{SOURCE}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"raw/{SOURCE}/", f"raw/{THROWAWAY}/")
    papers = study_papers(CONFIG, SOURCE)
    if "papers_dir" not in CONFIG["studies"][SOURCE]:  # the copy lives elsewhere: say where
        text = f"papers_dir: {papers}\n" + text
    (workdir / "config" / "studies" / f"{THROWAWAY}.yaml").write_text(text, encoding="utf-8")
    return workdir


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    workdir = add_throwaway(copy_repo(tmp_path_factory.mktemp("throwaway")))
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


# --------------------------------------------------------------------------- new, then draft
def test_new_then_draft_needs_no_paper_option(tmp_path):
    """The README's steps as written: `new ... --paper PATH` records the paper, so `draft
    <study>` right after it finds the paper (no --paper) and proposes its rows."""
    workdir = tmp_path / "repo"
    workdir.mkdir()
    copy_repo(workdir)
    paper = tmp_path / "papers" / "trial.txt"
    paper.parent.mkdir()
    paper.write_text("Abstract\nAge | 57.83 ± 5.84 | 49.85 ± 9.63 | 0.351\n", encoding="utf-8")
    made = run_cli(workdir, "new", "made_up", "--design", "summary_level", "--paper", str(paper))
    assert made.returncode == 0, made.stderr
    stub = (workdir / "config" / "studies" / "made_up.yaml").read_text(encoding="utf-8")
    assert 'paper_files: ["trial.txt"]' in stub
    assert f"python -m reanalysis draft made_up" in made.stdout
    out = tmp_path / "draft.csv"
    drafted = run_cli(workdir, "draft", "made_up", "--out", str(out))
    assert drafted.returncode == 0, drafted.stderr
    proposed = read_csv(out)
    # line 2 prints two means ± SD and one p (worked from the text above)
    assert [(r["source_file"], r["source_line"], r["value"]) for r in proposed] == [
        ("trial.txt", "2", "57.83 ± 5.84"), ("trial.txt", "2", "49.85 ± 9.63"), ("trial.txt", "2", "0.351")]
    load_config(workdir)  # paper_files is a key the study schema knows
    paper.unlink()  # a paper that is gone is named by check, with the key that names it
    checked = run_cli(workdir, "check", "made_up")
    assert "config/studies/made_up.yaml, key 'paper_files': paper text" in checked.stderr
    assert "trial.txt not found" in checked.stderr


def test_new_takes_a_title_only_where_one_is_printed(tmp_path):
    """A citation line gives its title; a text that opens with its abstract has none, and
    `new` leaves a marked placeholder that `check` reports, not the abstract's first line."""
    workdir = tmp_path / "repo"
    workdir.mkdir()
    copy_repo(workdir)
    cited = tmp_path / "cited.txt"
    cited.write_text("Roe A, Doe B, Poe C. Cells for diabetes: a randomised trial. J Made Up 2020; 1(2): 3-4.\n"
                     "Table 1 Baseline\nAge | 50.1 ± 3.2 | 49.8 ± 2.9 | 0.41\n", encoding="utf-8")
    made = run_cli(workdir, "new", "cited", "--design", "summary_level", "--paper", str(cited))
    assert made.returncode == 0, made.stderr
    stub = (workdir / "config" / "studies" / "cited.yaml").read_text(encoding="utf-8")
    assert "title: >-\n  Cells for diabetes: a randomised trial\n" in stub
    bare = tmp_path / "bare.txt"
    bare.write_text(" Abstract\nType 1 diabetes mellitus is one of the most common chronic disorders.\n",
                    encoding="utf-8")
    made = run_cli(workdir, "new", "bare", "--design", "summary_level", "--paper", str(bare))
    assert made.returncode == 0, made.stderr
    stub = (workdir / "config" / "studies" / "bare.yaml").read_text(encoding="utf-8")
    assert f"title: >-\n  {TODO_TITLE}\n" in stub and "Type 1 diabetes" not in stub
    checked = run_cli(workdir, "check", "bare")
    assert checked.returncode == 1
    assert "config/studies/bare.yaml, key 'title': still the placeholder" in checked.stderr
    assert "key 'title'" not in run_cli(workdir, "check", "cited").stderr


@pytest.mark.parametrize("text, title", [
    # a preprint's cover page: labels, then the title, then the authors
    ("Article\nNot peer-reviewed version\nLong-Term Efficacy of a Single Infusion in Type 2 Diabetes\n"
     "A Roe*, B Doe\nPosted Date: 21 March 2025\n", "Long-Term Efficacy of a Single Infusion in Type 2 Diabetes"),
    # a journal's header lines, a label ending in ':', then the title
    ("Covid-19 Research\nResearch Article\nOCLC Number/Unique Identifier:\nCells in a Seventeen Year Old Patient\n",
     "Cells in a Seventeen Year Old Patient"),
    # the authors first, then metadata, then the title
    ("Roe A, Doe B and Poe C\ndoi: 10.1000/xyz\nStem Cells and Their Use in Type 1 Diabetes\n",
     "Stem Cells and Their Use in Type 1 Diabetes"),
    # the abstract before anything that reads as a title: none
    ("Background: To determine the efficacy of cells.\nMethods: 91 patients were randomised.\n", None),
    ("Table 1 | Age | 50.1\nHbA1c 9.02 ± 1.27\n", None),
    ("", None),
])
def test_paper_title_is_found_or_left_open(text, title):
    assert paper_title(text) == title


# --------------------------------------------------------------------------- check = the tests' rules
def _paper(workdir, name):
    return (study_papers(load_config(workdir), THROWAWAY, workdir) / name).read_text(encoding="utf-8").split("\n")


def _edit_csv(path, change):
    rows = read_csv(path)
    change(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _elsewhere(workdir, row):
    """The first line of the row's paper that does not hold its quoted text."""
    lines = _paper(workdir, row["source_file"])
    return next(i for i, line in enumerate(lines, start=1) if row["reported"] not in line)


def _move_first(kind):
    def inject(workdir):
        path = workdir / "raw" / THROWAWAY / f"{kind}.csv"
        moved = []

        def change(rows):
            row = rows[0]
            row["source_line"] = str(_elsewhere(workdir, row))
            moved.append(f"{row['reported']!r} is not on line {row['source_line']}")
        _edit_csv(path, change)
        return moved
    return inject


def _other_digit(value):
    """The value with the last digit of its first number changed (a transcription slip)."""
    m = re.search(r"\d+(?:\.\d+)?", value)
    number = m.group()
    last = int(number[-1])
    return value[:m.end() - 1] + str(last - 1 if last else last + 1) + value[m.end():]


def _mistype_two_values(workdir):
    """Two rows (one fault twice) whose value differs from its printed text, with no repair note."""
    expected = []

    def change(rows):
        picked = [r for r in rows if not r["repair_note"] and r["form"] in ("value", "mean", "mean_dispersion")][:2]
        assert len(picked) == 2
        for r in picked:
            r["value"] = _other_digit(r["value"])
            expected.append(f"column 'value': {r['value']!r} reads the numbers")
    _edit_csv(workdir / "raw" / THROWAWAY / "summaries.csv", change)
    return expected


def _whole_paper_declared_transcribed(workdir):
    import yaml
    path = workdir / "config" / "studies" / f"{THROWAWAY}.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    paper = read_csv(workdir / spec["claims"])[0]["source_file"]
    spec["transcription"] = {"lines": [[1, len(_paper(workdir, paper))]], "labels": []}
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return ["has no row in"]


def _same_as_across_arms_or_times(workdir):
    expected = []

    def change(rows):
        first = next(r for r in rows if not r["same_as"])
        other = next(r for r in rows if not r["same_as"]
                     and (r["arm"], r["timepoint"]) != (first["arm"], first["timepoint"]))
        first["same_as"] = other["value_id"]
        expected.append(f"column 'same_as': {other['value_id']} is arm")
    _edit_csv(workdir / "raw" / THROWAWAY / "summaries.csv", change)
    return expected


# one fault per transcription rule, injected into the throwaway study
INJECTIONS = {
    "claims_quote_their_lines": _move_first("claims"),
    "rows_quote_their_lines": _move_first("summaries"),
    "values_read_what_is_printed": _mistype_two_values,
    "transcribed_sections_are_complete": _whole_paper_declared_transcribed,
    "same_as_points_at_the_same_quantity": _same_as_across_arms_or_times,
}


def test_every_transcription_rule_has_an_injection():
    assert sorted(INJECTIONS) == sorted(rule.__name__ for rule in transcription.RULES)
    assert [c.__name__ for c in studychecks.ALL_CHECKS] == [f"check_{r.__name__}" for r in transcription.RULES]


@pytest.mark.parametrize("rule", transcription.RULES, ids=lambda r: r.__name__)
def test_check_fails_wherever_the_transcription_test_would(tmp_path, rule):
    """A fault that fails a transcription test makes `check` fail too, naming every fault
    the test names (both rows where one fault is made twice)."""
    workdir = add_throwaway(copy_repo(tmp_path))
    config = load_config(workdir)
    assert studychecks.faults(rule, workdir, config, THROWAWAY) == []
    expected = INJECTIONS[rule.__name__](workdir)
    config = load_config(workdir)
    test = next(c for c in studychecks.ALL_CHECKS if c.__name__ == f"check_{rule.__name__}")
    with pytest.raises(AssertionError):
        test(workdir, config, THROWAWAY)
    found = studychecks.faults(rule, workdir, config, THROWAWAY)
    result = run_cli(workdir, "check", THROWAWAY)
    assert result.returncode == 1, result.stdout
    for fault in found:
        assert f"ERROR: {fault}" in result.stderr, (fault, result.stderr)
    for words in expected:
        assert words in result.stderr, (words, result.stderr)


def test_check_reports_every_row_with_an_input_fault(tmp_path):
    """Two rows with the same fault (a decimal comma) and a claim with another: each is
    named, with its row, and the count says three."""
    workdir = add_throwaway(copy_repo(tmp_path))
    bad = []

    def commas(rows):
        for r in [r for r in rows if re.fullmatch(r"\d+\.\d+", r["value"])][:2]:
            r["value"] = r["value"].replace(".", ",")
            bad.append(r["value"])
    _edit_csv(workdir / "raw" / THROWAWAY / "summaries.csv", commas)

    def unknown_check(rows):
        next(r for r in rows if r["check"])["check"] = "no_such_check"
    _edit_csv(workdir / "raw" / THROWAWAY / "claims.csv", unknown_check)
    result = run_cli(workdir, "check", THROWAWAY)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    for value in bad:
        assert any(f"value {value!r}" in e and "decimal comma" in e for e in errors), (value, errors)
    assert any("unknown check" in e and "'no_such_check'" in e for e in errors), errors
    assert f"{THROWAWAY}: {len(errors)} problem(s)" in result.stderr
