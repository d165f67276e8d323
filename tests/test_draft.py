"""The draft transcription (reanalysis.onboarding.draft): proposals worked by hand for each pattern
family, the evaluation on line + numbers, the raw/ guard, and the recall target on the real
hand transcriptions."""
import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONFIG, PAPERS, ROOT, STUDIES
from reanalysis.onboarding import draft
from reanalysis.onboarding.draft import evaluate, main, propose, propose_line

RAW = ROOT / "raw"
RECALL_TARGET = 0.90  # summary rows, from the project's issue
# the studies with printed summaries, from config/studies/ (draft evaluate reads each one's
# summaries.csv); the first serves as the study drafted below
SUMMARY_STUDIES = [s for s in STUDIES if CONFIG["studies"][s]["design"] == "summary_level"]
STUDY = SUMMARY_STUDIES[0]


def cited_papers(study):
    """The source_file values a study's transcription cites (read here with csv)."""
    names = set()
    for path in (RAW / study).glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            names |= {r["source_file"] for r in csv.DictReader(fh) if r.get("source_file")}
    return names


def rows(text, **kw):
    """(form, reported, value) of every proposal on one line, checking each `reported` is
    the exact substring at [start:end]."""
    found = propose_line(text, **kw)
    for r in found:
        assert text[r["start"]:r["end"]] == r["reported"], r
    return [(r["form"], r["reported"], r["value"]) for r in found]


# --------------------------------------------------------------------------- families
def test_mean_plus_minus_sd():
    assert rows("HbA1c 9.02 ± 1.27% vs 8.89 ± 1.14%") == [
        ("mean_dispersion", "9.02 ± 1.27%", "9.02 ± 1.27"),
        ("mean_dispersion", "8.89 ± 1.14%", "8.89 ± 1.14")]
    assert rows("age 50.1 +/- 9.4 years, weight 3.5+/-1.2") == [
        ("mean_dispersion", "50.1 +/- 9.4", "50.1 ± 9.4"),
        ("mean_dispersion", "3.5+/-1.2", "3.5 ± 1.2")]
    assert rows("change -0.52 ± 0.31 and (−1.2 ± 0.4)") == [
        ("mean_dispersion", "-0.52 ± 0.31", "-0.52 ± 0.31"),
        ("mean_dispersion", "−1.2 ± 0.4", "-1.2 ± 0.4")]
    trailing_zero = propose_line("50.00 ± 9.38")[0]
    assert trailing_zero["value"] == "50.00 ± 9.38" and trailing_zero["numbers"] == ["50.00", "9.38"]


def test_mean_sd_markers_scale_and_lost_plus_minus():
    found = propose_line("6 months 119.1 ± 21.3 1.1 ± 0.2a 14.0 ± 3.1a,b")
    assert [(r["reported"], r["value"], r["marker"]) for r in found] == [
        ("119.1 ± 21.3", "119.1 ± 21.3", ""), ("1.1 ± 0.2a", "1.1 ± 0.2", "a"),
        ("14.0 ± 3.1a,b", "14.0 ± 3.1", "a,b")]
    plus = propose_line("Insulin requirement (U/day) 57.36 + 18.90 56.41 + 12.54 0.7819")
    assert [(r["form"], r["value"]) for r in plus] == [
        ("mean_dispersion", "57.36 ± 18.90"), ("mean_dispersion", "56.41 ± 12.54"), ("value", "0.7819")]
    assert "'+' read as '±'" in plus[0]["note"]
    scaled = propose_line("infused | 4.9 ± 3.10 × 10^8 | NA")
    assert scaled[0]["value"] == "4.9 ± 3.10" and "10^8" in scaled[0]["note"]
    assert rows("2 + 2 = 4") == [("value", "2", "2"), ("value", "2", "2"), ("value", "4", "4")]


def test_a_split_number_is_flagged_not_repaired():
    found = propose_line("1.81 ± 0.38, and 1.8 1 ± 0.29 ng/mL")
    last = found[-1]
    assert last["value"] == "1 ± 0.29" and "split by PDF extraction" in last["note"]
    assert "split" not in found[0]["note"]


def test_mean_sd_in_parentheses():
    assert rows("Age, mean (SD) 50.1 (9.4) 48 (10.1)") == [
        ("mean_dispersion", "50.1 (9.4)", "50.1 ± 9.4"),
        ("mean_dispersion", "48 (10.1)", "48 ± 10.1")]


def test_count_percent():
    assert rows("Gender (male) (n (%)) 28 (62.22%) 30 (68.18%) 0.5552") == [
        ("count_percent", "28 (62.22%)", "28 (62.22)"),
        ("count_percent", "30 (68.18%)", "30 (68.18)"),
        ("value", "0.5552", "0.5552")]
    assert rows("Overall, 13.5% (5/37) patients, 5/37 (13.5%) and 7/10 patients") == [
        ("count_percent", "13.5% (5/37)", "5 (13.5)"),
        ("count_percent", "5/37 (13.5%)", "5 (13.5)"),
        ("count", "7/10", "7")]
    assert propose_line("7/10 patients")[0]["numbers"] == ["7", "10"]


def test_percent():
    assert rows("20% of the patients in the UC-MSCs group and 4.55% in the placebo group") == [
        ("percent", "20%", "20"), ("percent", "4.55%", "4.55")]


def test_median_iqr():
    assert rows("94.5 (87.7-103.4) 6.9 [6.4–7.1] 14.0 (0.0-30.0)a,b 35 (IQR 20–50)") == [
        ("median_iqr", "94.5 (87.7-103.4)", "94.5 (87.7-103.4)"),
        ("median_iqr", "6.9 [6.4–7.1]", "6.9 (6.4-7.1)"),
        ("median_iqr", "14.0 (0.0-30.0)a,b", "14.0 (0.0-30.0)"),
        ("median_iqr", "35 (IQR 20–50)", "35 (20-50)")]


def test_ranges():
    assert rows("insulin-free at 8–24  weeks (12 ± 7.6  weeks); 50–60 mL") == [
        ("range", "8–24", "8-24"), ("mean_dispersion", "12 ± 7.6", "12 ± 7.6"),
        ("range", "50–60", "50-60")]
    assert rows("(range: 6-68 months), with values ranging from 6.3% to 12.4%") == [
        ("range", "range: 6-68", "6-68"), ("range", "ranging from 6.3% to 12.4%", "6.3-12.4")]


def test_p_values():
    line = ("p = 0.0081, P < 0.05, p˃0.05; p ˃  0.05, p ≤ 0.001, P ≥ 0.05, p-value <0.05, "
            "P value: 0.351")
    assert rows(line) == [
        ("p_value", "p = 0.0081", "0.0081"), ("p_value", "P < 0.05", "< 0.05"),
        ("p_value", "p˃0.05", "> 0.05"), ("p_value", "p ˃  0.05", "> 0.05"),
        ("p_value", "p ≤ 0.001", "<= 0.001"), ("p_value", "P ≥ 0.05", ">= 0.05"),
        ("p_value", "p-value <0.05", "< 0.05"), ("p_value", "P value: 0.351", "0.351")]
    assert all(r["table"] == "claims" for r in propose_line(line))
    # a figure's legend defines marks, it reports nothing
    assert rows("*p < 0.05, **p < 0.01, ***p < 0.001 between both groups; #p < 0.05") == []


def test_confidence_intervals():
    assert rows("endpoint (p < 0.05, 95% confidence interval (CI) 2.25–28.66%). The") == [
        ("p_value", "p < 0.05", "< 0.05"),
        ("ci", "95% confidence interval (CI) 2.25–28.66%", "2.25 to 28.66")]
    found = propose_line("difference 1.5 (95% CI, -1.2 to 3.4) and 95% CI: 0.8–1.9")
    assert [(r["form"], r["value"], r["label"]) for r in found] == [
        ("value", "1.5", ""), ("ci", "-1.2 to 3.4", "95% CI"), ("ci", "0.8 to 1.9", "95% CI")]
    assert found[1]["numbers"] == ["-1.2", "3.4"]


def test_test_statistics():
    found = propose_line("t(28) = 2.20, p = 0.036; F(2, 28) = 3.1; χ2(1) = 4.2, r = .22, z = 1.96")
    assert [(r["form"], r["label"], r["value"]) for r in found] == [
        ("statistic", "t(28)", "2.20"), ("p_value", "", "0.036"), ("statistic", "F(2, 28)", "3.1"),
        ("statistic", "χ2(1)", "4.2"), ("statistic", "r", "0.22"), ("statistic", "z", "1.96")]


def test_mean_with_its_dispersion_in_parentheses():
    """'mean ± (SD)' cells, and 'mean (± SD)'."""
    assert rows("HbA1c | 8.1 ± (1.2) | 7.9 ± (1.1) | 12 ± ( 3 )") == [
        ("mean_dispersion", "8.1 ± (1.2)", "8.1 ± 1.2"), ("mean_dispersion", "7.9 ± (1.1)", "7.9 ± 1.1"),
        ("mean_dispersion", "12 ± ( 3 )", "12 ± 3")]
    assert rows("Weight 79 (± 18.9) kg and 72.1 (±8.4)") == [
        ("mean_dispersion", "79 (± 18.9)", "79 ± 18.9"), ("mean_dispersion", "72.1 (±8.4)", "72.1 ± 8.4")]


TABLE = """Table 2 Baseline by group
Data are mean ± (SD), n (%) or median (range).
Characteristic | Group A (n = 30) | Group B (n = 30) | P value
Age (years) | 57 (5.8) | 49 (9.6) | <0.0001
Weight (kg) | 79 ± (18.9) | 72 ± (8.4) | < 0.0001
Male | 12 (40.0) | 14 (46.7) | 0.6
Follow-up (months) | 35 (6–68) | 30 (2–70) | 0.41
HbA1c (%), median (IQR) | 6.9 (6.4–7.1) | 7.0 (6.5–7.5) | 0.352
Fig. 1 Flow of patients
Age 57 (5.8) and 0.6""".split("\n")


def test_a_tables_header_says_what_its_cells_are():
    """The caption's 'mean ± (SD), n (%) or median (range)' and the header's 'P value'
    column: means (SD) with whole means, counts (%) where the label names people, medians
    with their range, and every cell of the p column a claim ('<0.0001' too). A row's own
    label ('median (IQR)') wins over the caption; after the figure caption the table no
    longer applies."""
    found = [(r["source_line"], r["form"], r["reported"], r["value"], r["table"])
             for r in propose(TABLE, "t.txt")]
    assert found == [
        (3, "count", "n = 30", "30", "summaries"), (3, "count", "n = 30", "30", "summaries"),
        (4, "mean_dispersion", "57 (5.8)", "57 ± 5.8", "summaries"),
        (4, "mean_dispersion", "49 (9.6)", "49 ± 9.6", "summaries"),
        (4, "p_value", "<0.0001", "< 0.0001", "claims"),
        (5, "mean_dispersion", "79 ± (18.9)", "79 ± 18.9", "summaries"),
        (5, "mean_dispersion", "72 ± (8.4)", "72 ± 8.4", "summaries"),
        (5, "p_value", "< 0.0001", "< 0.0001", "claims"),
        (6, "count_percent", "12 (40.0)", "12 (40.0)", "summaries"),
        (6, "count_percent", "14 (46.7)", "14 (46.7)", "summaries"),
        (6, "p_value", "0.6", "0.6", "claims"),
        (7, "median_range", "35 (6–68)", "35 (6-68)", "summaries"),
        (7, "median_range", "30 (2–70)", "30 (2-70)", "summaries"),
        (7, "p_value", "0.41", "0.41", "claims"),
        (8, "median_iqr", "6.9 (6.4–7.1)", "6.9 (6.4-7.1)", "summaries"),
        (8, "median_iqr", "7.0 (6.5–7.5)", "7.0 (6.5-7.5)", "summaries"),
        (8, "p_value", "0.352", "0.352", "claims"),
        (10, "count_percent", "57 (5.8)", "57 (5.8)", "summaries"),
        (10, "value", "0.6", "0.6", "summaries")]


def test_a_p_column_without_cell_borders_is_its_last_number():
    lines = ["Table 1 Baseline characteristics", "Characteristics Drug (N = 45) Placebo (N = 46) p-value",
             "Age (years) 50.00 ± 9.38 50.45 ± 8.03 0.8068", "Male 28 (62.22%) 30 (68.18%) <0.001",
             "the two groups were balanced in every respect and nothing else was reported here",
             "HbA1c fell from 9.1 to 8.0 and then 0.5"]
    found = [(r["source_line"], r["form"], r["value"]) for r in propose(lines, "t.txt")
             if r["form"] in ("p_value", "value")]
    # a line of prose ends the table: its last number stays a value
    assert found == [(3, "p_value", "0.8068"), (4, "p_value", "< 0.001"), (6, "value", "9.1"),
                     (6, "value", "8.0"), (6, "value", "0.5")]


def test_median_range_in_words():
    assert rows("follow-up 35 (range 6–68) and 12 [min–max 3–40]") == [
        ("median_range", "35 (range 6–68)", "35 (6-68)"), ("median_range", "12 [min–max 3–40]", "12 (3-40)")]
    assert rows("Duration, median (range) 35 (6-68)") == [("median_range", "35 (6-68)", "35 (6-68)")]
    assert rows("Duration, median (IQR) 35 (20-50)") == [("median_iqr", "35 (20-50)", "35 (20-50)")]


def test_counts_in_digits_and_words():
    assert rows("assigned (n = 45) or placebo (N = 46). Two patients were withdrawn; six patients") == [
        ("count", "n = 45", "45"), ("count", "N = 46", "46"),
        ("count", "Two", "2"), ("count", "six", "6")]
    assert rows("No patient in the placebo group; hospitalized for a month; a 17‑year‑old") == [
        ("count", "No patient", "0"), ("value", "a month", "1"), ("value", "17", "17")]
    assert rows("one of the patients") == []


def test_single_values_and_dates():
    line = "(November 2016) and in 2009 at the age of 15 with HbA1c level of 11.5; (0.2 ng/mL)"
    assert rows(line) == [("value", "2016", "2016"), ("value", "15", "15"),
                          ("value", "11.5", "11.5"), ("value", "0.2", "0.2")]
    # a month and year split over two lines still dates the year
    assert [r["value"] for r in propose(["treatment (October", "2017). There"], "x.txt")] == ["2017"]


def test_not_numbers_of_interest():
    assert rows("T2DM HbA1c [18, 19] Table 2 Fig. 2A et al. 2013a CD34+ NCT02302599 IL-6") == []
    assert rows("HbA1c < 7.0% and daily insulin reduction ≥ 50%") == []
    assert rows("HbA1c < 7.0%", thresholds=True) == [("threshold", "< 7.0%", "< 7.0")]


def test_time_points_are_not_values():
    assert rows("compared at 9, 20, 32, and 48 weeks (p < 0.01)") == [("p_value", "p < 0.01", "< 0.01")]
    # a list broken across lines, and a table row's label
    assert propose(["were lower at 9,", "20, 32, and 48 weeks"], "x.txt") == []
    assert rows("9 weeks 8.89 2.27 0.3607") == [
        ("value", "8.89", "8.89"), ("value", "2.27", "2.27"), ("value", "0.3607", "0.3607")]
    # a duration stays: it may be the value
    assert rows("an interval of 45 days") == [("value", "45", "45")]


def test_table_cells():
    line = "Age | 57.83 ± 5.84 | 49.85 ± 9.63 | NA | 0.351"
    found = propose_line(line)
    assert [(r["cell"], r["form"], r["value"]) for r in found] == [
        (1, "mean_dispersion", "57.83 ± 5.84"), (2, "mean_dispersion", "49.85 ± 9.63"),
        (3, "not_available", "N/A"), (4, "value", "0.351")]
    # a table cell of 2000 is a number, not a year
    assert [r["value"] for r in propose_line("| M | 66 | 2000 | 7.2 | 4.6 | 51 |")] == [
        "66", "2000", "7.2", "4.6", "51"]
    assert rows("Baseline  N/A 0.29 ± 0.05 6.5 ± 0.4 (IU/kg/day)") == [
        ("not_available", "N/A", "N/A"), ("mean_dispersion", "0.29 ± 0.05", "0.29 ± 0.05"),
        ("mean_dispersion", "6.5 ± 0.4", "6.5 ± 0.4")]


def test_propose_numbers_lines_from_one():
    found = propose(["Abstract", "", "HbA1c 9.02 ± 1.27%"], "paper.txt")
    assert [(r["source_file"], r["source_line"], r["value"]) for r in found] == [
        ("paper.txt", 3, "9.02 ± 1.27")]


# --------------------------------------------------------------------------- evaluation
def _write(path: Path, header: list[str], data: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(data)


def test_evaluate_matches_line_and_numbers_not_text(tmp_path):
    papers, raw = tmp_path / "papers", tmp_path / "raw"
    (raw / "toy").mkdir(parents=True)
    papers.mkdir()
    (papers / "000_0000000000000000.txt").write_text(
        "Abstract\nHbA1c 9.02 ± 1.27% vs 8.89 ± 1.11% (p = 0.0081)\n28 (62.22%) and 30\n"
        "Discussion 12.5 ± 3\n", encoding="utf-8")
    f = "000_0000000000000000.txt"
    _write(raw / "toy" / "summaries.csv", ["value_id", "source_file", "source_line", "reported", "value", "form"], [
        {"value_id": "T-A", "source_file": f, "source_line": 2, "reported": "9.02 ± 1.27%",
         "value": "9.02 ± 1.27", "form": "mean_dispersion"},
        # same text, other numbers (a typo in the transcription): not found
        {"value_id": "T-B", "source_file": f, "source_line": 2, "reported": "8.89 ± 1.11%",
         "value": "8.89 ± 1.12", "form": "mean_dispersion"},
        # right numbers, wrong line: not found
        {"value_id": "T-C", "source_file": f, "source_line": 2, "reported": "28 (62.22%)",
         "value": "28 (62.22)", "form": "count_percent"}])
    _write(raw / "toy" / "claims.csv", ["claim_id", "source_file", "source_line", "reported", "claim", "claim_basis"], [
        {"claim_id": "T-P-01", "source_file": f, "source_line": 2, "reported": "p = 0.0081",
         "claim": "0.0081", "claim_basis": "verbatim"},
        {"claim_id": "T-P-02", "source_file": f, "source_line": 2, "reported": "p = 0.0081",
         "claim": "< 0.0081", "claim_basis": "verbatim"},      # relation differs: not found
        {"claim_id": "T-P-03", "source_file": f, "source_line": 3, "reported": "balanced",
         "claim": ">= 0.05", "claim_basis": "interpreted"}])   # not printed: not counted
    res = evaluate(raw, papers)
    toy = res["studies"]["toy"]
    assert (toy["summary"]["found"], toy["summary"]["rows"]) == (1, 3)
    assert (toy["claims"]["found"], toy["claims"]["rows"], toy["claims"]["not_counted"]) == (1, 2, 1)
    # span = lines 2-3: 3 proposals on line 2, 2 on line 3; line 4 (Discussion) is outside.
    # matched: 9.02 ± 1.27 and p = 0.0081; not: 8.89 ± 1.11, 28 (62.22), 30
    assert (toy["precision"]["matched"], toy["precision"]["proposed"]) == (2, 5)
    assert res["overall"]["summary"]["recall"] == pytest.approx(1 / 3)
    assert {m["id"] for m in toy["misses"]} == {"T-B", "T-C", "T-P-02"}


@pytest.fixture(scope="module")
def real_result():
    assert PAPERS.is_dir(), f"the source papers are expected at {PAPERS} (set REANALYSIS_SHARED)"
    return evaluate(RAW, PAPERS)


def test_recall_on_the_hand_transcriptions(real_result):
    studies = real_result["studies"]
    assert sorted(studies) == sorted(Path(CONFIG["studies"][s]["table"]).parent.name for s in SUMMARY_STUDIES)
    overall = real_result["overall"]
    assert overall["summary"]["rows"] == sum(s["summary"]["rows"] for s in studies.values())
    assert overall["summary"]["recall"] >= RECALL_TARGET, draft.format_misses(real_result)
    for name, res in studies.items():
        assert 0 <= res["precision"]["precision"] <= 1, name
    print("\n" + draft.format_table(real_result))


# --------------------------------------------------------------------------- raw/ is never written
def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_out_path_refuses_raw(tmp_path):
    with pytest.raises(draft.DraftError, match="not written into"):
        draft.check_out_path(RAW / STUDY / "draft.csv", [RAW])
    with pytest.raises(draft.DraftError):
        draft.check_out_path(RAW, [RAW])
    assert draft.check_out_path(tmp_path / "draft.csv", [RAW]) == (tmp_path / "draft.csv").resolve()


def test_draft_never_writes_into_raw(tmp_path, capsys):
    before = _digest(RAW)
    out = tmp_path / "drafts" / f"{STUDY}.csv"
    assert main(["draft", STUDY, "--papers", str(PAPERS), "--raw", str(RAW), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("wrote ")
    with out.open(encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert written and list(written[0]) == draft.COLUMNS
    assert {r["source_file"] for r in written} <= cited_papers(STUDY)
    assert main(["draft", STUDY, "--papers", str(PAPERS), "--raw", str(RAW)]) == 0     # to stdout
    assert capsys.readouterr().out.splitlines()[0].split(",") == draft.COLUMNS
    # a copy of raw/ given with --raw is guarded too: the command refuses and writes nothing
    copy = tmp_path / "raw"
    (copy / STUDY).mkdir(parents=True)
    for p in (RAW / STUDY).glob("*.csv"):
        (copy / STUDY / p.name).write_bytes(p.read_bytes())
    target = copy / STUDY / "draft.csv"
    assert main(["draft", STUDY, "--raw", str(copy), "--papers", str(PAPERS), "--out", str(target)]) == 2
    assert not target.exists()
    assert "not written into" in capsys.readouterr().err
    assert _digest(RAW) == before


def test_draft_a_new_study_from_its_paper(tmp_path, capsys):
    paper = tmp_path / "new.txt"
    paper.write_text("Age | 57.83 ± 5.84 | 49.85 ± 9.63 | 0.351\n", encoding="utf-8")
    assert main(["draft", "newstudy", "--paper", str(paper)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",") == draft.COLUMNS and len(lines) == 4
    assert main(["draft", "newstudy", "--raw", str(tmp_path)]) == 2      # no rows, no --paper


def test_project_cli_argv_reaches_both_subcommands(capsys):
    # python -m reanalysis draft ... hands its whole argv on, "draft" included
    assert main(["draft", "evaluate", "--papers", str(PAPERS), "--raw", str(RAW)]) == 0
    assert "overall" in capsys.readouterr().out
    assert main(["draft", STUDY, "--papers", str(PAPERS), "--raw", str(RAW)]) == 0
    assert capsys.readouterr().out.startswith(",".join(draft.COLUMNS))


def test_module_entry_point_prints_the_table():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "workflow"), "REANALYSIS_SHARED": str(PAPERS.parent)}
    done = subprocess.run([sys.executable, "-m", "reanalysis.onboarding.draft", "evaluate"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "overall" in done.stdout
    assert all(study in done.stdout for study in SUMMARY_STUDIES)
