"""Bad input of every kind is stopped with a message naming where and why.

The patient table's cases (decimal comma, unicode minus, BOM, wrong delimiter, empty file,
truncated row, blank lines, duplicated ids, NaN, inf, out-of-range values, missing file,
...) are in test_inputs.py. Here: the printed-summaries table of a summary-level study, the
claims files, and the config. Each case edits one real file in one place and asserts
what the message must say: the file, the row (or config key), the column, the value and
the rule.
"""
import copy
import csv
import io

import pytest
import yaml

from conftest import ROOT
from reanalysis.inputs.config import load_studies, validate_config
from reanalysis.errors import InputError
from reanalysis.audit.ledger import load_claims
from reanalysis.audit.summary_level import load_summaries

CONFIG_PATH = ROOT / "config" / "config.yaml"
CONFIG = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
CONFIG_SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
STUDY_SCHEMA = ROOT / "workflow" / "schemas" / "study.schema.yaml"
ZANG_FILE = "config/studies/zang2022.yaml"  # a study as a fixture
ZANG = yaml.safe_load((ROOT / ZANG_FILE).read_text(encoding="utf-8"))
SUMMARIES = ROOT / ZANG["table"]
CLAIMS = ROOT / ZANG["claims"]
CLAIMS_SCHEMA = ROOT / "workflow" / "schemas" / "claims.schema.yaml"


def edit_cell(path, key_column, key, column, new):
    """The CSV text with one cell replaced (written back with csv, so quoting is right)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    hits = [r for r in rows[1:] if r[header.index(key_column)] == key]
    assert len(hits) == 1, key
    hits[0][header.index(column)] = new
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), 1 + rows[1:].index(hits[0])


def load_edited_summaries(tmp_path, key, column, new):
    text, row = edit_cell(SUMMARIES, "value_id", key, column, new)
    path = tmp_path / "summaries.csv"
    path.write_text(text, encoding="utf-8")
    study = {**ZANG, "table": str(path), "table_schema": str(ROOT / ZANG["table_schema"])}
    with pytest.raises(InputError) as info:
        load_summaries(study)
    return str(info.value), path, row


# (value_id, column, new text, words the message must contain besides file, row, column)
SUMMARY_CASES = {
    "hba1c_out_of_range": ("Z-T1-HBA1C-MSC", "value", "92.0 ± 1.27",
                           ["mean 92.0 is out of range", "'92.0 ± 1.27'", "outcome 'hba1c'", "maximum 20"]),
    "age_out_of_range": ("Z-T1-AGE-PBO", "value", "150.45 ± 8.03",
                         ["mean 150.45 is out of range", "outcome 'age'", "maximum 120"]),
    "percent_above_100": ("Z-T1-MALE-MSC", "value", "28 (162.22)",
                          ["percent 162.22 is out of range", "every percent", "maximum 100"]),
    "negative_sd": ("Z-T1-HBA1C-MSC", "value", "9.02 ± -1.27",
                    ["dispersion -1.27 is out of range", "every dispersion", "minimum 0"]),
    "n_zero": ("Z-T1-HBA1C-MSC", "n", "0", ["column 'n'", "'0'", "minimum 1"]),
    "n_not_whole": ("Z-T1-HBA1C-MSC", "n", "45.0", ["column 'n'", "'45.0'", "not a whole number"]),
    "n_inf": ("Z-T1-HBA1C-MSC", "n", "inf", ["column 'n'", "'inf'", "not a finite number"]),
    "decimal_comma_in_value": ("Z-T1-HBA1C-MSC", "value", "9,02 ± 1,27",
                               ["does not fit its form 'mean_dispersion'", "decimal comma", "'9,02 ± 1,27'"]),
    "unicode_minus_in_value": ("Z-T1-HBA1C-MSC", "value", "9.02 ± \u22121.27",
                               ["does not fit its form", "unicode minus sign (U+2212)"]),
    "nan_in_value": ("Z-T1-HBA1C-MSC", "value", "nan ± 1.27", ["does not fit its form", "not a finite number"]),
    "value_not_in_its_form": ("Z-T1-HBA1C-MSC", "value", "9.02 (1.27)",
                              ["does not fit its form 'mean_dispersion'", "'9.02 (1.27)'", "rule: grammar"]),
    "unknown_form": ("Z-T1-HBA1C-MSC", "form", "mean_sd", ["column 'form'", "'mean_sd'", "enum"]),
    "unknown_dispersion": ("Z-T1-HBA1C-MSC", "dispersion", "SD", ["column 'dispersion'", "'SD'", "enum"]),
    "missing_dispersion": ("Z-T1-HBA1C-MSC", "dispersion", "",
                           ["needs `dispersion`", "column 'dispersion'", "one of sd, sem, unspecified"]),
    "same_as_unknown": ("Z-ABS-HBA1C-BL-MSC", "same_as", "Z-T1-HBA1C-XXX",
                        ["same_as names an unknown row", "'Z-T1-HBA1C-XXX'"]),
    "duplicated_value_id": ("Z-T1-AGE-PBO", "value_id", "Z-T1-HBA1C-MSC",
                            ["duplicate id", "column 'value_id'", "'Z-T1-HBA1C-MSC'", "rule: unique"]),
    "range_reversed": ("Z-EFF-INSFREE-ONSET-RANGE-MSC", "value", "24-8", ["range low above high", "low <= high"]),
    "bad_source_file": ("Z-T1-HBA1C-MSC", "source_file", "../papers/paper.txt", ["column 'source_file'", "pattern"]),
    "empty_reported_text": ("Z-T1-HBA1C-MSC", "reported", "", ["column 'reported'", "empty cell"]),
}


@pytest.mark.parametrize("case", sorted(SUMMARY_CASES))
def test_bad_summary_row_is_named(tmp_path, case):
    key, column, new, words = SUMMARY_CASES[case]
    message, path, row = load_edited_summaries(tmp_path, key, column, new)
    if case == "duplicated_value_id":  # reported at the later row, naming the edited one
        assert message.startswith(f"{path}, row ") and f"first at row {row} " in message, message
    else:
        assert message.startswith(f"{path}, row {row} "), message
    assert f"column '{column}'" in message, message
    for word in words:
        assert word in message, (word, message)


# (claim_id, column, new text, words)
CLAIM_CASES = {
    "unparseable_claim_text": ("Z-ABS-02", "claim", "p < 0.05", ["column 'claim'", "'p < 0.05'", "cannot read as claim"]),
    "claim_with_decimal_comma": ("Z-ABS-02", "claim", "< 0,05", ["column 'claim'", "decimal comma"]),
    "claim_number_not_printed": ("Z-ABS-01", "claim", "92", ["claim's number is not in the printed text", "'92'"]),
    "unknown_check": ("Z-ABS-01", "check", "randomised_totl", ["unknown check", "'randomised_totl'"]),
    "unknown_claim_basis": ("Z-ABS-01", "claim_basis", "quoted", ["column 'claim_basis'", "'quoted'", "enum"]),
    "claim_id_pattern": ("Z-ABS-01", "claim_id", "Z-ABS-1", ["column 'claim_id'", "'Z-ABS-1'", "pattern"]),
    "scale_zero": ("Z-ABS-01", "scale", "0", ["column 'scale'", "exclusiveMinimum 0"]),
    "source_line_text": ("Z-ABS-01", "source_line", "six", ["column 'source_line'", "'six'", "cannot read as integer"]),
}


@pytest.mark.parametrize("case", sorted(CLAIM_CASES))
def test_bad_claim_row_is_named(tmp_path, case):
    key, column, new, words = CLAIM_CASES[case]
    text, row = edit_cell(CLAIMS, "claim_id", key, column, new)
    path = tmp_path / "claims.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_claims(path, CLAIMS_SCHEMA, ZANG)
    message = str(info.value)
    assert message.startswith(f"{path}, row {row} "), message
    for word in words:
        assert word in message, (word, message)


def _config_error(edit, schema=CONFIG_SCHEMA, config=CONFIG, path="config/config.yaml"):
    config = copy.deepcopy(config)
    edit(config)
    with pytest.raises(InputError) as info:
        validate_config(config, path, schema)
    return str(info.value)


def test_the_real_config_validates():
    load_studies(copy.deepcopy(CONFIG), root=ROOT)


def test_a_study_naming_a_missing_file_is_named(tmp_path):
    """A study file is validated on its own, with its own path in the message."""
    import shutil
    for name in ("config", "workflow", "raw"):
        shutil.copytree(ROOT / name, tmp_path / name)
    study = tmp_path / ZANG_FILE
    study.write_text(study.read_text().replace("table: raw/zang2022/summaries.csv",
                                               "table: raw/zang2022/summary.csv"))
    with pytest.raises(InputError) as info:
        load_studies(copy.deepcopy(CONFIG), root=tmp_path)
    message = str(info.value)
    for word in ("config/studies/zang2022.yaml", "key 'table'", "file not found", "'raw/zang2022/summary.csv'"):
        assert word in message, (word, message)


CONFIG_CASES = {
    "typo_top_level": (lambda c: c.update(result_dir=c.pop("results_dir")),
                       ["key 'result_dir'", "did you mean 'results_dir'?"]),
    "papers_dir_not_text": (lambda c: c.update(papers_dir=3), ["key 'papers_dir'", "type"]),
}
STUDY_CASES = {
    "typo_in_key": (lambda c: c.update(alpah=c.pop("alpha")),
                    ["key 'alpah'", "unknown key (did you mean 'alpha'?)", "allowed keys here"]),
    "alpha_not_a_number": (lambda c: c.update(alpha="0.05x"), ["key 'alpha'", "'0.05x'", "type"]),
    "unknown_check_kind": (lambda c: c["checks"]["t1_age"].update(kind="t_test"),
                           ["key 'checks.t1_age", "'t_test'"]),
    "checks_missing": (lambda c: c.pop("checks"),
                       ["required key missing", "'checks' is a required property", "checks: {}"]),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_config_is_named(case):
    edit, words = CONFIG_CASES[case]
    message = _config_error(edit)
    assert message.startswith("config/config.yaml, key '"), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("case", sorted(STUDY_CASES))
def test_bad_study_config_is_named(case):
    edit, words = STUDY_CASES[case]
    message = _config_error(edit, STUDY_SCHEMA, ZANG, ZANG_FILE)
    assert message.startswith(f"{ZANG_FILE}, key '"), message
    for word in words:
        assert word in message, (word, message)


def test_config_that_is_not_yaml_is_named(tmp_path):
    from reanalysis.inputs.config import check_yaml

    text = (ROOT / ZANG_FILE).read_text(encoding="utf-8")
    lines = text.split("\n")
    line = next(i for i, t in enumerate(lines) if t == "alpha: 0.05")
    lines[line] = "alpha: [0.05"  # an unclosed bracket, on file line line + 1
    path = tmp_path / "config.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as info:
        check_yaml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not valid YAML at line "), message
    assert "rule: YAML syntax" in message
    reported_line = int(message.split("at line ")[1].split(",")[0])
    assert reported_line >= line + 1  # the parser notices at or after the bracket
