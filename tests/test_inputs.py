"""Strict reading of raw tables, claims and the checksum manifest: bad input is named."""
import shutil

import pytest
import yaml

from conftest import ROOT
from reanalysis.errors import InputError
from reanalysis.inputs.tables import load_schema, read_table
from reanalysis.audit.ledger import load_claims
from reanalysis.inputs.manifest import SIGN_COMMAND, sha256, sign, verify

TABLE = ROOT / "raw" / "matsuoka2025" / "table1_patients.csv"
SCHEMA = load_schema(ROOT / "raw" / "matsuoka2025" / "table.schema.yaml")
CLAIMS = ROOT / "raw" / "matsuoka2025" / "claims.csv"
CLAIMS_SCHEMA = ROOT / "workflow" / "schemas" / "claims.schema.yaml"
STUDY = yaml.safe_load((ROOT / "config" / "studies" / "matsuoka2025.yaml").read_text())  # a fixture


def edited(tmp_path, text_edit=None, raw_bytes=None, name="table.csv"):
    path = tmp_path / name
    if raw_bytes is not None:
        path.write_bytes(raw_bytes)
    else:
        path.write_text(text_edit(TABLE.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def replace_cell(text, row_id, column, new):
    lines = text.split("\n")
    header = lines[0].split(",")
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[0] == row_id:
            cells[header.index(column)] = new
            lines[i] = ",".join(cells)
    return "\n".join(lines)


def test_the_transcribed_table_reads():
    rows = read_table(TABLE, SCHEMA)
    assert len(rows) == 58
    assert rows[0]["hba1c_before"] == 7.5 and rows[0]["age"] == 66


# (edit, words the message must contain). P05 is the fifth data row, file line 6.
CELL_CASES = [
    ("hba1c_before", '"7,5"', ["row 5 (line 6)", "'hba1c_before'", "'7,5'", "decimal comma"]),
    ("hba1c_after", "\u22121.2", ["row 5", "'hba1c_after'", "unicode minus"]),
    ("hba1c_before", "nan", ["row 5", "'hba1c_before'", "'nan'", "not a finite number"]),
    ("months_observed", "inf", ["row 5", "'months_observed'", "not a finite number"]),
    ("hba1c_before", "25.1", ["row 5", "'hba1c_before'", "'25.1'", "maximum 20"]),
    ("age", "130", ["row 5", "'age'", "'130'", "maximum 120"]),
    ("age", "66.5", ["row 5", "'age'", "not a whole number"]),
    ("dose_million_cells", "0", ["row 5", "'dose_million_cells'", "exclusiveMinimum 0"]),
    ("months_observed", "-1", ["row 5", "'months_observed'", "minimum 0"]),
    ("sex", "X", ["row 5", "'sex'", "'X'", "enum"]),
    ("hba1c_after", "", ["row 5", "'hba1c_after'", "empty cell"]),
    ("hba1c_after", "abc", ["row 5", "'hba1c_after'", "'abc'", "not a plain decimal number"]),
    ("row_id", "P01", ["row 5", "'row_id'", "duplicate id", "first at row 1"]),
]


@pytest.mark.parametrize("column,value,words", CELL_CASES)
def test_bad_cells_are_named(tmp_path, column, value, words):
    path = edited(tmp_path, lambda t: replace_cell(t, "P05", column, value))
    with pytest.raises(InputError) as info:
        read_table(path, SCHEMA)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("make,words", [
    (lambda t: t.replace("hba1c_after,", "", 1), ["header", "required column missing", "'hba1c_after'"]),
    (lambda t: t.replace("repair_note", "repair_note,extra", 1), ["unknown column", "'extra'"]),
    (lambda t: t.replace(",", ";"), ["header is not comma-separated"]),
    (lambda t: t.replace("\nP10,", "\n\nP10,", 1), ["row 10 (line 11)", "blank line"]),
    (lambda t: t.replace("P03,3,90,M,71,100,7.6,6.7,45,", "P03,3,90,M,71", 1), ["row 3", "has 5 cells"]),
    (lambda t: t.replace("P05,5,92,M,76,2000,6.8,", "P05,5,92,M,76,2000,6,8,", 1),
     ["row 5", "has 11 cells", "unquoted decimal comma"]),
    (lambda t: "", ["file is empty"]),
    (lambda t: t.split("\n")[0] + "\n", ["no data rows"]),
])
def test_bad_structure_is_named(tmp_path, make, words):
    path = edited(tmp_path, make)
    with pytest.raises(InputError) as info:
        read_table(path, SCHEMA)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_bom_and_missing_file(tmp_path):
    path = edited(tmp_path, raw_bytes=b"\xef\xbb\xbf" + TABLE.read_bytes())
    with pytest.raises(InputError, match="byte-order mark"):
        read_table(path, SCHEMA)
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "absent.csv", SCHEMA)


def test_claims_validate_against_the_config():
    claims = load_claims(CLAIMS, CLAIMS_SCHEMA, STUDY)
    assert len(claims) == len(CLAIMS.read_text().strip().split("\n")) - 1


@pytest.mark.parametrize("old,new,words", [
    # a verbatim claim whose number is not in the printed text (a transcription slip)
    (",7.49,verbatim,", ",7.94,verbatim,", ["claim's number is not in the printed text", "'7.94'"]),
    (",overall_paired_p,", ",overall_paired_pp,", ["unknown check", "'overall_paired_pp'"]),
    (",< 0.0001,", ",< 0.0001x,", ["column 'claim'", "cannot read as claim"]),
])
def test_bad_claims_are_named(tmp_path, old, new, words):
    text = CLAIMS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "claims.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_claims(path, CLAIMS_SCHEMA, STUDY)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_manifest_detects_a_change_and_names_the_fix(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    assert "matsuoka2025/table1_patients.csv" in verify(raw)
    target = raw / "matsuoka2025" / "table1_patients.csv"
    expected = sha256(target)
    target.write_text(target.read_text().replace("P01,1,88,M,66", "P01,1,88,M,67"))
    with pytest.raises(InputError) as info:
        verify(raw)
    message = str(info.value)
    assert str(target) in message and expected in message and sha256(target) in message
    assert SIGN_COMMAND in message
    sign(raw)  # the deliberate re-sign makes it pass again
    verify(raw)


def test_manifest_rejects_unsigned_and_missing_files(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    (raw / "matsuoka2025" / "extra.csv").write_text("a\n1\n")
    with pytest.raises(InputError, match="not in the checksum manifest"):
        verify(raw)
    (raw / "matsuoka2025" / "extra.csv").unlink()
    (raw / "matsuoka2025" / "claims.csv").unlink()
    with pytest.raises(InputError, match="listed in the checksum manifest is missing"):
        verify(raw)


def test_check_with_unknown_subset_is_named():
    from copy import deepcopy

    from reanalysis.audit.patient_level import validate_checks

    validate_checks(STUDY)  # the real config passes
    study = deepcopy(STUDY)
    study["checks"]["moderate_mean_reduction"]["subset"] = "severity.moderat"
    with pytest.raises(InputError) as info:
        validate_checks(study)
    assert "moderate_mean_reduction" in str(info.value) and "'severity.moderat'" in str(info.value)


def test_a_study_reading_an_unsigned_file_is_stopped(tmp_path):
    from reanalysis.inputs.manifest import verify_study

    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    table = raw / "matsuoka2025" / "table1_patients.csv"
    assert verify_study(raw, "matsuoka2025", [str(table), str(raw / "matsuoka2025" / "claims.csv")])
    outside = tmp_path / "table.csv"  # a copy kept outside raw/: never signed
    shutil.copy(table, outside)
    with pytest.raises(InputError) as info:
        verify_study(raw, "matsuoka2025", [str(outside)])
    assert str(outside) in str(info.value) and "not signed in the manifest" in str(info.value)
    assert SIGN_COMMAND in str(info.value)


# --------------------------------------------------------------------------- printed summaries
# A small summaries table written here (value_id, outcome, arm, n, value, form, dispersion).
SUMMARIES_SCHEMA = ROOT / "workflow" / "schemas" / "summaries.schema.yaml"
SUMMARY_COLUMNS = ["value_id", "source_file", "source_line", "location", "outcome", "quantity", "group",
                   "arm", "timepoint", "n", "reported", "value", "form", "dispersion", "same_as", "marker",
                   "repair_note", "note"]


def summaries_study(tmp_path, rows, **study):
    import csv

    path = tmp_path / "summaries.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SUMMARY_COLUMNS)
        for i, (vid, outcome, arm, n, value, form, disp) in enumerate(rows, start=1):
            w.writerow([vid, "paper.txt", i, "Text", outcome, outcome, "", arm, "bl", n, value, value, form,
                        disp, "", "", "", ""])
    return {"design": "summary_level", "alpha": 0.05, "checks": {}, **study, "table": str(path),
            "table_schema": str(SUMMARIES_SCHEMA)}


def recomputed(study):
    from reanalysis.audit import summary_level as sl

    rows = sl.load_summaries(study)
    sl.validate_checks(study, rows)
    return rows, sl.recompute(rows, study, "synthetic")


def one(stats, check, statistic, variant="as_reported"):
    sel = stats[(stats.check == check) & (stats.variant == variant) & (stats.statistic == statistic)]
    assert len(sel) == 1, stats[stats.check == check]
    return sel.iloc[0]


# (printed value, the statistic as statcheck reads it, p at the printed statistic worked with scipy)
def _t2(t, df):
    from scipy import stats as st
    return 2 * st.t.sf(abs(t), df)


def _r2(r, df):  # a correlation's t: r sqrt(df / (1 - r^2)), two-tailed
    return _t2(r * (df / (1 - r * r)) ** 0.5, df)


STATISTIC_FORMS = [
    ("F(4,76) = 0.37, P = 0.82", "F(4,76) = 0.37", lambda st: st.f.sf(0.37, 4, 76)),
    ("F(4, 76) = 0.37", "F(4, 76) = 0.37", lambda st: st.f.sf(0.37, 4, 76)),
    ("F(2,28) < 3.1, p > .05", "F(2,28) < 3.1", lambda st: st.f.sf(3.1, 2, 28)),
    ("t(28) = 2.20", "t(28) = 2.20", lambda st: _t2(2.20, 28)),
    ("t(28) = -2.20, p = .036", "t(28) = -2.20", lambda st: _t2(2.20, 28)),
    ("t = 2.20, df = 28, p = 0.04", "t(28) = 2.20", lambda st: _t2(2.20, 28)),
    ("χ²(2) = 8.50", "χ²(2) = 8.50", lambda st: st.chi2.sf(8.50, 2)),
    ("χ2(2, N = 1,120) = 8.50, p = .014", "χ2(2, N = 1,120) = 8.50", lambda st: st.chi2.sf(8.50, 2)),
    ("chi2(1) = 3.84, ns", "chi2(1) = 3.84", lambda st: st.chi2.sf(3.84, 1)),
    ("r(28) = .22, p = .26", "r(28) = .22", lambda st: _r2(0.22, 28)),
    ("Z = 1.96", "Z = 1.96", lambda st: 2 * st.norm.sf(1.96)),
]


@pytest.mark.parametrize("value,read,expected_p", STATISTIC_FORMS, ids=[v for v, _, _ in STATISTIC_FORMS])
def test_a_printed_statistic_with_its_df_is_read_and_gives_p(tmp_path, value, read, expected_p):
    """F with two df (comma, with or without a space), t, χ² and r with their df, the df
    after the statistic, and a printed p after it: each reads, and reported_statistic
    gives p by scipy at the printed statistic."""
    from scipy import stats as st

    from reanalysis.audit.summary_level import statistic_text

    assert statistic_text(value)[0] == read
    study = summaries_study(tmp_path, [("X-STAT", "x", "all", "", value, "test_statistic", "")],
                            checks={"stat": {"kind": "reported_statistic", "a": "X-STAT"}})
    _, stats = recomputed(study)
    assert one(stats, "stat", "p").value == pytest.approx(expected_p(st), rel=1e-9)


def test_f_4_76_gives_its_p_and_the_printed_p_is_judged(tmp_path):
    """A new user's three-arm trial printed 'F(4,76) = 0.37, P = 0.82'. p at 0.37 with 4 and
    76 df is 0.829 (scipy); over the statistic's rounding interval [0.365, 0.375] p runs
    from sf(0.375) to sf(0.365), and both ends print as 0.83 at two decimals, so the
    printed 0.82 is reached by no value of the statistic: discrepant (not a decision error,
    both sides are far above 0.05)."""
    from scipy import stats as st

    from reanalysis.engine.rounding import parse_claim
    from reanalysis.engine.verdicts import DISCREPANT, judge

    study = summaries_study(tmp_path, [("X-F", "x", "all", "", "F(4,76) = 0.37, P = 0.82", "test_statistic", "")],
                            checks={"f": {"kind": "reported_statistic", "a": "X-F"}})
    _, stats = recomputed(study)
    p = one(stats, "f", "p")
    assert p.value == pytest.approx(st.f.sf(0.37, 4, 76), rel=1e-12)
    assert 0.829 < p.value < 0.8295
    assert p.low == pytest.approx(st.f.sf(0.375, 4, 76), rel=1e-9)
    assert p.high == pytest.approx(st.f.sf(0.365, 4, 76), rel=1e-9)
    assert round(st.f.sf(0.375, 4, 76), 2) == round(st.f.sf(0.365, 4, 76), 2) == 0.83
    verdict = judge(parse_claim("0.82"), p.value, interval=(p.low, p.high), is_p_value=True)
    assert verdict.verdict == DISCREPANT and not verdict.decision_error


@pytest.mark.parametrize("value,words,not_words", [
    ("F(4,76) = 0,37", ["does not fit its form 'test_statistic'", "decimal comma"], []),
    ("F(4, 76) = 0,37, P = 0.82", ["decimal comma"], []),
    ("F(4,76) = abc", ["does not fit its form 'test_statistic'", "'F(4,76) = abc'", "F(4, 76) = 0.37"],
     ["decimal comma"]),
    ("χ2(2, N = 1,120) = x8", ["does not fit its form"], ["decimal comma"]),
    ("F(4) = 0.37", ["not a printed test statistic", "two degrees of freedom"], ["decimal comma"]),
    ("F(4,76) = 0.37, P = 1.82", ["not a printed test statistic", "[0, 1]"], ["decimal comma"]),
    ("t(28, 3) = 2.1", ["one degree-of-freedom"], ["decimal comma"]),
])
def test_a_df_separator_is_not_called_a_decimal_comma(tmp_path, value, words, not_words):
    from reanalysis.audit.summary_level import load_summaries

    study = summaries_study(tmp_path, [("X-STAT", "x", "all", "", value, "test_statistic", "")])
    with pytest.raises(InputError) as info:
        load_summaries(study)
    message = str(info.value)
    assert "row 1 (line 2)" in message and "column 'value'" in message
    for word in words:
        assert word in message, (word, message)
    for word in not_words:
        assert word not in message, (word, message)


# --------------------------------------------------------------------------- median (range)
def test_a_median_with_its_range_reads_and_is_ordered(tmp_path):
    """median_range: '<median> (<low>-<high>)', the smallest and largest value. The median
    must lie between them, the printed numbers read at their precision: 35 in 6-68 does;
    70 does not; 5.25 beside a largest value printed as 5.2 may (the median may be as low
    as 5.245, the largest value as high as 5.25); 5.4 beside 5.2 cannot (5.35 > 5.25)."""
    from reanalysis.audit import summary_level as sl

    rows = [("X-A", "months", "all", 20, "35 (6-68)", "median_range", ""),
            ("X-B", "months", "all", 20, "70 (6-68)", "median_range", ""),
            ("X-C", "hba1c", "all", 20, "5.25 (1.0-5.2)", "median_range", ""),
            ("X-D", "hba1c", "all", 20, "5.4 (1.0-5.2)", "median_range", "")]
    parsed, stats = recomputed(summaries_study(tmp_path, rows))
    assert {k: p.text for k, p in parsed["X-A"].parts.items()} == {"median": "35", "low": "6", "high": "68"}
    outcome = {vid: one(stats, f"row:{vid}", "range_order").outcome for vid, *_ in rows}
    assert outcome == {"X-A": sl.POSSIBLE, "X-B": sl.IMPOSSIBLE, "X-C": sl.POSSIBLE, "X-D": sl.IMPOSSIBLE}
    assert "outside its printed range 6–68" in one(stats, "row:X-B", "range_order").note
    # a median (range) is not a median (IQR): no IQR check, no Q1 or Q3
    assert not len(stats[(stats.check == "row:X-A") & (stats.statistic == "order")])


def test_a_reversed_median_range_is_named(tmp_path):
    from reanalysis.audit.summary_level import load_summaries

    study = summaries_study(tmp_path, [("X-A", "months", "all", 20, "35 (68-6)", "median_range", "")])
    with pytest.raises(InputError, match="range low above high"):
        load_summaries(study)


def test_a_median_range_bounds_an_sd(tmp_path):
    """The range printed with a median serves sd_feasibility as its observed bounds.
    Zang 2022's insulin-free onset, worked by hand in test_new_kinds.py: five values in
    8-24 weeks with both ends observed have an SD of at most sqrt(49.25) = 7.018 < 7.55,
    so '12 ± 7.6' is impossible; here the same range comes with a median of 10."""
    from reanalysis.audit import summary_level as sl

    rows = [("X-R", "onset", "a", 5, "10 (8-24)", "median_range", ""),
            ("X-S", "onset", "a", 5, "12 ± 7.6", "mean_dispersion", "sd")]
    study = summaries_study(tmp_path, rows, checks={"sd": {"kind": "sd_feasibility", "a": "X-S", "range": "X-R"}})
    _, stats = recomputed(study)
    row = one(stats, "row:X-S", "sd_feasibility")
    assert row.outcome == sl.IMPOSSIBLE
    assert row.high == pytest.approx(49.25 ** 0.5, rel=1e-9)
