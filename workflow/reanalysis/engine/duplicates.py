"""Repeated printed values and repeated runs of values (after R scrutiny's duplicates).

Modelled on scrutiny's ``duplicate_count`` (a frequency table of values, each with the
columns it occurs in, ``locations``, and their number, ``locations_n``) and
``duplicate_detect`` (Jung, https://lhdjung.github.io/scrutiny/, vignette "Duplication
analysis"). Values are compared as printed strings, so trailing zeros count ("8.40" is
not "8.4"), as scrutiny compares values coerced to character.

``find_duplicate_runs`` reports two kinds of finding:

* 'value' -- one printed value (or one tuple of printed fields, e.g. a mean and its SD)
  occurring in two or more records; ``count`` is its frequency as in duplicate_count,
  ``groups`` its locations and ``groups_n`` their number.
* 'run' -- a run of ``min_run`` or more consecutive records (in ``order_field`` order
  within one group) whose printed values reappear, in the same order, as consecutive
  records elsewhere: in another group, or further on in the same group without
  overlapping. Each run is maximal (it cannot be extended on either side at those two
  places); ``count`` is the number of places it occurs at.

Trivially common values are not reported on their own (as scrutiny warns, short values
duplicate by chance). The rule, for a record's key (its ``key_fields``, as printed):
the key is *trivial* when

1. its fields together have fewer than ``min_digits`` significant digits (digits from the
   first non-zero one on; an integer's trailing zeros do not count, a decimal's do:
   "10" has 1, "12" 2, "0.05" 1, "0.050" 2, "8.4" 2, "10.0" 3, "0.0" 0), or
2. any field is in ``ignore`` (exact strings, as scrutiny's ``ignore``), or
3. ``ignore_integers`` is set and every field is an integer (counts such as "10", "22").

A field that is empty, missing, or holds no digit at all ("NA", "-", "n.r.") makes the
record a gap, as scrutiny leaves NA out: it is never counted and a run never crosses
it. Trivial keys still take part in runs, but a run made of trivial keys only is not
reported.

How likely is a repeat by chance? (``coincidence_chance``, ``flag_by_chance``)
-----------------------------------------------------------------------------------
A repeat is flagged only where chance makes it unlikely. The model, for two printed
values of one quantity (the same outcome at the same time point) in two groups:

* each is a sample statistic (a mean, or a median) of its own group, X_a ~ N(mu_a, se_a^2)
  and X_b ~ N(mu_b, se_b^2), independent (different patients), with se from the printed
  dispersion and n (``se`` of each record);
* both are printed to the same unit h (one unit in the last printed place), by rounding to
  the nearest multiple of h; where the common grid falls relative to the means is uniform
  (its phase), which holds closely when se is not far below h;
* then P(both print the same) = E[max(0, 1 - |D| / h)], D = X_a - X_b ~ N(mu_a - mu_b, s^2),
  s^2 = se_a^2 + se_b^2 (for a given D, two points |D| apart fall into one cell of width
  h with probability max(0, 1 - |D| / h) over the phase). This is largest when
  mu_a = mu_b, the most favourable case for a coincidence, where with x = h / s

      P = erf(x / sqrt 2) - (2 / x) phi(0) (1 - exp(-x^2 / 2))

  (phi the standard normal density); P -> 1 as s -> 0 and P ~ h / (s sqrt(2 pi)) for
  s >> h. So the chance printed is an upper bound over the unknown true means: for two
  arms of one randomised trial at baseline it is the chance itself, for different
  studies or time points the true chance is smaller;
* an se that cannot be worked out (no dispersion or no n printed) is taken as 0, which
  can only raise the bound; with neither se known the bound is 1 and nothing is flagged;
* where the second field (an SD) is printed the same too, its chance multiplies in
  (the mean and SD of a normal sample are independent), with the SD's own se;
* a run of k values printed again in the same order at another place is k coincidences
  at once: its chance is the product over the k aligned pairs, taken as independent. A
  correlation between a group's outcomes (the same patients) would raise the joint chance
  above the product; the flag assumes it does not.

Each such chance is a p-value of the observed repeat under the model (the repeat either
happens or not), so the search tests every comparison it makes: pairs of values of one
quantity in two groups (``value``), and pairs of places in two groups where two or more
consecutive values of the same quantities line up (``run``, counted by where a run could
start). A repeat is flagged where its chance times the number of comparisons of its kind
in the table is at most ``alpha`` (Bonferroni): whatever the true means, the chance that
any flag of a table is a coincidence is then at most ``alpha``.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from itertools import combinations

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def significant_digits(text: str) -> int:
    """Significant digits of every number in a printed text, added up: "8.4" -> 2,
    "10" -> 1, "10.0" -> 3, "0.050" -> 2, "8.4 ± 0.6" -> 3, "NA" -> 0."""
    total = 0
    for number in _NUMBER.findall(str(text)):
        mantissa = re.split(r"[eE]", number.lstrip("+-"))[0]
        if "." in mantissa:
            digits = mantissa.replace(".", "").lstrip("0")
        else:
            digits = mantissa.lstrip("0").rstrip("0")
        total += len(digits)
    return total


def _is_integer(text: str) -> bool:
    return re.fullmatch(r"[+-]?[0-9]+", text) is not None


def _key(record: dict, key_fields) -> tuple[str, ...] | None:
    key = []
    for field in key_fields:
        value = record.get(field)
        text = "" if value is None else str(value).strip()
        if not any(ch in "0123456789" for ch in text):
            return None
        key.append(text)
    return tuple(key)


def _show(key: tuple[str, ...]) -> str:
    return "'" + " | ".join(key) + "'"


def find_duplicate_runs(records: list[dict], key_fields=("value",), min_run: int = 2, *,
                        id_field: str = "id", group_field: str = "group",
                        order_field: str = "position", min_digits: int = 2,
                        ignore=(), ignore_integers: bool = False) -> list[dict]:
    """Repeated printed values and repeated runs of consecutive printed values.

    ``records``: one dict per printed value (or row), with an id (``id_field``), a group,
    arm or study label (``group_field``), a position giving the printed order within the
    group (``order_field``), and the printed text in the ``key_fields``.

    Returns dicts, values first (by falling count, then first appearance), then runs (by
    falling length, then count):

    * kind 'value': ``values`` (the key, a tuple of strings), ``count`` (its frequency),
      ``ids`` (of all records holding it, in input order), ``groups`` (distinct, in order
      of appearance), ``groups_n``, ``reason``;
    * kind 'run': ``values`` (list of keys, in order), ``length``, ``count`` (number of
      places), ``ids`` (one list of record ids per place), ``groups`` (one label per
      place), ``groups_n`` (distinct groups), ``reason``.

    Trivially common keys (see the module docstring for the rule: ``min_digits``,
    ``ignore``, ``ignore_integers``) are left out of 'value' findings."""
    if isinstance(key_fields, str):
        key_fields = (key_fields,)
    key_fields = tuple(key_fields)
    if min_run < 2:
        raise ValueError(f"min_run must be at least 2, got {min_run}")
    trivial = _trivial_rule(min_digits, ignore, ignore_integers)
    keys = [_key(r, key_fields) for r in records]
    ids = [r.get(id_field, i) for i, r in enumerate(records)]
    groups = [r.get(group_field) for r in records]
    values = _repeated_values(keys, ids, groups, trivial)
    # each group's records in printed order
    order: dict = defaultdict(list)
    for i, r in enumerate(records):
        order[groups[i]].append(i)
    sequences = {g: sorted(rows, key=lambda i: (records[i].get(order_field, 0), i))
                 for g, rows in order.items()}
    places = _run_places(keys, sequences, min_run, trivial)
    return values + _repeated_runs(places, sequences, ids)


def _trivial_rule(min_digits: int, ignore, ignore_integers: bool):
    """The test of a trivially common key (the module docstring's rule)."""
    ignore = {str(v).strip() for v in ignore}

    def trivial(key: tuple[str, ...]) -> bool:
        return (sum(significant_digits(t) for t in key) < min_digits
                or any(t in ignore for t in key)
                or (ignore_integers and all(_is_integer(t) for t in key)))
    return trivial


def _repeated_values(keys: list, ids: list, groups: list, trivial) -> list[dict]:
    """The 'value' findings: one non-trivial key in several records, by falling count, then
    first appearance."""
    where: dict[tuple, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key is not None and not trivial(key):
            where[key].append(i)
    findings = []
    for key, rows in where.items():
        if len(rows) < 2:
            continue
        labels = list(dict.fromkeys(groups[i] for i in rows))
        findings.append({
            "kind": "value", "values": key, "count": len(rows),
            "ids": [ids[i] for i in rows], "groups": labels, "groups_n": len(labels),
            "reason": (f"{_show(key)} is printed {len(rows)} times, in "
                       + (f"{len(labels)} groups ({', '.join(map(str, labels))})"
                          if len(labels) > 1 else f"one group ({labels[0]})")
                       + f": ids {', '.join(map(str, (ids[i] for i in rows)))}"),
            "_first": rows[0]})
    findings.sort(key=lambda f: (-f["count"], f["_first"]))
    for f in findings:
        del f["_first"]
    return findings


def _run_places(keys: list, sequences: dict, min_run: int, trivial) -> dict[tuple, set]:
    """Every maximal run of ``min_run`` or more keys printed at two places, not all trivial:
    {run content: {(group number, start in the group's sequence)}}."""
    labels = list(sequences)
    places: dict[tuple, set] = defaultdict(set)
    for a, ga in enumerate(labels):
        sa = [keys[i] for i in sequences[ga]]
        for b, gb in enumerate(labels[a:], start=a):
            sb = [keys[i] for i in sequences[gb]]
            for i, j, length in _common_runs(sa, sb, same=ga == gb):
                run = tuple(sa[i:i + length])
                if length < min_run or all(trivial(k) for k in run):
                    continue
                places[run].add((a, i))
                places[run].add((b, j))
    return places


def _common_runs(sa: list, sb: list, same: bool):
    """(i, j, length) for each maximal run of equal keys (no gap) starting at sa[i] and
    sb[j]; for one group's sequence (``same``) the second place comes later and the two do
    not overlap."""
    for i in range(len(sa)):
        for j in range(i + 1 if same else 0, len(sb)):
            if sa[i] is None or sa[i] != sb[j]:
                continue
            if i > 0 and j > 0 and sa[i - 1] is not None and sa[i - 1] == sb[j - 1]:
                continue                      # not the start of a maximal run
            length = 0
            while (i + length < len(sa) and j + length < len(sb)
                   and sa[i + length] is not None and sa[i + length] == sb[j + length]):
                length += 1
            if same:
                length = min(length, j - i)   # the two places must not overlap
            yield i, j, length


def _repeated_runs(places: dict, sequences: dict, ids: list) -> list[dict]:
    """The 'run' findings, by falling length, then count."""
    labels = list(sequences)
    runs = []
    for run, spots in places.items():
        spots = sorted(spots)
        id_lists = [[ids[k] for k in sequences[labels[g]][s:s + len(run)]] for g, s in spots]
        where_text = "; ".join(
            f"{labels[g]} ({', '.join(map(str, lst))})" for (g, _), lst in zip(spots, id_lists))
        run_groups = [labels[g] for g, _ in spots]
        runs.append({
            "kind": "run", "values": list(run), "length": len(run), "count": len(spots),
            "ids": id_lists, "groups": run_groups,
            "groups_n": len(set(map(str, run_groups))),
            "reason": (f"the run {', '.join(_show(k) for k in run)} ({len(run)} consecutive "
                       f"values) is printed at {len(spots)} places: {where_text}")})
    runs.sort(key=lambda r: (-r["length"], -r["count"], r["reason"]))
    return runs


# --- the chance of a repeat ------------------------------------------------------------------

_PHI0 = 1.0 / math.sqrt(2.0 * math.pi)


def coincidence_chance(unit: float, se_a: float | None, se_b: float | None) -> float:
    """The largest chance that two independent estimates with standard errors ``se_a`` and
    ``se_b``, both printed to ``unit``, print the same (module notes): E[max(0, 1 - |D| /
    unit)] for D ~ N(0, se_a^2 + se_b^2). An unknown se (None) counts as 0."""
    if not unit > 0:
        raise ValueError(f"the printed unit must be positive, got {unit!r}")
    s = math.hypot(se_a or 0.0, se_b or 0.0)
    if s == 0:
        return 1.0
    x = unit / s
    return math.erf(x / math.sqrt(2.0)) - (2.0 / x) * _PHI0 * -math.expm1(-x * x / 2.0)


def _pair_chance(a: dict, b: dict) -> tuple[float, bool]:
    """The chance that two records print the same centre (and, where both print the same
    second field, that too): (chance, second field included)."""
    p = coincidence_chance(a["unit"], a.get("se"), b.get("se"))
    sa, sb = a.get("second"), b.get("second")
    if sa and sb and sa["text"] == sb["text"]:
        return p * coincidence_chance(sa["unit"], sa.get("se"), sb.get("se")), True
    return p, False


def _comparable(a: dict, b: dict) -> bool:
    """Two printed values of one quantity (outcome and time point) in two groups."""
    return a["group"] != b["group"] and a["quantity"] == b["quantity"]


def _g(x: float) -> str:
    return f"{x:.2g}"


def flag_by_chance(records: list[dict], alpha: float, min_run: int = 2) -> list[dict]:
    """The repeats of ``find_duplicate_runs`` that chance makes unlikely (module notes).

    ``records``: as for ``find_duplicate_runs`` (key field ``value``), each also with
    ``quantity`` (what it measures, e.g. (outcome, time point)), ``unit`` (its printed
    unit), ``se`` (its standard error, or None) and optionally ``second`` (a dict: ``text``,
    ``unit``, ``se`` of a second printed field such as the SD).

    Returns one dict per flagged pair: ``kind`` ('value' or 'run'), ``ids`` (the records of
    both places), ``values``, ``chance`` (the bound for this pair), ``comparisons`` (the
    number of comparisons of its kind), ``adjusted`` (chance x comparisons) and ``text``
    (a sentence without ';', for a note)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    by_id = {r["id"]: r for r in records}
    found = find_duplicate_runs(records, key_fields=("value",), min_run=min_run)
    usable = [r for r in records if _key(r, ("value",)) is not None]
    n_values = sum(_comparable(a, b) for a, b in combinations(usable, 2))
    # where a run of min_run could start: aligned places of two groups, min_run values
    # of the same quantities in a row
    order: dict = defaultdict(list)
    for r in usable:
        order[r["group"]].append(r)
    seqs = [sorted(rs, key=lambda r: r.get("position", 0)) for rs in order.values()]
    n_runs = sum(all(_comparable(sa[i + k], sb[j + k]) for k in range(min_run))
                 for sa, sb in combinations(seqs, 2)
                 for i in range(len(sa) - min_run + 1) for j in range(len(sb) - min_run + 1))
    flags = []
    for f in found:
        if f["kind"] == "value":
            places = [[by_id[i]] for i in f["ids"]]
            m, what = n_values, "pairs of values of one quantity in two groups"
        else:
            places = [[by_id[i] for i in ids] for ids in f["ids"]]
            m, what = n_runs, f"pairs of places in two groups where {min_run} or more values of the same quantities line up"
        for pa, pb in combinations(places, 2):
            if not all(_comparable(a, b) for a, b in zip(pa, pb)):
                continue
            parts = [_pair_chance(a, b) for a, b in zip(pa, pb)]
            chance = math.prod(p for p, _ in parts)
            if chance * m > alpha:
                continue
            shown = ", ".join("'" + a["value"] + (f" ± {a['second']['text']}" if both else "") + "'"
                              for a, (_, both) in zip(pa, parts))
            where = " and ".join(f"{p[0]['group']} ({', '.join(str(r['id']) for r in p)})" for p in (pa, pb))
            lead = (f"{shown} is printed for two groups of one quantity" if f["kind"] == "value" else
                    f"the run {shown} ({len(pa)} consecutive values) is printed at two places")
            flags.append({
                "kind": f["kind"], "ids": [r["id"] for r in pa + pb], "values": [a["value"] for a in pa],
                "chance": chance, "comparisons": m, "adjusted": chance * m,
                "text": (f"{lead}, {where}: chance at most {_g(chance)} (two independent estimates "
                         f"with their printed SEs at equal true means), {m} comparison"
                         f"{'' if m == 1 else 's'} of this kind in the table ({what}), "
                         f"Bonferroni {_g(chance * m)} <= alpha {alpha:g}")})
    return flags
