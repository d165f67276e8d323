"""End to end: the workflow in a temporary copy of the repository.

Checks the ledger's structure and vocabulary, that every claim has a computed row,
that the figures exist, and that bad input stops the run before any ledger is written.
"""
import csv

import pytest

from reanalysis.figures.catalogue import figure_catalogue

from conftest import (CONFIG, LEDGER_COLUMNS, ROOT, STUDIES, VERDICTS, copy_repo, read_csv, resign,
                      run_snakemake)


def test_ledger_structure_and_vocabulary(finished_run):
    path = finished_run / "results" / "audit" / "claims.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == LEDGER_COLUMNS
    ledger = read_csv(path)
    assert {r["verdict"] for r in ledger} <= VERDICTS
    assert {r["decision_error"] for r in ledger} <= {"", "true", "false"}
    assert {r["study"] for r in ledger} == set(STUDIES)
    for r in ledger:
        assert r["reported"] and r["location"] and r["variant"]
        if r["verdict"] != "unverifiable":
            assert r["recomputed"] and r["method"] and r["note"], r["claim_id"]


@pytest.mark.parametrize("study", STUDIES)
def test_every_printed_number_has_an_as_reported_row(finished_run, study):
    """Every claim, and every printed summary value, has an as_reported row."""
    spec = CONFIG["studies"][study]
    printed = read_csv(ROOT / spec["claims"])
    ids = {c["claim_id"]: c["reported"] for c in printed}
    if spec["design"] == "summary_level":
        ids.update({r["value_id"]: r["reported"] for r in read_csv(ROOT / spec["table"])})
    ledger = read_csv(finished_run / "results" / "audit" / "claims.csv")
    main_rows = [r for r in ledger if r["variant"] == "as_reported" and r["study"] == study]
    counts = {}
    for r in main_rows:
        counts[r["claim_id"]] = counts.get(r["claim_id"], 0) + 1
    assert set(counts) == set(ids)
    for r in main_rows:
        assert r["reported"] == ids[r["claim_id"]]


def test_stated_subgroup_boundary_is_a_separate_variant(finished_run):
    ledger = read_csv(finished_run / "results" / "audit" / "claims.csv")
    variants = {r["variant"] for r in ledger if r["claim_id"] == "M-ABS-15"}
    assert {"as_reported", "severe_ge_8", "wilcoxon"} <= variants


def test_figures_summary_and_statistics_exist(finished_run):
    # every figure the config asks for, from the same catalogue the workflow reads
    for f in figure_catalogue(CONFIG):
        for ext in ("png", "svg"):
            assert (finished_run / "results" / "figures" / f["study"] / f"{f['name']}.{ext}").stat().st_size > 0
    assert (finished_run / "results" / "figures" / "pvalues.png").stat().st_size > 0
    summary = (finished_run / "results" / "audit" / "summary.md").read_text()
    for study in STUDIES:
        assert f"| {study} |" in summary
    stats = read_csv(finished_run / "results" / "recomputed" / "matsuoka2025.csv")
    assert {"T", "dof", "p", "ci95_low", "ci95_high", "cohen_d", "BF10", "W"} <= {
        r["statistic"] for r in stats}


def test_noop_rerun_does_nothing(finished_run):
    result = run_snakemake(finished_run, "-n")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def _bad_run(tmp_path, edit):
    workdir = copy_repo(tmp_path)
    table = workdir / "raw" / "matsuoka2025" / "table1_patients.csv"
    table.write_text(edit(table.read_text(encoding="utf-8")), encoding="utf-8")
    resign(workdir)
    result = run_snakemake(workdir)
    assert result.returncode != 0
    assert_nothing_written(workdir)
    return result.stderr


def assert_nothing_written(workdir, study="matsuoka2025"):
    """No ledger, report or p-value figure, and nothing of the broken study, after bad input.
    (Other studies' jobs already running when the error stops the run may finish.)"""
    results = workdir / "results"
    for path in ("audit/claims.csv", "audit/summary.md", "report.html", "figures/pvalues.png",
                 f"inputs/{study}.json", f"recomputed/{study}.csv", f"audit/studies/{study}.csv"):
        assert not (results / path).exists(), path
    assert not (results / "figures" / study).exists() or not any((results / "figures" / study).iterdir())


def test_non_number_stops_the_run_before_any_ledger(tmp_path):
    stderr = _bad_run(tmp_path, lambda t: t.replace("P07,7,94,M,79,1000,7.1,", "P07,7,94,M,79,1000,seven,", 1))
    assert "raw/matsuoka2025/table1_patients.csv, row 7 (line 8), column 'hba1c_before'" in stderr
    assert "'seven'" in stderr


def test_missing_column_stops_the_run_before_any_ledger(tmp_path):
    def drop_months(text):
        return "\n".join(",".join(line.split(",")[:8] + line.split(",")[9:])
                         for line in text.split("\n"))
    stderr = _bad_run(tmp_path, drop_months)
    assert "raw/matsuoka2025/table1_patients.csv, row header, column 'months_observed'" in stderr
    assert "required column missing" in stderr


def test_unsigned_change_stops_the_run(tmp_path):
    workdir = copy_repo(tmp_path)
    table = workdir / "raw" / "matsuoka2025" / "table1_patients.csv"
    table.write_text(table.read_text().replace("P01,1,88,M,66", "P01,1,88,M,67"))
    result = run_snakemake(workdir)
    assert result.returncode != 0
    assert "checksum mismatch" in result.stderr and "python -m reanalysis.inputs.manifest sign" in result.stderr
    assert_nothing_written(workdir)


def test_config_typo_is_reported(tmp_path):
    workdir = copy_repo(tmp_path)
    config = workdir / "config" / "studies" / f"{STUDIES[0]}.yaml"
    config.write_text(config.read_text().replace("\nalpha: ", "\nalpah: ", 1))
    result = run_snakemake(workdir, "-n")
    assert result.returncode != 0
    # named like every input error: file, key path, value and the rule, with the likely fix
    out = result.stdout + result.stderr
    assert f"config/studies/{STUDIES[0]}.yaml, key 'alpah': unknown key (did you mean 'alpha'?)" in out
    assert "rule: allowed keys here:" in out


def test_recomputed_statistics_match_scipy_on_the_raw_table(finished_run):
    """Spot checks of the pipeline's output against scipy on the transcribed table."""
    from scipy import stats

    table = read_csv(ROOT / "raw" / "matsuoka2025" / "table1_patients.csv")
    before = [float(r["hba1c_before"]) for r in table]
    after = [float(r["hba1c_after"]) for r in table]
    reduction = [b - a for b, a in zip(before, after)]
    pair_mean = [(b + a) / 2 for b, a in zip(before, after)]
    recomputed = read_csv(finished_run / "results" / "recomputed" / "matsuoka2025.csv")

    def value(check, variant, statistic):
        return float(next(r["value"] for r in recomputed if (r["check"], r["variant"], r["statistic"])
                          == (check, variant, statistic)))

    assert value("overall_paired_p", "as_reported", "p") == pytest.approx(
        stats.ttest_rel(before, after).pvalue, rel=1e-9)
    # Oldham's method: change against the mean of before and after.
    assert value("baseline_reduction_r", "oldham", "r") == pytest.approx(
        stats.pearsonr(pair_mean, reduction).statistic, rel=1e-9)
    # Severe subgroup under the stated definition (baseline > 8%).
    severe = [i for i, b in enumerate(before) if b > 8.0]
    assert value("severe_paired_p", "as_reported", "p") == pytest.approx(
        stats.ttest_rel([before[i] for i in severe], [after[i] for i in severe]).pvalue, rel=1e-9)


def test_snakemake_report_still_works(finished_run, tmp_path):
    """Snakemake's own report bundles the report() outputs with their RST captions."""
    out = tmp_path / "snakemake_report.html"
    result = run_snakemake(finished_run, "--report", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert out.stat().st_size > 100_000
    assert "WARNING" not in result.stdout + result.stderr  # captions are valid RST
