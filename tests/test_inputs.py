"""Strict reading of raw tables, claims and the checksum manifest: bad input is named."""
import shutil

import pytest
import yaml

from conftest import ROOT
from reanalysis.inputs import InputError, load_schema, read_table
from reanalysis.ledger import load_claims
from reanalysis.manifest import SIGN_COMMAND, sha256, sign, verify

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

    from reanalysis.patient_level import validate_checks

    validate_checks(STUDY)  # the real config passes
    study = deepcopy(STUDY)
    study["checks"]["moderate_mean_reduction"]["subset"] = "severity.moderat"
    with pytest.raises(InputError) as info:
        validate_checks(study)
    assert "moderate_mean_reduction" in str(info.value) and "'severity.moderat'" in str(info.value)


def test_a_study_reading_an_unsigned_file_is_stopped(tmp_path):
    from reanalysis.manifest import verify_study

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
