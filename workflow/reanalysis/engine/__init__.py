"""The engine, stage 1: rounding (the one interval rule), verdicts, the statistics recomputed
from printed summaries, the granularity tests, and two registries: the check kinds of
summary-level studies (``checks/``) and the analyses of patient-level ones (``analyses/``),
one module a kind. It reads no file and imports no other stage; every later stage may import it."""
