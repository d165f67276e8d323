"""A corpus runs in batches (config `studies_per_job`) with the same ledger, and a change to
one study reruns only the jobs that read it."""
import re
import shutil

import pytest

from conftest import CONFIG, STUDIES, resign, run_snakemake, tree

BATCH = 2
# the studies whose value ranges (a YAML file of raw/) take a harmless comment
EDITABLE = [s for s in STUDIES if "value_ranges" in CONFIG["studies"][s]]
assert EDITABLE, "the rerun tests edit a study's value ranges"


def batches():
    """Consecutive studies in name order, BATCH a job, named as the workflow names them."""
    names = sorted(STUDIES)
    chunks = [names[i:i + BATCH] for i in range(0, len(names), BATCH)]
    return {(c[0] if len(c) == 1 else f"{c[0]}_to_{c[-1]}"): c for c in chunks}


def batch_of(study):
    return next(name for name, members in batches().items() if study in members)


def planned_jobs(workdir):
    """(rule, wildcards) of every job a dry run plans, from Snakemake's job listing."""
    result = run_snakemake(workdir, "-n")
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", text):
        head = re.match(r"(?:local)?rule (\w+):", block.strip())
        if head:
            wildcards = re.search(r"^\s*wildcards: (.+)$", block, re.M)
            jobs.append((head.group(1), wildcards.group(1).strip() if wildcards else ""))
    return sorted(jobs)


def copy_run(finished_run, dest):
    """A copy of the finished run, its results and Snakemake's records included, with the
    files' times kept, so that it is up to date."""
    shutil.copytree(finished_run, dest, symlinks=True)
    # the papers beside the copy, where papers_dir (../shared/papers) finds them: the audit
    # job's text scan reads them
    shared = finished_run.parent / "shared"
    if shared.exists() and not (dest.parent / "shared").exists():
        (dest.parent / "shared").symlink_to(shared.resolve(), target_is_directory=True)
    return dest


def edit(workdir, study):
    """A reviewed edit of one of the study's raw files: a comment added to its value ranges,
    then the manifest signed again. (A new modification time alone would not do: Snakemake
    compares the checksums of small files that are newer but unchanged.)"""
    path = workdir / CONFIG["studies"][study]["value_ranges"]
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    resign(workdir)


def test_touching_one_study_reruns_only_what_reads_it(finished_run, tmp_path):
    from reanalysis.figures.catalogue import figure_catalogue

    study = EDITABLE[-1]
    workdir = copy_run(finished_run, tmp_path / "run")
    assert planned_jobs(workdir) == []
    edit(workdir, study)
    jobs = planned_jobs(workdir)
    # the study's own audit, and its figures if it has any; nothing of another study
    expected = [("audit_study", f"studies={study}")]
    if study in {f["study"] for f in figure_catalogue(CONFIG)}:
        expected.append(("figures", f"study={study}"))
    assert [(rule, w) for rule, w in jobs if w] == expected
    # and what merges every study: the ledger (which checks the manifest) with its figures, the
    # findings and summary.md, the report; the effect section, where there is one, reads what
    # every audit job validated; INSPECT-SR, where rules are configured, reads the findings
    merged = {"all", "ledger", "findings", "html_report"}
    if CONFIG.get("beyond") or any(CONFIG["studies"][s].get("beyond") for s in STUDIES):
        merged.add("beyond")
    if CONFIG.get("trust_rules"):
        merged.add("trust")
    assert {rule for rule, w in jobs if not w} == merged


@pytest.fixture(scope="module")
def batched_run(tmp_path_factory, finished_run):
    """The same studies audited in batches of BATCH studies a job: the whole workflow."""
    workdir = tmp_path_factory.mktemp("batched")
    for name in ("Snakefile", "workflow", "config", "raw"):
        src = finished_run / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, workdir / name)
    config = workdir / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"studies_per_job: {BATCH}\n", encoding="utf-8")
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_batches_give_the_same_ledger_summary_figures_and_report(batched_run, finished_run):
    """Everything but the per-job files (and the logs) is byte-identical: the figures read a
    batch's recomputed table, which holds other studies' rows and columns too."""
    per_job = ("inputs/", "recomputed/", "audit/studies/", "logs/")
    batched, single = (
        {k: v for k, v in tree(run / "results").items() if not k.startswith(per_job)}
        for run in (batched_run, finished_run))
    assert sorted(batched) == sorted(single)
    assert [name for name in batched if batched[name] != single[name]] == []
    written = sorted(p.stem for p in (batched_run / "results" / "audit" / "studies").glob("*.csv"))
    assert written == sorted(batches())


def test_a_batch_reruns_as_a_whole_and_alone(batched_run, tmp_path):
    workdir = copy_run(batched_run, tmp_path / "run")
    edited = []
    for study in dict.fromkeys([EDITABLE[-1], EDITABLE[0]]):
        edit(workdir, study)
        edited.append(study)
        result = run_snakemake(workdir, "-n", "results/audit/claims.csv")
        assert result.returncode == 0, result.stderr[-3000:]
        # the batches holding the edited studies, each whole, and no other
        assert sorted(re.findall(r"wildcards: studies=(\S+)", result.stdout + result.stderr)) == sorted(
            {batch_of(s) for s in edited})


def test_audit_parts_are_consecutive_studies_in_name_order():
    from reanalysis.inputs.config import audit_parts

    studies = {name: {} for name in ("e", "a", "d", "c", "b")}
    assert audit_parts({"studies": studies}) == {s: [s] for s in "abcde"}
    assert audit_parts({"studies": studies, "studies_per_job": 2}) == {
        "a_to_b": ["a", "b"], "c_to_d": ["c", "d"], "e": ["e"]}
    assert audit_parts({"studies": studies, "studies_per_job": 9}) == {"a_to_e": list("abcde")}


def test_the_scale_command_runs_a_corpus_and_prints_its_table(tmp_path):
    """A smoke run of `python -m reanalysis.corpus.scale` on two studies (its timings are not
    asserted: a benchmark prints its figures)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "reanalysis.corpus.scale", "--sizes", "2", "--repeats", "1",
                             "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    # two studies: one a job (at least four jobs, at most one study each), so 2 audit jobs;
    # the edit touches the first summary-level study, whose job alone reruns
    edited = sorted(p.parent.name for p in (tmp_path / "corpus2" / "raw").glob("*/ranges.yaml"))[0]
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 2 |"))
    assert row.startswith("| 2 | 2 |")
    assert row.endswith(f"(1 audit job: {edited}) |")
    assert "target no-op within 1.5 s at every size:" in result.stdout
