"""The config: shared settings in config/config.yaml, one file per study in its studies_dir.

Every ``<study>.yaml`` in ``studies_dir`` is a study, named by its file name, so a paper is
added without editing any other file. Each file is validated against its schema with
errors like every input error.

An error names the file, the key path (as the column), the offending value and the rule
it breaks; for an unknown key it suggests the nearest allowed one (a typo such as
``alpah`` for ``alpha``).
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml

from reanalysis.errors import InputError


def _short(value) -> str | None:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_yaml(config_path: str | Path):
    """Parse a YAML file; one that is not valid YAML is named with its line and column
    (Snakemake's own message says only that the file is not valid JSON or YAML)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(Path(config_path).read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, character {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise InputError(config_path, f"not valid YAML{where}: {problem}" + (f" ({context})" if context else ""),
                         rule="YAML syntax") from None


KIND_KEY = "x-check-kind"   # a check kind's schema (reanalysis.engine.checks) says which kind it is
ANALYSIS_KEY = "x-patient-analysis"   # and an analysis's (reanalysis.engine.analyses) which analysis
CONFIG_SCHEMA = "workflow/schemas/config.schema.yaml"
STUDY_SCHEMA = "workflow/schemas/study.schema.yaml"
STUDY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def study_file(config: dict, name: str) -> str:
    """The config file of one study."""
    return f"{config['studies_dir']}/{name}.yaml"


def audit_parts(config: dict) -> dict[str, list[str]]:
    """The studies each audit job takes, by the job's name: one study a job (named by the
    study) unless ``studies_per_job`` is above 1, when consecutive studies in name order
    share a job named "<first>_to_<last>". A batch saves the interpreter start and imports
    per study that dominate a large corpus; the price is that a change to one study reruns
    its whole batch."""
    studies = sorted(config["studies"])
    size = int(config.get("studies_per_job", 1))
    if size <= 1:
        return {s: [s] for s in studies}
    chunks = [studies[i:i + size] for i in range(0, len(studies), size)]
    return {(c[0] if len(c) == 1 else f"{c[0]}_to_{c[-1]}"): c for c in chunks}


def randomised_trials(config: dict) -> list[str]:
    """The studies whose own file says they are randomised trials (``study_type``), to which
    INSPECT-SR applies (workflow/reanalysis/trust/inspect_sr.py)."""
    return sorted(s for s, st in config.get("studies", {}).items()
                  if st.get("study_type", {}).get("randomised_trial") is True)


def papers_dir(config: dict, name: str) -> Path:
    """Where a study's paper text lies: its own papers_dir, or the shared one."""
    return Path(config["studies"][name].get("papers_dir", config["papers_dir"]))


def study_names(studies_dir: str | Path) -> list[str]:
    return sorted(p.stem for p in Path(studies_dir).glob("*.yaml"))


def load_studies(config: dict, config_path: str | Path = "config/config.yaml",
                 schema_dir: str | Path = "workflow/schemas", root: str | Path = ".",
                 only: str | None = None, cache: bool = False) -> dict:
    """Validate the shared config, read every study file into config['studies'], validate
    each against the study schema; return config (changed in place). Paths in the config
    are relative to ``root``, the repository. ``only`` reads just that study; ``cache``
    reuses the validated studies of an earlier run while no file has changed."""
    root = Path(root)
    schema_dir = root / schema_dir
    shared = {k: v for k, v in config.items() if k != "studies"}
    studies_dir = root / str(config.get("studies_dir", ""))
    cached = _cache_key(shared, studies_dir, schema_dir) if cache and only is None else None
    if cached is not None:
        hit = _read_cache(root, cached)
        if hit is not None:
            config["studies"] = hit
            return config
    validate_config(shared, config_path, schema_dir / Path(CONFIG_SCHEMA).name)
    if not studies_dir.is_dir():
        raise InputError(config_path, "studies_dir is not a folder", key="studies_dir",
                         value=config["studies_dir"], rule="a folder holding one <study>.yaml per study")
    study_schema = _schema(schema_dir / Path(STUDY_SCHEMA).name)
    studies = {}
    for path in sorted(studies_dir.glob("*.yaml" if only is None else f"{only}.yaml")):
        if not STUDY_NAME.match(path.stem):
            raise InputError(path, "a study file's name is not a valid study name", value=path.name,
                             rule="lower-case letters, digits and _, starting with a letter, then .yaml")
        study = check_yaml(path)
        if not isinstance(study, dict):
            raise InputError(path, "a study file must hold a mapping of settings", value=_short(study),
                             rule="keys such as title, design, table, claims, checks")
        _validate(study, path, study_schema)
        _check_files(study, path.relative_to(root) if path.is_relative_to(root) else path, root)
        studies[path.stem] = study
    if not studies:
        raise InputError(config_path, "no study found", key="studies_dir", value=config["studies_dir"],
                         rule="at least one <study>.yaml (python -m reanalysis new <study> writes one)")
    config["studies"] = studies
    if cached is not None:
        _write_cache(root, cached, studies)
    return config


# A no-op rerun should cost little: once every file has been validated, the parsed studies
# are kept in .snakemake/ under a key made of the shared settings and the content of every
# study file and schema. Any change to any of them misses the cache and validates anew.
_CACHE = Path(".snakemake/reanalysis/studies.pickle")
# The check kinds' modules (engine/checks/) and the patient-level analyses' (engine/analyses/),
# read as files: importing them here would slow every Snakemake start.
KINDS_DIR = Path(__file__).resolve().parents[1] / "engine" / "checks"
ANALYSES_DIR = KINDS_DIR.parent / "analyses"


def _cache_key(shared: dict, studies_dir: Path, schema_dir: Path):
    if not studies_dir.is_dir():
        return None
    import hashlib
    digest = hashlib.sha256(repr(sorted(shared.items())).encode())
    kinds = sorted(KINDS_DIR.glob("*.py")) + sorted(ANALYSES_DIR.glob("*.py"))   # they compose the study schema
    for path in sorted(studies_dir.glob("*.yaml")) + sorted(schema_dir.glob("*.yaml")) + kinds:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_cache(root: Path, key: str):
    import pickle
    try:
        with open(root / _CACHE, "rb") as fh:
            stored_key, studies = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError):
        return None
    return studies if stored_key == key else None


def _write_cache(root: Path, key: str, studies: dict) -> None:
    import pickle
    path = root / _CACHE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((key, studies), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a read-only checkout validates every time


# A schema whose `$defs` entry holds this key is filled from the registry of check kinds
# (reanalysis.engine.checks): each kind's fields, valid only for that kind; and the next from
# the registry of patient-level analyses (reanalysis.engine.analyses), likewise.
COMPOSED = "x-composed-from-check-kinds"
COMPOSED_ANALYSES = "x-composed-from-patient-analyses"


def _schema(path: Path) -> dict:
    schema = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)
    for marker, registry in ((COMPOSED, "checks"), (COMPOSED_ANALYSES, "analyses")):
        if marker in schema.get("$defs", {}):
            import importlib

            del schema["$defs"][marker]
            schema["$defs"].update(importlib.import_module(f"reanalysis.engine.{registry}").schema_defs())
    return schema


def _owner(schema: dict) -> tuple[str, str, list] | None:
    """Whose fields a schema holds, for an error: ("check kind" or "analysis", its name, and
    the function naming who else has a field); None for any other schema."""
    if schema.get(KIND_KEY):
        from reanalysis.engine.checks import kinds_using

        return "check kind", schema[KIND_KEY], kinds_using
    if schema.get(ANALYSIS_KEY):
        from reanalysis.engine.analyses import analyses_using

        return "analysis", schema[ANALYSIS_KEY], analyses_using
    return None


def validate_config(config: dict, config_path: str | Path, schema_path: str | Path) -> None:
    """Raise InputError for the most relevant way a config file breaks its schema."""
    _validate(config, config_path, _schema(schema_path))


def _validate(config: dict, config_path, schema: dict) -> None:
    import jsonschema  # only where something is validated (not on a cached no-op rerun)

    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        return
    path = [str(p) for p in error.absolute_path]
    value = error.instance
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        key = extra[0]
        near = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        owner = _owner(error.schema)
        if owner:
            what, name, using = owner
            users = using(key)
            hint += f"; '{key}' is a field of {', '.join(users)}" if users else ""
            raise InputError(config_path, f"{what} '{name}' has no field '{key}'{hint}",
                             key=".".join(path + [key]), value=key,
                             rule=f"fields of {what.split()[-1]} '{name}': {', '.join(allowed)}")
        raise InputError(config_path, f"unknown key{hint}", key=".".join(path + [key]),
                         value=key, rule=f"allowed keys here: {', '.join(allowed)}")
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else None
        hint = {"checks": "; an empty study may start with `checks: {}`"}.get(missing, "")
        raise InputError(config_path, "required key missing", key=".".join(path) or "(top level)",
                         rule=error.message + hint)
    raise InputError(config_path, error.message if len(error.message) <= 200 else "value breaks the schema",
                     key=".".join(path) or "(top level)",
                     value=_short(value) if not isinstance(value, dict) else None,
                     rule=f"{error.validator} {_short(error.validator_value)}")


FILE_KEYS = ("table", "table_schema", "claims", "value_ranges")


def _check_files(study: dict, config_path, root: Path = Path(".")) -> None:
    """Every file a study names exists (else Snakemake would only say an input is missing)."""
    for key in FILE_KEYS:
        if key in study and not (root / study[key]).is_file():
            raise InputError(config_path, "file not found", key=key, value=study[key],
                             rule="the file must exist (relative to the repository root)")


BEYOND_SCHEMA = "workflow/schemas/beyond.schema.yaml"


def load_settings_file(config: dict, key: str, schema: str, keys: str, root: str | Path = ".",
                       schema_dir: str | Path = "workflow/schemas") -> dict | None:
    """A settings file that config/config.yaml names under ``key`` (the analyses that span
    studies, the trust rules), read and validated against ``schema`` with errors like every
    config error; None when the key is unset. ``keys`` says what the file holds, for the error."""
    if not config.get(key):
        return None
    root = Path(root)
    path = root / config[key]
    if not path.is_file():
        raise InputError("config/config.yaml", "file not found", key=key, value=config[key],
                         rule="the file must exist (relative to the repository root)")
    settings = check_yaml(path)
    if not isinstance(settings, dict):
        raise InputError(config[key], "the file must hold a mapping of settings", value=_short(settings), rule=keys)
    _validate(settings, config[key], _schema(root / schema_dir / Path(schema).name))
    return settings


def load_beyond(config: dict, root: str | Path = ".", schema_dir: str | Path = "workflow/schemas") -> dict | None:
    """The file of the analyses that span studies (config key ``beyond``), validated against
    ``beyond.schema.yaml`` with errors like every config error; None when the key is unset.
    Every study it names must be a study of the config."""
    beyond = load_settings_file(config, "beyond", BEYOND_SCHEMA, "keys external_control and pooled", root, schema_dir)
    if beyond is None:
        return None
    studies = config.get("studies", {})
    named = [("external_control.patient.study", beyond["external_control"]["patient"]["study"])]
    named += [(f"external_control.comparators.{i}.study", c["study"])
              for i, c in enumerate(beyond["external_control"]["comparators"])]
    named += [(f"pooled.entries.{i}.study", e["study"]) for i, e in enumerate(beyond["pooled"]["entries"])]
    for key, name in named:
        if name not in studies:
            raise InputError(config["beyond"], "unknown study", key=key, value=name,
                             rule=f"a study of {config.get('studies_dir', 'studies_dir')}: {', '.join(sorted(studies))}")
    return beyond


def load_config(root: str | Path = ".", config_path: str = "config/config.yaml") -> dict:
    """The whole config, shared settings and every study, as the workflow sees it."""
    root = Path(root)
    return load_studies(check_yaml(root / config_path), config_path, root=root)
