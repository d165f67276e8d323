"""'Is the effect real?' (workflow/reanalysis/beyond/questions.py): the glue between the config, the
data and the library modules (whose own tests check the methods).

- On the real config, the section writes rows for all seven parts, with every column
  filled, assumptions naming their config key, and two runs give the same bytes.
- Values in the rows equal an independent computation: Barnett's RTM via scipy's truncated
  normal, the tipping bounds from the printed ranges, the external control by Welch's
  formula written out, the controlled pool by statsmodels' combine_effects on effects
  computed here (Wan's conversion written out), Stouffer by hand, the exact sign-flip p by
  brute force, the bootstrap by scipy called directly, the number of reverse-search recipes
  by its formula.
- The config's `beyond` keys are validated (a typo is named, with a suggestion); summary.md
  and the report get the section.
"""
import itertools
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from conftest import CONFIG, ROOT
from reanalysis.audit import designs
from reanalysis.beyond import questions as beyond
from reanalysis.inputs.config import load_beyond, validate_config
from reanalysis.errors import InputError
from reanalysis.audit.ledger import load_claims
from reanalysis.report.html_report import build_context, render

CLAIMS_SCHEMA = ROOT / "workflow" / "schemas" / "claims.schema.yaml"
TEMPLATE = ROOT / "workflow" / "report" / "report.html.j2"
SHARED = load_beyond(CONFIG, root=ROOT)
BEYOND_STUDIES = sorted(s for s, st in CONFIG["studies"].items() if st.get("beyond"))


def _study_with(part_key):
    """The study whose beyond section has this part (the config names it, not the test)."""
    return next(s for s in BEYOND_STUDIES if part_key in CONFIG["studies"][s]["beyond"])


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    out = tmp_path_factory.mktemp("beyond")
    written = beyond.write_section(CONFIG, SHARED, out, CLAIMS_SCHEMA)
    frames = {p.stem: beyond.read_rows(p) for p in written if p.suffix == ".csv"}
    return out, written, frames


@pytest.fixture(scope="module")
def data():
    names = beyond.needed_studies(CONFIG, SHARED)
    return {s: designs.load(CONFIG["studies"][s]) for s in names}


def _rows(frames, part, study=None):
    rows = pd.concat(frames.values(), ignore_index=True)
    rows = rows[rows["part"] == beyond.PARTS[part]]
    return rows if study is None else rows[rows["study"] == study]


def _one(rows, pattern):
    hit = rows[rows["question"].str.contains(pattern, regex=True)]
    assert len(hit) == 1, (pattern, hit["question"].tolist())
    return hit.iloc[0]


# --- the section on the real config -------------------------------------------------------------

def test_rows_for_all_seven_parts(section):
    out, written, frames = section
    assert set(frames) == set(BEYOND_STUDIES) | {beyond.CORPUS}
    parts = set(pd.concat(frames.values())["part"])
    assert parts == set(beyond.PARTS.values())
    # the cross-study parts sit in corpus.csv, the others in their study's file
    assert set(frames[beyond.CORPUS]["part"]) == {beyond.PARTS[2], beyond.PARTS[4]}
    for s in BEYOND_STUDIES:
        assert not set(frames[s]["part"]) & {beyond.PARTS[2], beyond.PARTS[4]}
    assert (out / "figures" / beyond.FIGURE_DIR / "pooled_forest.png").stat().st_size > 10_000
    assert (out / "figures" / beyond.FIGURE_DIR / "pooled_forest.svg").stat().st_size > 10_000


def test_every_row_is_complete(section):
    _, _, frames = section
    rows = pd.concat(frames.values(), ignore_index=True)
    assert list(rows.columns) == beyond.COLUMNS
    for col in ("study", "part", "question", "method", "library", "reading"):
        assert (rows[col].str.len() > 0).all(), col
    assert rows["value"].notna().all()
    both = rows["low"].notna() == rows["high"].notna()
    assert both.all()
    with_interval = rows[rows["low"].notna()]
    assert (with_interval["low"] <= with_interval["high"]).all()
    # an assumption names its config key; the exploratory part says it is exploratory
    assumed = rows[rows["assumptions"] != ""]
    assert assumed["assumptions"].str.contains(r"beyond\.").all()
    assert _rows(frames, 7)["question"].str.startswith("EXPLORATORY").all()
    assert _rows(frames, 7)["reading"].str.contains("hypotheses tried").all()


def test_two_runs_give_the_same_bytes(section, tmp_path):
    out, written, _ = section
    again = beyond.write_section(CONFIG, SHARED, tmp_path, CLAIMS_SCHEMA)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(out) for p in written]
    for a, b in zip(written, again):
        assert a.read_bytes() == b.read_bytes(), a.name


# --- values against an independent computation ----------------------------------------------

def test_rtm_equals_barnett_by_the_truncated_normal_mean(section, data):
    _, _, frames = section
    name = _study_with("rtm")
    spec = CONFIG["studies"][name]["beyond"]["rtm"]
    pop = spec["population"]
    mu = float(pop["mean"])
    # sigma from the share below the threshold, under normality
    sigma = (mu - pop["share_below"]["threshold"]) / -stats.norm.ppf(pop["share_below"]["share"])
    sw = spec["within_person_cv"]["central"] * data[name][spec["baseline"]].mean()
    rows = _rows(frames, 1, name)
    study = CONFIG["studies"][name]
    main = spec.get("grouping_variant", "as_reported")
    readings = [(main, False)] + [(v, True) for v in spec.get("alternative_grouping_variants", [])]
    seen = 0
    for variant, alternative in readings:
        for sel in spec["selections"]:
            if sel["subset"] == "all":
                if alternative:
                    continue
                row = _one(rows, re.escape(sel["label"]))
                lower, upper = spec["entry"]["lower"], math.inf
            else:
                # each subgroup row names its reading; an alternative says it is one
                tag = f"reading {variant}" + (", labelled alternative" if alternative else ")")
                row = _one(rows, re.escape(sel["label"]) + ".*" + re.escape(tag))
                grouping, group = sel["subset"].split(".")
                bounds = study["groupings"][grouping]["variants"][variant][group]
                lower = max(spec["entry"]["lower"], bounds.get("gte", bounds.get("gt", -math.inf)))
                upper = bounds.get("lte", bounds.get("lt", math.inf))
                # the printed reduction's recomputation is the mean change of that reading's patients
                df = data[name]
                col = df[study["groupings"][grouping]["column"]]
                mask = pd.Series(True, index=df.index)
                for k, b in bounds.items():
                    mask &= {"gt": col > b, "gte": col >= b, "lt": col < b, "lte": col <= b}[k]
                change = (df.loc[mask, spec["baseline"]] - df.loc[mask, spec["follow_up"]]).mean()
                assert f"recomputed {change:.3g} from the {int(mask.sum())} printed patients" in row["reading"]
            a, b = (lower - mu) / sigma, (upper - mu) / sigma
            # E[X - Y | X in [lower, upper]] = (1 - rho) (E[X | selection] - mu), 1 - rho = sw^2 / sigma^2
            expected = sw ** 2 / sigma ** 2 * (stats.truncnorm.mean(a, b, loc=mu, scale=sigma) - mu)
            assert row["value"] == pytest.approx(expected, rel=1e-9)
            assert row["low"] <= row["value"] <= row["high"]
            seen += 1
    assert seen == len(rows) - 1      # every row but the population fit
    # the subgroup reading is the config's, with its source
    if main != "as_reported":
        assert spec["grouping_variant_source"][:40] in " ".join(rows["assumptions"])
    fit = _one(rows, "identifiable|estimated from")
    assert "not identifiable" in fit["reading"].lower()
    # no population mean is given as a value: only the profile interval's upper end, as a bound
    assert isinstance(fit["value"], str) and fit["value"].startswith("< ")
    assert math.isnan(fit["low"]) and math.isnan(fit["high"])


def test_tipping_bounds_come_from_the_printed_ranges(section, data):
    _, _, frames = section
    name = _study_with("tipping")
    spec = CONFIG["studies"][name]["beyond"]["tipping"]
    claims = {c["claim_id"]: c for c in load_claims(Path(CONFIG["studies"][name]["claims"]), CLAIMS_SCHEMA,
                                                     CONFIG["studies"][name])}
    num = {cid: float(claims[cid]["claim"]) for cid in spec["bounds"]["printed_ranges"]["before"]
           + spec["bounds"]["printed_ranges"]["after"]}
    b_lo, b_hi = (num[c] for c in spec["bounds"]["printed_ranges"]["before"])
    a_lo, a_hi = (num[c] for c in spec["bounds"]["printed_ranges"]["after"])
    lo, hi = b_lo - a_hi, b_hi - a_lo
    k = int(claims[spec["n_reported"]]["claim"]) - len(data[name])
    assert k == 3
    rows = _rows(frames, 3, name)
    overall = rows[rows["question"].str.contains(spec["claims"][0]) & rows["assumptions"].str.contains("printed_ranges")]
    assert len(overall) == 1
    row = overall.iloc[0]
    df = data[name]
    d = (df[spec["before"]] - df[spec["after"]]).to_numpy(float)
    assert row["value"] == pytest.approx(stats.ttest_1samp(d, 0).pvalue, rel=1e-12)
    assert f"[{lo:.3g}, {hi:.3g}]" in row["method"]
    # every corner of the box lies within the row's range, and the range is attained
    corners = [stats.ttest_1samp(np.concatenate([d, c]), 0).pvalue
               for c in itertools.product([lo, hi], repeat=k)]
    assert row["low"] <= min(corners) + 1e-15 and max(corners) <= row["high"] + 1e-15
    assert row["high"] == pytest.approx(max(corners), rel=1e-9)


def test_external_control_equals_welch_written_out(section, data):
    _, _, frames = section
    spec = SHARED["external_control"]
    pat = spec["patient"]
    df = data[pat["study"]]
    d = (df[pat["before"]] - df[pat["after"]]).to_numpy(float)
    comp = spec["comparators"][0]
    rows = data[comp["study"]]
    (m1, s1), (m2, s2) = [(float(rows[v].parts["mean"].value), float(rows[v].parts["dispersion"].value))
                          for v in (comp["before"], comp["after"])]
    n_c = min(rows[comp["before"]].n, rows[comp["after"]].n)
    r = spec["correlation"]["central"]
    sd_change = math.sqrt(s1 ** 2 + s2 ** 2 - 2 * r * s1 * s2)
    diff = d.mean() - (m1 - m2)
    va, vb = d.var(ddof=1) / d.size, sd_change ** 2 / n_c
    df_w = (va + vb) ** 2 / (va ** 2 / (d.size - 1) + vb ** 2 / (n_c - 1))
    half = stats.t.ppf(0.5 + spec["level"] / 2, df_w) * math.sqrt(va + vb)
    corpus = _rows(frames, 2)
    row = _one(corpus, "larger than in the " + re.escape(comp["label"]))
    assert row["value"] == pytest.approx(diff, rel=1e-12)
    # the envelope over r and the rounding contains the interval at the printed numbers
    assert row["low"] <= diff - half and diff + half <= row["high"]
    p = stats.ttest_ind_from_stats(d.mean(), d.std(ddof=1), d.size, m1 - m2, sd_change, n_c,
                                   equal_var=False).pvalue
    assert f"Welch p = {p:.3g}" in row["reading"]
    arm = _one(corpus, "fall in the " + re.escape(comp["label"]))
    assert arm["value"] == pytest.approx(m1 - m2, rel=1e-12)


def _wan(text, n):
    m, q1, q3 = (float(x) for x in re.fullmatch(r"(\S+) \((\S+)-(\S+)\)", text).groups())
    eta = 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    return (q1 + m + q3) / 3, (q3 - q1) / eta


def _mean_sd(row):
    if row.form == "median_iqr":
        return _wan(row.raw["value"], row.n)
    return float(row.parts["mean"].value), float(row.parts["dispersion"].value)


def test_controlled_pool_equals_statsmodels_on_effects_computed_here(section, data):
    from statsmodels.stats.meta_analysis import combine_effects

    _, _, frames = section
    spec = SHARED["pooled"]
    r = spec["correlation"]["central"]
    pool = next(p for p in spec["pools"] if p["design"] == "controlled")
    effects, variances = [], []
    for entry in spec["entries"]:
        how = entry["outcomes"].get(pool["outcome"])
        if (entry["design"] != "controlled" or how is None
                or entry["diabetes_type"]["type"] != pool["diabetes_type"]):
            continue
        rows = data[entry["study"]]
        change, var_sd, ns = [], [], []
        for arm in ("treatment", "control"):
            (m1, s1), (m2, s2) = (_mean_sd(rows[how[arm][t]]) for t in ("before", "after"))
            n = min(rows[how[arm]["before"]].n, rows[how[arm]["after"]].n)
            change.append(m2 - m1)
            var_sd.append(s1 ** 2 + s2 ** 2 - 2 * r * s1 * s2)
            ns.append(n)
        pooled_var = ((ns[0] - 1) * var_sd[0] + (ns[1] - 1) * var_sd[1]) / (ns[0] + ns[1] - 2)
        effects.append(change[0] - change[1])
        variances.append(pooled_var * (1 / ns[0] + 1 / ns[1]))
    y, v = np.array(effects), np.array(variances)
    res = combine_effects(y, v, method_re="dl")
    tau2 = max(0.0, float(res.tau2))
    w = 1 / (v + tau2)
    expected = float(w @ y / w.sum())
    k = len(y)
    # the normal (DerSimonian-Laird) interval and the Hartung-Knapp-Sidik-Jonkman one, by hand
    se_dl = math.sqrt(1 / w.sum())
    normal = (expected - stats.norm.ppf(0.975) * se_dl, expected + stats.norm.ppf(0.975) * se_dl)
    q = float(w @ (y - expected) ** 2) / (k - 1)
    se_hk = math.sqrt(q / w.sum())
    hksj = (expected - stats.t.ppf(0.975, k - 1) * se_hk, expected + stats.t.ppf(0.975, k - 1) * se_hk)
    pooled = _rows(frames, 4, beyond.POOLED)
    pooled = pooled[pooled["question"].str.contains(re.escape(f"'{pool['label']}'"))]
    assert len(pooled) == 2
    main, alternative = pooled.iloc[0], pooled.iloc[1]
    assert "labelled alternative" in alternative["question"] and "labelled alternative" not in main["question"]
    for row in (main, alternative):
        assert row["value"] == pytest.approx(expected, rel=1e-9)
    # fewer entries than the config's threshold: HKSJ is the main row, the normal one the alternative
    below = k < spec["hksj"]["below_k"]
    first, second = (hksj, normal) if below else (normal, hksj)
    assert ("Hartung-Knapp-Sidik-Jonkman" in main["reading"]) == below
    for row, ci in ((main, first), (alternative, second)):
        assert f"({ci[0]:.3g} to {ci[1]:.3g} at r = {r:g};" in row["reading"]
        assert row["low"] <= ci[0] and ci[1] <= row["high"]    # the envelope over r holds it


def test_no_pool_mixes_diabetes_types(section):
    _, _, frames = section
    spec = SHARED["pooled"]
    type_of = {e["label"]: e["diabetes_type"]["type"] for e in spec["entries"]}
    pooled = _rows(frames, 4, beyond.POOLED)
    assert len(pooled) == 2 * len(spec["pools"])
    for pool in spec["pools"]:
        row = _one(pooled, re.escape(f"'{pool['label']}'") + r"\?$")
        members = [label for label in type_of if label in row["reading"]]
        assert len(members) >= 2
        assert {type_of[m] for m in members} == {pool["diabetes_type"]}
    # every entry's type carries its source
    assert all(len(e["diabetes_type"]["source"]) > 10 for e in spec["entries"])


def test_a_pool_without_a_diabetes_type_is_refused(tmp_path):
    shutil.copytree(ROOT / "workflow" / "schemas", tmp_path / "workflow" / "schemas")
    text = (ROOT / CONFIG["beyond"]).read_text(encoding="utf-8")
    pool = SHARED["pooled"]["pools"][0]
    cut = text.replace(f", diabetes_type: {pool['diabetes_type']}}}", "}", 1)
    assert cut != text
    (tmp_path / "beyond.yaml").write_text(cut, encoding="utf-8")
    with pytest.raises(InputError, match="diabetes_type"):
        load_beyond({**CONFIG, "beyond": "beyond.yaml"}, root=tmp_path)


def test_stouffer_of_the_printed_p_values_by_hand(section):
    _, _, frames = section
    name = _study_with("carlisle")
    study = CONFIG["studies"][name]
    claims = {c["claim_id"]: c for c in load_claims(Path(study["claims"]), CLAIMS_SCHEMA, study)}
    ps = [float(claims[v["p"]]["claim"]) for v in study["beyond"]["carlisle"]["variables"]]
    z = sum(stats.norm.ppf(p) for p in ps) / math.sqrt(len(ps))
    rows = _rows(frames, 5, name)
    upper = _one(rows, r"printed baseline p-values.*\(1 - Phi\(z\)\)")
    lower = _one(rows, r"printed baseline p-values.*\(Phi\(z\)\)")
    assert upper["value"] == pytest.approx(1 - stats.norm.cdf(z), rel=1e-12)
    assert lower["value"] == pytest.approx(stats.norm.cdf(z), rel=1e-12)
    # at the ends of the rounding (4 decimals printed: +-0.00005)
    z_hi = sum(stats.norm.ppf(p + 0.00005) for p in ps) / math.sqrt(len(ps))
    if all(len(claims[v["p"]]["claim"].split(".")[1]) == 4 for v in study["beyond"]["carlisle"]["variables"]):
        assert upper["low"] == pytest.approx(stats.norm.sf(z_hi), rel=1e-9)
    # one simulated p per variable printed with its group summaries
    simulated = [v for v in study["beyond"]["carlisle"]["variables"] if "groups" in v]
    assert len(rows[rows["question"].str.contains("Carlisle's simulation give")]) == len(simulated)


def test_a_monte_carlo_p_of_zero_is_reported_as_a_bound(section):
    """No simulated trial as extreme: p < 1/(n_sim + 1) in the value and the reading, and the
    Stouffer combination over such p-values is a bound too (Phi(z) increases in every p)."""
    _, _, frames = section
    name = _study_with("carlisle")
    n_sim = CONFIG["studies"][name]["beyond"]["carlisle"]["n_sim"]
    bound = 1 / (n_sim + 1)
    rows = _rows(frames, 5, name)
    simulated = rows[rows["question"].str.contains("Carlisle's simulation give")]
    zero = simulated[simulated["value"].map(lambda v: isinstance(v, str))]
    assert len(zero) >= 1, "the config's study has simulated p-values of 0"
    for _, row in zero.iterrows():
        op, number = row["value"].split(" ")
        assert op == "<" and float(number) == pytest.approx(bound, rel=1e-15)
        assert f"simulated p < {bound:.3g} = 1/(n_sim + 1)" in row["reading"]
        assert beyond.shown(row["value"], row["low"], row["high"]).startswith(f"< {bound:.3g} ")
        assert row["low"] == 0 and row["high"] == pytest.approx(3 / n_sim)   # rule of three
    others = simulated[simulated["value"].map(lambda v: not isinstance(v, str))]
    assert (others["value"] > 0).all()
    # the combination: Phi(z) with every p of 0 taken at its bound, by hand
    study = CONFIG["studies"][name]
    claims = {c["claim_id"]: c for c in load_claims(Path(study["claims"]), CLAIMS_SCHEMA, study)}
    ps, it = [], iter(simulated["value"])
    for v in study["beyond"]["carlisle"]["variables"]:
        if "groups" in v:
            value = next(it)
            ps.append(float(value.split(" ")[1]) if isinstance(value, str) else value)
        else:
            ps.append(float(claims[v["p"]]["claim"]))
    z = sum(stats.norm.ppf(p) for p in ps) / math.sqrt(len(ps))
    lower = _one(rows, r"With Carlisle's simulated p-values.*\(Phi\(z\)\)")
    upper = _one(rows, r"With Carlisle's simulated p-values.*\(1 - Phi\(z\)\)")
    assert lower["value"].startswith("< ") and float(lower["value"][2:]) == pytest.approx(stats.norm.cdf(z), rel=1e-9)
    assert upper["value"].startswith("> ") and float(upper["value"][2:]) == pytest.approx(stats.norm.sf(z), rel=1e-9)
    assert "Combined Phi(z) < " in lower["reading"] and "taken at that bound" in lower["reading"]
    assert "Combined 1 - Phi(z) > " in upper["reading"]
    text = beyond.summary_section(list(frames.values()))
    assert f"< {bound:.3g} [0, " in text


def test_bound_text_never_overstates():
    # '< x' printed at or above x, '> x' at or below it: more digits where 3 would cross x
    assert beyond.bound_text("<", 1 / 5001) == "< 0.0002"
    assert beyond.bound_text("<", 0.12344) == "< 0.12344"       # 0.123 and 0.1234 are below it
    assert beyond.bound_text(">", 0.12366) == "> 0.12366"       # 0.124 and 0.1237 are above it
    assert beyond.bound_text("<", 0.1236) == "< 0.124"
    assert beyond.bound_text(">", 1 - 7.7696e-11) == "> 1 - 7.77e-11"
    assert beyond.bounded("<", 0.25) == "< 0.25"
    with pytest.raises(ValueError):
        beyond.bounded("=", 0.25)


def test_exact_sign_flip_p_by_brute_force_and_bootstrap_by_scipy(section, data):
    _, _, frames = section
    name = _study_with("robustness")
    study = CONFIG["studies"][name]
    spec = study["beyond"]["robustness"]
    df = data[name]
    rows = _rows(frames, 6, name)
    for check in spec["checks"]:
        c = study["checks"][check]
        if c["analysis"] != "paired_test":
            continue
        mask = pd.Series(True, index=df.index)
        if c.get("subset"):
            grouping, group = c["subset"].split(".")
            g = study["groupings"][grouping]
            for key, bound in g["variants"]["as_reported"][group].items():
                mask &= {"gt": df[g["column"]] > bound, "gte": df[g["column"]] >= bound,
                         "lt": df[g["column"]] < bound, "lte": df[g["column"]] <= bound}[key]
        d = (df.loc[mask, c["before"]] - df.loc[mask, c["after"]]).round(10).to_numpy(float)
        p_row = _one(rows, rf"Is {check} \(")
        boot_row = _one(rows, rf"reduction of {check} \(")
        if d.size <= 16:  # brute force over all 2^n sign vectors
            signs = np.array(list(itertools.product([1, -1], repeat=d.size)))
            sums = np.round(signs @ (d * 10)).astype(int)
            expected = np.mean(np.abs(sums) >= abs(int(round(d.sum() * 10))))
            assert p_row["value"] == pytest.approx(expected, rel=1e-12)
        bs = spec["bootstrap"]
        res = stats.bootstrap((d,), np.mean, n_resamples=bs["n_boot"], confidence_level=bs["level"],
                              method={"bca": "BCa"}.get(bs["method"], bs["method"]),
                              rng=np.random.default_rng(bs["seed"]))
        assert boot_row["value"] == pytest.approx(d.mean(), rel=1e-12)
        assert (boot_row["low"], boot_row["high"]) == (res.confidence_interval.low, res.confidence_interval.high)


def test_reverse_search_counts_its_hypotheses(section, data):
    _, _, frames = section
    name = _study_with("reverse_search")
    study = CONFIG["studies"][name]
    spec = study["beyond"]["reverse_search"]
    n_groups = sum(len(v) for g in study["groupings"].values() for v in g["variants"].values())
    n_thresholds = sum(len(t) for t in spec["thresholds"].values())
    expected = (1 + n_groups + 4 * n_thresholds) * 2 * (2 + 2 * spec["max_drop"])
    rows = _rows(frames, 7, name)
    assert len(rows) == len(spec["claims"])
    for _, row in rows.iterrows():
        assert f"{expected} hypotheses tried" in row["reading"]


# --- config, summary.md and the report -------------------------------------------------------

def test_a_typo_in_a_beyond_key_is_named_with_a_suggestion(tmp_path):
    name = _study_with("rtm")
    path = ROOT / "config" / "studies" / f"{name}.yaml"
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    study["beyond"]["rtm"]["within_person_cvv"] = study["beyond"]["rtm"].pop("within_person_cv")
    with pytest.raises(InputError, match=r"key 'beyond\.rtm\.within_person_cvv': unknown key \(did you mean 'within_person_cv'\?\)"):
        validate_config(study, path, ROOT / "workflow" / "schemas" / "study.schema.yaml")
    # an assumption without its source is refused
    study["beyond"]["rtm"]["within_person_cv"] = study["beyond"]["rtm"].pop("within_person_cvv")
    del study["beyond"]["rtm"]["within_person_cv"]["source"]
    with pytest.raises(InputError, match="source"):
        validate_config(study, path, ROOT / "workflow" / "schemas" / "study.schema.yaml")


def test_the_shared_file_names_only_known_studies(tmp_path):
    shutil.copytree(ROOT / "workflow" / "schemas", tmp_path / "workflow" / "schemas")
    text = (ROOT / CONFIG["beyond"]).read_text(encoding="utf-8")
    study = SHARED["external_control"]["patient"]["study"]
    (tmp_path / "beyond.yaml").write_text(text.replace(f"study: {study}", "study: no_such_study", 1),
                                          encoding="utf-8")
    with pytest.raises(InputError, match="unknown study.*no_such_study"):
        load_beyond({**CONFIG, "beyond": "beyond.yaml"}, root=tmp_path)


def test_summary_section_has_every_part(section):
    _, _, frames = section
    text = beyond.summary_section(list(frames.values()), "results/figures/beyond/pooled_forest.png")
    assert text.lstrip().startswith("## Is the effect real?")
    for part in beyond.PARTS.values():
        assert f"### {part[0]}. " in text
    n_rows = sum(len(f) for f in frames.values())
    assert len([line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| study")]) == n_rows
    assert "pooled_forest.png" in text


def test_report_shows_the_section_and_embeds_the_forest_plot(section, tmp_path):
    out, written, frames = section
    from test_report import CONFIG as REPORT_CONFIG, EVIDENCE, LEDGER, TABLE

    fig_dir = tmp_path / "figures"
    shutil.copytree(out / "figures" / beyond.FIGURE_DIR, fig_dir / beyond.FIGURE_DIR)
    shutil.copy(fig_dir / beyond.FIGURE_DIR / "pooled_forest.png", fig_dir / "pvalues.png")  # any PNG
    tables = [p for p in written if p.suffix == ".csv"]
    html = render(build_context(LEDGER, TABLE, EVIDENCE, REPORT_CONFIG, fig_dir, TEMPLATE.parent, tables), TEMPLATE)
    assert '<h2 id="beyond">Is the effect real?</h2>' in html
    assert html.count('<tr class="beyond-row"') == sum(len(f) for f in frames.values())
    assert html.count('<tr class="ledger-row v-') == len(LEDGER)  # the ledger table is unchanged
    assert html.count('<tr class="key-row"') >= 1  # the decision-relevant results open the section
    assert 'id="figure-beyond-pooled_forest"' in html
    assert html.count('src="data:image/png;base64,') == 2  # the p-value figure and the forest plot
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)  # still self-contained
    # without tables, no section
    html = render(build_context(LEDGER, TABLE, EVIDENCE, REPORT_CONFIG, fig_dir, TEMPLATE.parent), TEMPLATE)
    assert 'id="beyond"' not in html
