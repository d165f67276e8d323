"""Validation of config/config.yaml against its schema, with errors like every input error.

An error names the file, the key path (as the column), the offending value and the rule
it breaks; for an unknown key it suggests the nearest allowed one (a typo such as
``alpah`` for ``alpha``).
"""
from __future__ import annotations

import difflib
from pathlib import Path

import jsonschema
import yaml

from .inputs import InputError


def _short(value) -> str | None:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_yaml(config_path: str | Path) -> None:
    """A config that is not valid YAML, named with its line and column (Snakemake's own
    message says only that the file is not valid JSON or YAML)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        yaml.load(Path(config_path).read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, character {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise InputError(config_path, f"not valid YAML{where}: {problem}" + (f" ({context})" if context else ""),
                         rule="YAML syntax") from None


def validate_config(config: dict, config_path: str | Path, schema_path: str | Path) -> None:
    """Raise InputError for the most relevant way the config breaks its schema."""
    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        _check_files(config, config_path)
        return
    path = [str(p) for p in error.absolute_path]
    value = error.instance
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        key = extra[0]
        near = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise InputError(config_path, f"unknown key{hint}", key=".".join(path + [key]),
                         value=key, rule=f"allowed keys here: {', '.join(allowed)}")
    if error.validator == "required":
        raise InputError(config_path, "required key missing", key=".".join(path) or "(top level)",
                         rule=error.message)
    raise InputError(config_path, error.message if len(error.message) <= 200 else "value breaks the schema",
                     key=".".join(path) or "(top level)",
                     value=_short(value) if not isinstance(value, dict) else None,
                     rule=f"{error.validator} {_short(error.validator_value)}")


FILE_KEYS = ("table", "table_schema", "claims")


def _check_files(config: dict, config_path) -> None:
    """Every file a study names exists (else Snakemake would only say an input is missing)."""
    for name, study in sorted(config["studies"].items()):
        for key in FILE_KEYS:
            if not Path(study[key]).is_file():
                raise InputError(config_path, "file not found", key=f"studies.{name}.{key}",
                                 value=study[key], rule="the file must exist (relative to the working directory)")
