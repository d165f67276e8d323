"""A corpus runs in batches (config `studies_per_job`) with the same ledger, and a change to
one study reruns only the jobs that read it."""
import re
import shutil

import pytest

from conftest import CONFIG, STUDIES, resign, run_snakemake, tree

BATCH = 2  # five studies: batches of 2, 2 and 1


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
    return dest


def edit(workdir, study):
    """A reviewed edit of one of the study's raw files: a comment added to its value ranges,
    then the manifest signed again. (A new modification time alone would not do: Snakemake
    compares the checksums of small files that are newer but unchanged.)"""
    path = workdir / CONFIG["studies"][study]["value_ranges"]
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    resign(workdir)


def test_touching_one_study_reruns_only_what_reads_it(finished_run, tmp_path):
    workdir = copy_run(finished_run, tmp_path / "run")
    assert planned_jobs(workdir) == []
    edit(workdir, "zang2022")
    jobs = planned_jobs(workdir)
    per_study = [(rule, w) for rule, w in jobs if w]
    # zang2022's own audit and figures, nothing of another study
    assert per_study == [("audit_study", "studies=zang2022"), ("figures", "study=zang2022")]
    # and what merges every study: the ledger (which checks the manifest), its figures, the
    # report; the effect section reads what every study's audit job validated
    assert {rule for rule, w in jobs if not w} == {"all", "ledger", "pvalue_figure", "html_report", "beyond"}


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
    names = sorted(STUDIES)
    batches = [names[i:i + BATCH] for i in range(0, len(names), BATCH)]
    expected = sorted(b[0] if len(b) == 1 else f"{b[0]}_to_{b[-1]}" for b in batches)
    written = sorted(p.stem for p in (batched_run / "results" / "audit" / "studies").glob("*.csv"))
    assert written == expected


def test_a_batch_reruns_as_a_whole_and_alone(batched_run, tmp_path):
    workdir = copy_run(batched_run, tmp_path / "run")
    edit(workdir, "zang2022")
    result = run_snakemake(workdir, "-n", "results/audit/claims.csv")
    text = result.stdout + result.stderr
    assert result.returncode == 0
    # zang2022 is the last study in name order: alone in the last batch
    assert re.findall(r"wildcards: (\S+)", text) == ["studies=zang2022"]
    edit(workdir, "casereport")
    result = run_snakemake(workdir, "-n", "results/audit/claims.csv")
    names = sorted(STUDIES)
    assert sorted(re.findall(r"wildcards: (\S+)", result.stdout + result.stderr)) == [
        f"studies={names[0]}_to_{names[1]}", "studies=zang2022"]


def test_audit_parts_are_consecutive_studies_in_name_order():
    from reanalysis.config import audit_parts

    studies = {name: {} for name in ("e", "a", "d", "c", "b")}
    assert audit_parts({"studies": studies}) == {s: [s] for s in "abcde"}
    assert audit_parts({"studies": studies, "studies_per_job": 2}) == {
        "a_to_b": ["a", "b"], "c_to_d": ["c", "d"], "e": ["e"]}
    assert audit_parts({"studies": studies, "studies_per_job": 9}) == {"a_to_e": list("abcde")}


def test_the_scale_command_runs_a_corpus_and_prints_its_table(tmp_path):
    """A smoke run of `python -m reanalysis.scale` on two studies (its timings are not
    asserted: a benchmark prints its figures)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "reanalysis.scale", "--sizes", "2", "--repeats", "1",
                             "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    # two studies: one a job (at least four jobs, at most one study each), so 2 audit jobs;
    # the edit touches the first summary-level study, whose job alone reruns
    edited = sorted(p.parent.name for p in (tmp_path / "corpus2" / "raw").glob("*/ranges.yaml"))[0]
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 2 |"))
    assert row.startswith("| 2 | 2 |")
    assert row.endswith(f"(1 audit job: {edited}) |")
    assert "target no-op within 1.5 s at every size:" in result.stdout
