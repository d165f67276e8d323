"""reanalysis.corpus.validity: the pipeline, run by snakemake on a tiny synthetic corpus (ledger target
only), finds the injected errors and calls no clean item discrepant; and the scoring rules
count what DETECTION says."""
import shutil
import subprocess
import sys

import pytest

from reanalysis.corpus import synth, validity

STUDIES, SEED = 2, 5   # one summary-level trial and one patient-level study
ENSURE = ("decision_error", "grim_impossible", "stat_decision_error", "stat_wrong_p")


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("validity")
    scored, text, stat_counts = validity.validate(workdir, STUDIES, SEED, error_rate=0.1, ensure=ENSURE)
    return workdir, scored, text, stat_counts


def test_no_clean_item_is_discrepant(validated):
    _, scored, text, _ = validated
    summary = validity.summarise(scored)
    assert summary["clean"] > 50
    assert summary["false_discrepant"] == 0, text
    assert summary["missing"] == [], "every printed item has a ledger row"


def test_the_decision_error_and_the_grim_error_are_detected(validated):
    _, scored, text, _ = validated
    for kind in ENSURE[:2]:
        rows = [r for r in scored if r["error"] == kind]
        assert rows, kind
        assert all(r["detected"] for r in rows), text
    summary = validity.summarise(scored)
    assert summary["must_detected"] == summary["must_detect"], text
    assert validity.targets_met(scored)


def test_the_report_and_the_scores_are_written(validated):
    workdir, scored, text, _ = validated
    assert (workdir / "results" / "audit" / "claims.csv").is_file()
    assert not (workdir / "results" / "report.html").exists(), "only the ledger target is built"
    assert (workdir / "validity.md").read_text(encoding="utf-8") == text
    assert "false discrepant" in text and "| **decision_error** |" in text
    lines = (workdir / "validity.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(scored) + 1


def test_one_batch_writes_the_same_ledger_as_one_job_a_study(validated, tmp_path):
    """Two studies: synth gives each its own job (at least four jobs, at most one study
    each); the same corpus in one batch, both designs in one job, gives the same ledger."""
    workdir, _, _, _ = validated
    assert synth.studies_per_job(STUDIES) == 1
    assert len(list((workdir / "results" / "audit" / "studies").glob("*.csv"))) == STUDIES
    copy = tmp_path / "copy"
    shutil.copytree(workdir, copy, ignore=shutil.ignore_patterns("results", ".snakemake"))
    config = copy / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "studies_per_job: 1\n" in text
    config.write_text(text.replace("studies_per_job: 1\n", f"studies_per_job: {STUDIES}\n"), encoding="utf-8")
    assert validity.run_pipeline(copy).returncode == 0
    assert len(list((copy / "results" / "audit" / "studies").glob("*.csv"))) == 1
    ledger = "results/audit/claims.csv"
    assert (copy / ledger).read_bytes() == (workdir / ledger).read_bytes()


def test_the_command_line_prints_the_table_and_exits_zero(tmp_path):
    result = subprocess.run([sys.executable, "-m", "reanalysis.corpus.validity", "--studies", "1", "--seed", "2",
                             "--workdir", str(tmp_path / "cli"), "--ensure", "duplicate"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| **duplicate** | all | | 1 | 1/1 (100%) |" in result.stdout
    assert "discrepant (false discrepant): 0/" in result.stdout


def _truth(**fields):
    base = {k: "" for k in synth.TRUTH_COLUMNS}
    return {**base, "study": "s", "must_detect": "true", **fields}


def _ledger(claim_id, verdict, statistic="p", variant="as_reported", decision_error="", note=""):
    return {"study": "s", "claim_id": claim_id, "variant": variant, "verdict": verdict,
            "statistic": statistic, "decision_error": decision_error, "note": note}


def test_scoring_follows_the_rules_of_detection():
    truth = [
        _truth(id="A", error="clean"),
        _truth(id="B", error="decision_error", detect_rule="decision_error", detect_by="B"),
        _truth(id="C", error="grim_impossible", detect_rule="discrepant", detect_by="C", detect_statistic="grim"),
        _truth(id="D", error="mistyped_mean", detect_rule="discrepant", detect_by="D;E"),
        _truth(id="E", error="affected", caused_by="D"),
        _truth(id="F", error="duplicate", detect_rule="flagged", detect_by="F"),
        _truth(id="G", error="wrong_p", detect_rule="discrepant", detect_by="G"),
        # a paired p the printed means ± SD cannot refute (some r gives it): not a must
        _truth(id="H", error="decision_error", detect_rule="decision_error", detect_by="H",
               must_detect="false", where="paired_from_summary"),
    ]
    ledger = [
        _ledger("A", "discrepant", variant="rounding_truncate"),   # another reading: not counted
        _ledger("A", "consistent"),
        _ledger("B", "discrepant", decision_error="false"),        # discrepant, but no flip: missed
        _ledger("C", "consistent", statistic="grim"),
        _ledger("C", "discrepant", statistic="grimmer"),           # GRIMMER alone is not GRIM
        _ledger("D", "unverifiable", statistic=""),
        _ledger("E", "discrepant"),                                # seen through its p-value
        _ledger("F", "unverifiable", statistic="", note="duplicate: '8.12' in 2 places"),
        _ledger("G", "discrepant"),
        _ledger("H", "consistent"),
    ]
    scored = {r["id"]: r for r in validity.score(ledger, truth)}
    assert not scored["A"]["discrepant"]
    assert scored["B"]["discrepant"] and not scored["B"]["detected"]
    assert not scored["C"]["detected"]
    assert scored["D"]["detected"] and not scored["D"]["at_item"]
    assert scored["F"]["detected"] and scored["G"]["detected"]
    summary = validity.summarise(list(scored.values()))
    assert summary["false_discrepant"] == 0 and summary["affected_discrepant"] == 1
    assert (summary["must_detect"], summary["must_detected"]) == (5, 3)
    # B and H injected, B one the print shows, neither detected
    assert (summary["decision_errors"], summary["decision_errors_shown"],
            summary["decision_errors_shown_detected"]) == (2, 1, 0)
    assert not validity.targets_met(list(scored.values()))


def test_the_text_scan_finds_the_printed_statistics_and_their_errors(validated):
    workdir, _, text, counts = validated
    assert counts["statistics"] >= 10 and counts["recall"] >= 0.99 and counts["precision"] >= 0.99, text
    assert counts["false_discrepant"] == 0, text
    assert counts["decision_errors"] >= 1 and counts["decision_errors_detected"] == counts["decision_errors"], text
    assert counts["must_detected"] == counts["must_detect"] >= 2, text
    assert validity.statistics_targets_met(counts)
    assert "## Printed test statistics (the text scan)" in text and "| **stat_wrong_p**" in text
    rows = (workdir / "validity_statistics.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == counts["statistics"] + 1


def test_scoring_the_statistics_follows_its_rules():
    def truth(line, error="clean", must=""):
        return {"study": "s", "line": str(line), "printed": f"t(9) = {line}, p = .5", "error": error,
                "must_detect": must}

    def scanned(line, verdict, decision="false", variant="as_reported", printed=None):
        return {"study": "s", "claim_id": f"SCAN-L{line}-1", "variant": variant, "source_line": str(line),
                "reported": printed or f"t(9) = {line}, p = .5", "verdict": verdict, "decision_error": decision}

    stat_truth = [truth(1), truth(2, "stat_decision_error", "true"), truth(3, "stat_wrong_p", "true"),
                  truth(4, "stat_wrong_df", "false"), truth(5)]
    ledger = [scanned(1, "reproduced"), scanned(1, "discrepant", variant="one_tailed"),  # a reading: not counted
              scanned(2, "discrepant", "false"),                                        # no flip: missed
              scanned(3, "discrepant"), scanned(4, "reproduced"),
              scanned(6, "reproduced"),                                                 # no printed statistic
              {**scanned(7, "discrepant"), "claim_id": "S-T1-01"}]                      # not the scan's
    scored, counts = validity.score_statistics(ledger, stat_truth)
    assert [r["found"] for r in scored] == [True, True, True, True, False]
    assert [r["detected"] for r in scored] == ["", False, True, False, ""]
    assert (counts["found"], counts["statistics"], counts["extracted_true"], counts["extracted"]) == (4, 5, 4, 5)
    assert counts["false_discrepant"] == 0 and (counts["must_detect"], counts["must_detected"]) == (2, 1)
    assert not validity.statistics_targets_met(counts)
