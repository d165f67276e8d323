"""The one error every stage raises on bad input: it names the file, the row, the column,
the value and the rule broken; ``reanalysis.cli.run`` turns it into a clear non-zero exit."""
from __future__ import annotations


class InputError(ValueError):
    """Bad input: the message says where, what, and which rule it breaks."""

    def __init__(self, file, message, row=None, column=None, value=None, rule=None, key=None):
        self.file, self.row, self.column, self.value, self.rule = file, row, column, value, rule
        parts = [str(file)]
        if key is not None:  # a config file's key path, where a table has row and column
            parts.append(f"key '{key}'")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column '{column}'")
        where = ", ".join(parts)
        detail = message
        if value is not None:
            detail += f"; value {value!r}"
        if rule is not None:
            detail += f"; rule: {rule}"
        super().__init__(f"{where}: {detail}")


