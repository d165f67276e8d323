"""A grouping's definition, judged by which of its readings the subgroup claims reproduce under.

It computes nothing per variant: the ledger reads the rows of the checks it names (``checks``,
each on a subset of ``grouping``) under every variant of the grouping and says under which
the claims hold."""
from __future__ import annotations

from . import register

register("definition_consistency", note=__doc__.split("\n")[0], rows="none",
         fields={"grouping": {"type": "string"},
                 "checks": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
         required=("grouping", "checks"))(None)
