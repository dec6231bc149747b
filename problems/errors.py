"""Errors raised while reading problems.

Every message is meant to be printed to a user as is: it names the file (or source),
the line or record, and the field that is wrong.
"""

from __future__ import annotations

from pydantic import ValidationError

# A record with many broken fields would otherwise drown the first, most useful line.
MAX_REPORTED_FIELD_ERRORS = 5


class ProblemError(Exception):
    """Base class: anything that stops a set of problems from loading."""


class ProblemSourceError(ProblemError):
    """The source itself is unusable: unknown name, unreachable hub, empty folder."""


class ProblemNotFoundError(ProblemError):
    """A requested problem id is not in the source."""


class ProblemFileError(ProblemError):
    """A file (or a record inside one) does not hold a valid problem.

    ``where`` is the file path or, for the hub, the dataset and split. ``line`` (JSONL,
    1-based, printed as ``file:LINE``) or ``record`` (a JSON list or parquet rows, 0-based,
    printed as ``file[INDEX]``) locates the bad record; ``field`` is a dotted path into it.
    """

    def __init__(
        self,
        where: str,
        message: str,
        *,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
    ) -> None:
        self.where = where
        self.line = line
        self.record = record
        self.field = field
        self.detail = message
        super().__init__(_format(where, message, line=line, record=record, field=field))

    @classmethod
    def from_validation(
        cls,
        where: str,
        error: ValidationError,
        *,
        line: int | None = None,
        record: int | None = None,
    ) -> ProblemFileError:
        """One error whose message has a line per invalid field (the first few)."""
        items = error.errors(include_url=False)
        first = items[0]
        exc = cls(where, _message(first), line=line, record=record, field=field_path(first["loc"]))
        lines = [
            _format(where, _message(item), line=line, record=record, field=field_path(item["loc"]))
            for item in items[:MAX_REPORTED_FIELD_ERRORS]
        ]
        if len(items) > MAX_REPORTED_FIELD_ERRORS:
            lines.append(f"  ... and {len(items) - MAX_REPORTED_FIELD_ERRORS} more field errors")
        exc.args = ("\n".join(lines),)
        return exc


def field_path(loc: tuple[int | str, ...]) -> str | None:
    """``("private_tests", "output")`` -> ``private_tests.output``; indices as ``[i]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


def _message(item: dict) -> str:
    if item["type"] == "value_error" and "error" in item.get("ctx", {}):
        # Drop pydantic's "Value error, " prefix: our validators already word the message.
        return str(item["ctx"]["error"])
    if item["type"] == "missing":
        return "required field is missing"
    return str(item["msg"])


def _format(
    where: str,
    message: str,
    *,
    line: int | None,
    record: int | None,
    field: str | None,
) -> str:
    head = where
    if line is not None:
        head += f":{line}"
    elif record is not None:
        head += f"[{record}]"  # an index into the file's list of records
    parts = [head]
    if field:
        parts.append(field)
    parts.append(message)
    return ": ".join(parts)
