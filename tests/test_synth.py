"""The synthetic corpus (reanalysis.corpus.synth): deterministic, valid input for the pipeline, and a
truth.csv that names every printed item and every injected error correctly.

The corpus is checked as a study in the repository is: config and tables validated by the
package's own loaders, `python -m reanalysis check`, and the transcription checks every
study gets (tests/studychecks.py) against the generated papers.
"""
import csv
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import studychecks
from reanalysis.audit import designs
from reanalysis.corpus import synth
from reanalysis.engine import scrutiny
from reanalysis.inputs import manifest
from reanalysis.inputs.config import load_config
from reanalysis.audit.ledger import load_claims
from reanalysis.audit.summary_level import load_summaries

N, SEED, RATE = 3, 11, 0.15
ENSURE = ("decision_error", "grim_impossible")


def tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    synth.generate(out, N, SEED, RATE, ENSURE)
    return out


@pytest.fixture()
def in_corpus(corpus, monkeypatch):
    """The package reads paths relative to the repository root: here, the corpus. The
    transcription checks take the papers from the corpus's papers_dir, not ../shared."""
    monkeypatch.chdir(corpus)
    monkeypatch.delenv("REANALYSIS_SHARED", raising=False)
    return corpus


def test_the_corpus_has_the_layout_of_a_repository(corpus):
    files = tree(corpus)
    names = synth.study_names(N)
    assert names == ["syn001", "syn002", "syn003"]
    for name in names:
        assert f"config/studies/{name}.yaml" in files and f"papers/{name}.txt" in files
        assert f"raw/{name}/claims.csv" in files
    assert {"config/config.yaml", "raw/MANIFEST.sha256", "truth.csv",
            "workflow/schemas/summaries.schema.yaml"} <= set(files)
    assert b"papers_dir: papers\n" in files["config/config.yaml"]
    designs_ = [synth.design_of(i) for i in range(N)]
    assert designs_ == ["summary_level", "patient_level", "summary_level"]


def test_the_same_seed_gives_the_same_bytes(corpus, tmp_path):
    again = tmp_path / "again"
    synth.generate(again, N, SEED, RATE, ENSURE)
    assert tree(again) == tree(corpus)


def test_the_command_line_writes_the_same_corpus(corpus, tmp_path):
    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "reanalysis.corpus.synth", "--studies", str(N), "--seed", str(SEED),
                             "--out", str(out), "--error-rate", str(RATE), "--ensure", ",".join(ENSURE)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "3 studies" in result.stdout
    assert tree(out) == tree(corpus)
    # a second run into the same folder is refused without --force
    again = subprocess.run([sys.executable, "-m", "reanalysis.corpus.synth", "--studies", "1", "--out", str(out)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_another_seed_gives_another_corpus(corpus, tmp_path):
    other = tmp_path / "other"
    synth.generate(other, N, SEED + 1, RATE, ENSURE)
    assert tree(other)["truth.csv"] != tree(corpus)["truth.csv"]


def test_the_package_loads_and_validates_every_study(in_corpus):
    config = load_config(in_corpus)
    assert sorted(config["studies"]) == synth.study_names(N)
    assert manifest.verify(Path("raw"))
    for name, study in config["studies"].items():
        manifest.verify_study(Path("raw"), name, designs.study_data_files(study))
        data = designs.load(study)
        if study["design"] == "summary_level":
            assert load_summaries(study).keys() == data.keys()
        designs.validate_checks(study, data, f"config/studies/{name}.yaml")
        claims = load_claims(Path(study["claims"]), Path("workflow/schemas/claims.schema.yaml"), study)
        assert claims


@pytest.mark.parametrize("check", studychecks.ALL_CHECKS, ids=lambda f: f.__name__)
def test_the_transcription_stands_in_the_generated_papers(in_corpus, check):
    config = load_config(in_corpus)
    for name in config["studies"]:
        check(in_corpus, config, name)


def test_check_command_accepts_a_synthetic_study(corpus):
    result = subprocess.run([sys.executable, "-m", "reanalysis", "check", "syn001"], cwd=corpus,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "syn001: config and transcription valid" in result.stdout


def printed_items(corpus: Path) -> dict:
    """(study, id) -> the transcribed row (summary rows and claims)."""
    items = {}
    for name in synth.study_names(N):
        raw = corpus / "raw" / name
        for r in read_csv(raw / "claims.csv"):
            items[(name, r["claim_id"])] = r
        if (raw / "summaries.csv").is_file():
            for r in read_csv(raw / "summaries.csv"):
                items[(name, r["value_id"])] = r
    return items


def test_truth_has_one_row_per_printed_item(corpus):
    truth = read_csv(corpus / "truth.csv")
    items = printed_items(corpus)
    keys = [(t["study"], t["id"]) for t in truth]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(items)
    for t in truth:
        assert t["printed"] == items[(t["study"], t["id"])]["reported"], t
        assert t["expected"] == {"clean": "not_discrepant", "affected": "either"}.get(t["error"], "discrepant")


def test_every_injection_names_printed_items_to_look_at(corpus):
    truth = read_csv(corpus / "truth.csv")
    items = printed_items(corpus)
    injected = [t for t in truth if t["error"] not in ("clean", "affected")]
    assert {t["error"] for t in injected} >= set(ENSURE)
    assert all(t["error"] in synth.KINDS for t in injected)
    targets = {(t["study"], t["id"]) for t in injected}
    for t in injected:
        assert t["detect_rule"] in ("discrepant", "decision_error", "flagged")
        assert t["must_detect"] in ("true", "false")
        assert t["detect_by"] and all((t["study"], i) in items for i in t["detect_by"].split(";"))
        assert t["id"] in t["detect_by"].split(";")
    for t in truth:
        if t["error"] == "affected":
            assert (t["study"], t["caused_by"]) in targets


def test_injected_values_are_the_errors_truth_describes(corpus):
    """Checked here with the generator's own arithmetic and scrutiny's, not with the audit."""
    truth = read_csv(corpus / "truth.csv")
    items = printed_items(corpus)
    alpha = Decimal("0.05")
    for t in truth:
        row = items[(t["study"], t["id"])]
        if t["error"] == "grim_impossible":
            mean = row["value"].split(" ± ")[0]
            n = int(row["n"])
            assert not synth.grim_possible(mean, n)
            assert not scrutiny.grim(mean, n).consistent
        elif t["error"] in ("percent_slip", "truncation") and t["table"] == "summaries":
            count, percent = row["value"].replace("(", "").replace(")", "").split()
            exact = Fraction(100 * int(count), int(row["n"]))
            assert percent not in synth.roundings(exact, 2)
        elif t["error"] == "decision_error":
            claim = row["claim"]
            printed_significant = claim.startswith("<") or (claim[0].isdigit() and Decimal(claim) < alpha)
            assert printed_significant != (Decimal(t["correct"].lstrip("< ")) < alpha)
        elif t["error"] in ("mistyped_mean", "mistyped_sd"):
            assert t["digit"] in ("last", "other")
            assert t["printed"] != t["correct"]


def test_every_kind_of_error_can_be_injected():
    studies = synth.build(9, 3, 0.6)
    kinds = {inj.kind for s in studies for inj in s.injections}
    assert kinds == set(synth.KINDS)
    for s in studies:   # footprints never overlap: each detection is attributable
        seen = set()
        for inj in s.injections:
            assert not inj.footprint & seen
            seen |= inj.footprint


def test_a_zero_error_rate_gives_a_clean_corpus(tmp_path):
    truth = synth.generate(tmp_path / "clean", 2, SEED, 0.0)
    assert {t["error"] for t in truth} == {"clean"}


def test_a_corpus_is_audited_in_batches_of_at_most_50_and_at_least_four_jobs():
    # ceil(N / 4), at most 50 (worked by hand)
    assert [synth.studies_per_job(n) for n in (1, 4, 10, 100, 200, 201, 1000)] == [1, 1, 3, 25, 50, 50, 50]


def _paired_study(before: tuple[str, str], after: tuple[str, str], n: int):
    s = synth.Study("s", "summary_level", None, "t")
    for vid, (mean, sd) in (("B", before), ("A", after)):
        s.add_row(synth.Row(vid, "Table 2", "hba1c", "HbA1c", "active", vid, n, "mean_dispersion",
                            {"mean": mean, "dispersion": sd}))
    s.checks["vsbl"] = {"kind": "paired_from_summary", "before": "B", "after": "A"}
    return s, synth.Claim("P", "Table 2", "p", "vsbl", "0.01", "table_p", test="paired_from_summary")


def _grid_p(before, after, n, steps=21):
    """The paired p by its definition over a grid of r in [-1, 1] and of every printed value's
    rounding interval (ends included): t = d sqrt(n) / sqrt(s1^2 + s2^2 - 2 r s1 s2)."""
    import numpy as np
    from scipy import stats

    def grid(text):
        half = 0.5 * 10.0 ** -synth.decimals_of(text)
        return np.linspace(float(text) - half, float(text) + half, 5)
    m1, s1, m2, s2, r = np.meshgrid(grid(before[0]), grid(before[1]), grid(after[0]), grid(after[1]),
                                    np.linspace(-1, 1, steps), indexing="ij")
    var = np.maximum(s1 * s1 + s2 * s2 - 2 * r * s1 * s2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(var > 0, np.abs(m1 - m2) * np.sqrt(n) / np.sqrt(var), np.inf)
    p = 2 * stats.t.sf(t, n - 1)
    return float(p.min()), float(p.max())


@pytest.mark.parametrize("before, after, n", [
    (("8.10", "1.20"), ("7.40", "0.60"), 20),   # SD intervals apart: |s1 - s2| > 0 at r = 1
    (("8.10", "1.20"), ("7.95", "1.10"), 45),   # small change, SDs close
    (("9.0", "2.0"), ("8.2", "2.0"), 12),       # equal printed SDs: the change SD can be 0
])
def test_the_span_of_a_paired_p_over_r_and_rounding_matches_a_grid(before, after, n):
    s, claim = _paired_study(before, after, n)
    low, high = synth._p_span(s, claim)
    grid_low, grid_high = _grid_p(before, after, n)
    # the grid holds the extreme corners and r = +-1, so it reaches both ends
    assert low == pytest.approx(grid_low, abs=1e-12)
    assert high == pytest.approx(grid_high, rel=1e-9)


@pytest.mark.parametrize("text, significant", [
    ("0.049", True), ("0.050", None), ("0.0504", False), ("0.051", False), ("< 0.05", True),
    ("< 0.01", True), ("> 0.05", False), ("0.2310", False), ("< 0.1", None)])
def test_what_a_printed_p_says_about_significance(text, significant):
    # "0.050" stands for [0.0495, 0.0505], on both sides of alpha 0.05; "0.0504" for
    # [0.05035, 0.05045], all above it; "< 0.1" allows either side
    assert synth._significant_as_printed(text) is significant


def test_a_paired_p_injection_is_must_detect_exactly_when_the_printed_numbers_refute_it():
    """A wrong paired p (or a decision error) from printed means ± SD is marked must-detect
    only where no r and no rounding gives a p rounding to it (on its side of alpha)."""
    seen = 0
    for s in synth.build(12, 7, 0.6):
        for inj in s.injections:
            if inj.where != "paired_from_summary":
                continue
            spec = s.checks[s.claims[inj.target].check]
            before, after = s.rows[spec["before"]], s.rows[spec["after"]]
            low, high = _grid_p((before.parts["mean"], before.parts["dispersion"]),
                                (after.parts["mean"], after.parts["dispersion"]), after.n)
            text = inj.printed
            if inj.kind == "decision_error":
                side = synth._significant_as_printed(text)
                refuted = side is not None and (low > 0.05 if side else high < 0.05)
            else:
                half = 0.5 * 10.0 ** -synth.decimals_of(text)
                refuted = float(text) + half < low or float(text) - half > high
            assert inj.must_detect == refuted, (s.name, inj.target, inj.detail, low, high)
            seen += 1
    assert seen >= 10


# --- the printed test statistics for the text scan ------------------------------------------

def test_each_printed_statistic_stands_at_its_line_after_the_transcribed_ones(corpus):
    stats_truth = read_csv(corpus / synth.STAT_TRUTH)
    assert {t["study"] for t in stats_truth} == set(synth.study_names(N))
    config = load_config(corpus)
    for t in stats_truth:
        lines = (corpus / "papers" / f"{t['study']}.txt").read_text(encoding="utf-8").split("\n")
        line = int(t["line"])
        # printed on its line, or begun there and ended on the next (a line break read as a space)
        assert t["printed"] in lines[line - 1] or t["printed"] in f"{lines[line - 1]} {lines[line]}", t
        study = config["studies"][t["study"]]
        last = max(int(r["source_line"]) for key in ("claims", "table") for r in read_csv(corpus / study[key]))
        assert line > last, "the statistics section follows every transcribed line"
        assert config["studies"][t["study"]]["scan_text"] == [f"{t['study']}.txt"]


def _reported(t: dict):
    from reanalysis.engine.statcheck import ReportedTest
    p = t["p"]
    comparison, number = ("ns", None) if p == "ns" else (p[0], p[1:].strip()) if p[0] in "<>" else ("=", p)
    df1 = float(t["df1"]) if t["df1"] else None
    df2 = float(t["df2"]) if t["df2"] else None
    return ReportedTest(t["test_type"], df1, df2, t["statistic"], comparison, number, t["printed"])


def test_the_generator_judges_each_statistic_as_the_engine_does(tmp_path):
    """The generator decides, apart from the engine, which injections statcheck's rule must
    see (synth._stat_error, with scipy); reanalysis.engine.statcheck must agree on every printed
    statistic of a corpus: clean ones are no error, an injection is must-detect exactly when
    it is an error (a decision error: when it also flips significance)."""
    from reanalysis.engine.statcheck import check_reported
    synth.generate(tmp_path, 24, 3, 0.4, ())
    rows = read_csv(tmp_path / synth.STAT_TRUTH)
    kinds = {t["error"] for t in rows}
    assert set(synth.STAT_KINDS) <= kinds and "clean" in kinds
    for t in rows:
        result = check_reported(_reported(t))
        assert result.decision_error == (t["decision_error"] == "true"), t
        if t["error"] == "clean":
            assert not result.error, t
        elif t["error"] == "stat_decision_error":
            assert (t["must_detect"] == "true") == (result.error and result.decision_error), t
        else:
            assert (t["must_detect"] == "true") == result.error, t


def test_statistic_errors_can_be_ensured(tmp_path):
    synth.generate(tmp_path, 1, 4, 0.0, ("stat_decision_error", "stat_wrong_df"))
    errors = [t["error"] for t in read_csv(tmp_path / synth.STAT_TRUTH)]
    assert sorted(e for e in errors if e != "clean") == ["stat_decision_error", "stat_wrong_df"]
    with pytest.raises(ValueError, match="unknown error kinds"):
        synth.generate(tmp_path / "x", 1, 4, 0.0, ("stat_typo",))
