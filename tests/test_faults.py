"""Determinism and faults: the same inputs give the same bytes, whatever happened before.

- Two clean runs in different folders give byte-identical results/ (figures and the
  report included).
- With --keep-going, a broken study does not stop the others' audits; the run still exits
  non-zero, names the broken study, and writes no ledger or report.
- A run killed with SIGKILL mid-way, restarted with --rerun-incomplete, ends with the
  same bytes as a clean run.
"""
import os
import signal
import subprocess
import time

from reanalysis.figures.catalogue import figure_catalogue

from conftest import CONFIG, SNAKEMAKE, STUDIES, assert_same_tree, copy_repo, resign, run_snakemake, tree


def test_two_clean_runs_are_byte_identical(finished_run, tmp_path):
    second = copy_repo(tmp_path)
    result = run_snakemake(second)
    assert result.returncode == 0, result.stderr[-3000:]
    files = tree(finished_run / "results")
    assert "report.html" in files and "figures/pvalues.png" in files and "figures/pvalues.svg" in files
    # every figure the config asks for, png and svg, and the all-studies p-value figure
    expected = {f"figures/{f['study']}/{f['name']}.{ext}" for f in figure_catalogue(CONFIG)
                for ext in ("png", "svg")} | {"figures/pvalues.png", "figures/pvalues.svg",
                                              "figures/discrepancies.png", "figures/discrepancies.svg"}
    # (and the all-studies figures besides: the p-value figure, the discrepancies, the pooled forest)
    assert expected <= set(files)
    assert_same_tree(finished_run / "results", second / "results")


def test_keep_going_audits_the_other_studies(finished_run, tmp_path):
    workdir = copy_repo(tmp_path)
    summaries = workdir / "raw" / "zang2022" / "summaries.csv"
    text = summaries.read_text(encoding="utf-8")
    row = "Z-T1-HBA1C-MSC,001_9beb37517b88e50d.txt,270,Table 1,hba1c,\"HbA1c (%), mean ± SD\",uc_msc,baseline,45,9.02 ± 1.27,9.02 ± 1.27,"
    assert row in text
    summaries.write_text(text.replace(row, row.replace("9.02 ± 1.27,9.02 ± 1.27,", "9.02 ± 1.27,92.0 ± 1.27,")),
                         encoding="utf-8")
    resign(workdir)  # a signed but wrong transcription: validation, not the manifest, stops it
    result = run_snakemake(workdir, "--keep-going")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Error in rule audit_study" in out and "studies=zang2022" in out.replace(" ", "")
    assert "raw/zang2022/summaries.csv, row 42 (line 43), column 'value': mean 92.0 is out of range" in out
    results = workdir / "results"
    for study in STUDIES:
        audit = results / "audit" / "studies" / f"{study}.csv"
        if study == "zang2022":
            assert not audit.exists()
            assert not (results / "figures" / study).exists()
        else:  # the others are audited, with the same rows as in a clean run
            assert audit.read_bytes() == (finished_run / "results" / "audit" / "studies" / f"{study}.csv").read_bytes()
    for path in ("audit/claims.csv", "audit/summary.md", "report.html", "figures/pvalues.png"):
        assert not (results / path).exists(), path


def test_kill_9_then_rerun_incomplete_gives_a_clean_run(finished_run, tmp_path):
    workdir = copy_repo(tmp_path)
    proc = subprocess.Popen([SNAKEMAKE, "--cores", "2"], cwd=workdir, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    audits = workdir / "results" / "audit" / "studies"
    deadline = time.monotonic() + 300
    # kill once some studies are audited, while later jobs (figures, ledger) are running
    while not (audits.is_dir() and any(audits.iterdir())):
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # snakemake and its running jobs, as kill -9 would
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (workdir / "results" / "report.html").exists()
    # a killed run leaves its lock behind; --unlock releases it, as Snakemake tells the user
    unlock = run_snakemake(workdir, "--unlock")
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    rerun = run_snakemake(workdir, "--rerun-incomplete")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert_same_tree(finished_run / "results", workdir / "results")
