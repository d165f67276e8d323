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
"""
from __future__ import annotations

import re
from collections import defaultdict

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
    ignore = {str(v).strip() for v in ignore}

    def trivial(key: tuple[str, ...]) -> bool:
        return (sum(significant_digits(t) for t in key) < min_digits
                or any(t in ignore for t in key)
                or (ignore_integers and all(_is_integer(t) for t in key)))

    keys = [_key(r, key_fields) for r in records]
    ids = [r.get(id_field, i) for i, r in enumerate(records)]
    groups = [r.get(group_field) for r in records]

    # (a) the same printed value in several records
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

    # (b) runs: each group's records in printed order
    order: dict = defaultdict(list)
    for i, r in enumerate(records):
        order[groups[i]].append(i)
    sequences = {g: sorted(rows, key=lambda i: (records[i].get(order_field, 0), i))
                 for g, rows in order.items()}
    labels = list(sequences)
    places: dict[tuple, set] = defaultdict(set)      # run content -> {(group, start)}
    for a, ga in enumerate(labels):
        sa = [keys[i] for i in sequences[ga]]
        for gb in labels[a:]:
            sb = [keys[i] for i in sequences[gb]]
            same = ga == gb
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
                    run = tuple(sa[i:i + length])
                    if length < min_run or all(trivial(k) for k in run):
                        continue
                    places[run].add((a, i))
                    places[run].add((labels.index(gb), j))
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
    for f in findings:
        del f["_first"]
    return findings + runs
