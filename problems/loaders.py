"""Where problems come from: the bundled set, the HF hub, or local files.

``load_problems`` is the one entry point. Sources:

- ``bundled``: the project's own problems (``problems/data``)
- ``codecontests`` or ``codecontests:SPLIT``: ``deepmind/code_contests`` streamed from the hub
- a path to a ``.jsonl``, ``.json`` (a list of records or one record) or ``.parquet`` file in
  the CodeContests schema, or a folder holding such files and/or bundled-format problem
  folders
"""

from __future__ import annotations

import difflib
import json
import os
import random
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from problems.bundled import is_problem_dir, load_bundled, read_problem_dir
from problems.errors import (
    ProblemError,
    ProblemFileError,
    ProblemNotFoundError,
    ProblemSourceError,
)
from problems.model import Problem

HF_DATASET = "deepmind/code_contests"
HF_SPLITS = ("train", "valid", "test")
DEFAULT_SPLIT = "test"
DEFAULT_HF_ENDPOINT = "https://huggingface.co"

# Without a network the datasets library retries for ~25 s before giving up (and a
# black-holed DNS can take longer still); one bounded probe answers in seconds.
HUB_PROBE_TIMEOUT_S = 5.0

_LOCAL_HINT = (
    "To work without the hub, point the problem source at local files instead: a .parquet "
    "file of the dataset (e.g. data/test-00000-of-00001.parquet, downloaded from "
    f"https://huggingface.co/datasets/{HF_DATASET} on a connected machine), a .jsonl or "
    ".json export in the same schema, or a folder of such files. "
    "HF_ENDPOINT selects a hub mirror."
)

_TRUTHY = {"1", "on", "yes", "true"}


def load_problems(
    source: str,
    *,
    split: str | None = None,
    limit: int | None = None,
    problem_ids: list[str] | None = None,
    skip_images: bool = False,
    seed: int | None = None,
) -> list[Problem]:
    """Load problems from ``source`` and apply the filters, in this order:
    ``problem_ids`` (result in the order given), ``skip_images``, shuffle by ``seed``,
    then ``limit``.

    Raises ``ProblemSourceError`` (bad or unreachable source), ``ProblemFileError``
    (a bad record, naming file, line and field) or ``ProblemNotFoundError`` (an id that
    is not in the source, with close matches).
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, not {limit}")
    label, problems = _open_source(source, split)
    wanted = list(dict.fromkeys(problem_ids)) if problem_ids is not None else None

    if wanted is not None:
        selected = _pick_ids(label, problems, wanted)
        if skip_images:
            selected = [p for p in selected if not p.has_image]
    else:
        if skip_images:
            problems = (p for p in problems if not p.has_image)
        if seed is None and limit is not None:
            # Stop reading early: matters when streaming a large split.
            selected = _take(problems, limit)
        else:
            selected = list(problems)

    if seed is not None:
        random.Random(seed).shuffle(selected)
    if limit is not None:
        selected = selected[:limit]
    return selected


def close_matches(problem_id: str, names: Iterable[str], n: int = 5) -> list[str]:
    """Names a user may have meant: same prefix (``1000_E`` for ``1000_E. Title``)
    first, then similar spellings, ignoring case."""
    names = list(dict.fromkeys(names))
    key = problem_id.strip().lower()
    prefix = [name for name in names if name.lower().startswith(key)]
    by_lower = {name.lower(): name for name in names}
    similar = [by_lower[m] for m in difflib.get_close_matches(key, list(by_lower), n=n)]
    return list(dict.fromkeys(prefix + similar))[:n]


def _take(problems: Iterator[Problem], limit: int) -> list[Problem]:
    out: list[Problem] = []
    if limit == 0:
        return out
    for problem in problems:
        out.append(problem)
        if len(out) >= limit:
            break
    return out


def _pick_ids(label: str, problems: Iterator[Problem], wanted: list[str]) -> list[Problem]:
    found: dict[str, Problem] = {}
    seen: list[str] = []
    for problem in problems:
        seen.append(problem.name)
        if problem.name in wanted and problem.name not in found:
            found[problem.name] = problem
            if len(found) == len(wanted):
                break
    missing = [pid for pid in wanted if pid not in found]
    if missing:
        lines = []
        for pid in missing:
            matches = close_matches(pid, seen)
            hint = ("; close matches: " + ", ".join(repr(m) for m in matches)) if matches else ""
            lines.append(f"unknown problem id {pid!r} in {label}{hint}")
        raise ProblemNotFoundError("\n".join(lines))
    return [found[pid] for pid in wanted]


# --- sources -------------------------------------------------------------------------


def _open_source(source: str, split: str | None) -> tuple[str, Iterator[Problem]]:
    """A label for messages and a lazy stream of problems. Errors about the source
    itself are raised here, before any record is read."""
    if source == "bundled":
        _no_split(source, split)
        return "the bundled problems", iter(load_bundled())
    if source == "codecontests" or source.startswith("codecontests:"):
        split = _hub_split(source, split)
        return f"{HF_DATASET}:{split}", _iter_hub(split)

    path = Path(source).expanduser()
    if not path.exists():
        raise ProblemSourceError(
            f"unknown problem source {source!r}: expected 'bundled', 'codecontests', "
            "'codecontests:SPLIT' or the path of a .jsonl/.json/.parquet file or folder "
            "(no such file or folder)"
        )
    _no_split(source, split)
    if path.is_dir():
        return str(path), _iter_dir(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ProblemSourceError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(_READERS)} or a folder"
        )
    return str(path), reader(path)


def _no_split(source: str, split: str | None) -> None:
    if split is not None:
        raise ProblemSourceError(
            f"a split ({split!r}) only applies to the codecontests source, not to {source!r}"
        )


def _hub_split(source: str, split: str | None) -> str:
    named = source.partition(":")[2] or None
    if named is not None and split is not None and named != split:
        raise ProblemSourceError(
            f"conflicting splits: {source!r} names {named!r} but split {split!r} was given"
        )
    chosen = named or split or DEFAULT_SPLIT
    if chosen not in HF_SPLITS:
        raise ProblemSourceError(
            f"unknown split {chosen!r} of {HF_DATASET}: expected one of {', '.join(HF_SPLITS)}"
        )
    return chosen


def _iter_dir(folder: Path) -> Iterator[Problem]:
    if is_problem_dir(folder):
        yield read_problem_dir(folder)
        return
    count = 0
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and is_problem_dir(entry):
            count += 1
            yield read_problem_dir(entry)
        elif entry.is_file() and entry.suffix.lower() in _READERS:
            for problem in _READERS[entry.suffix.lower()](entry):
                count += 1
                yield problem
    if count == 0:
        raise ProblemSourceError(
            f"no problems found in {folder}: expected .jsonl/.json/.parquet files or "
            "problem folders holding a problem.yaml"
        )


def _validate(
    where: str, record: Any, *, line: int | None = None, record_no: int | None = None
) -> Problem:
    if not isinstance(record, dict):
        raise ProblemFileError(
            where, f"expected a JSON object, got {type(record).__name__}", line=line, record=record_no
        )
    try:
        return Problem.model_validate(record)
    except ValidationError as e:
        raise ProblemFileError.from_validation(where, e, line=line, record=record_no) from None


def _iter_jsonl(path: Path) -> Iterator[Problem]:
    where = str(path)
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ProblemFileError(where, f"not valid UTF-8 (byte {e.start})", line=number) from None
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as e:
                raise ProblemFileError(
                    where, f"invalid JSON: {e.msg} (column {e.colno})", line=number
                ) from None
            yield _validate(where, record, line=number)


def _iter_json(path: Path) -> Iterator[Problem]:
    where = str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ProblemFileError(where, f"not valid UTF-8 (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise ProblemFileError(
            where, f"invalid JSON: {e.msg} (column {e.colno})", line=e.lineno
        ) from None
    if isinstance(data, dict):
        yield _validate(where, data)
    elif isinstance(data, list):
        for index, record in enumerate(data):
            yield _validate(where, record, record_no=index)
    else:
        raise ProblemFileError(
            where, f"expected a list of problems or one problem, got {type(data).__name__}"
        )


def _iter_parquet(path: Path) -> Iterator[Problem]:
    import datasets

    where = str(path)
    try:
        # Streaming reads the file in place instead of copying it into the HF cache.
        dataset = datasets.load_dataset("parquet", data_files=str(path), split="train", streaming=True)
        rows = iter(dataset)
    except Exception as e:
        raise ProblemFileError(where, f"cannot read as parquet: {_reason(e)}") from None
    yield from _validate_rows(
        where, rows, lambda e: ProblemFileError(where, f"cannot read as parquet: {_reason(e)}")
    )


def _validate_rows(
    where: str, rows: Iterator[dict], on_read_error: Callable[[Exception], ProblemError]
) -> Iterator[Problem]:
    index = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as e:
            raise on_read_error(e) from None
        yield _validate(where, row, record_no=index)
        index += 1


_READERS: dict[str, Callable[[Path], Iterator[Problem]]] = {
    ".jsonl": _iter_jsonl,
    ".json": _iter_json,
    ".parquet": _iter_parquet,
}


# --- the hub ---------------------------------------------------------------------------


def _iter_hub(split: str) -> Iterator[Problem]:
    import datasets

    where = f"{HF_DATASET}:{split}"
    if hub_offline():
        # Offline, only a dataset already in the local cache can load, and streaming
        # never uses that cache.
        try:
            rows = iter(datasets.load_dataset(HF_DATASET, split=split))
        except Exception as e:
            raise ProblemSourceError(
                f"offline mode is on (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE) and {where} is "
                f"not in the local datasets cache: {_reason(e)}. {_LOCAL_HINT}"
            ) from None
    else:
        endpoint = hub_endpoint()
        problem = probe_hub(endpoint)
        if problem is not None:
            raise ProblemSourceError(
                f"cannot reach the Hugging Face Hub at {endpoint} to stream {where}: "
                f"{problem}. {_LOCAL_HINT}"
            )
        try:
            rows = iter(datasets.load_dataset(HF_DATASET, split=split, streaming=True))
        except Exception as e:
            raise ProblemSourceError(
                f"cannot open {where} on the hub: {_reason(e)}. {_LOCAL_HINT}"
            ) from None

    yield from _validate_rows(
        where,
        rows,
        lambda e: ProblemSourceError(f"reading {where} from the hub failed: {_reason(e)}. {_LOCAL_HINT}"),
    )


def hub_offline() -> bool:
    return any(
        os.environ.get(var, "").strip().lower() in _TRUTHY
        for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "").strip().rstrip("/") or DEFAULT_HF_ENDPOINT


def probe_hub(endpoint: str, timeout_s: float | None = None) -> str | None:
    """None if the hub answers at all (any HTTP status), else why not.

    Runs in a daemon thread so the bound also covers name resolution, which the socket
    timeout does not.
    """
    timeout_s = HUB_PROBE_TIMEOUT_S if timeout_s is None else timeout_s
    url = f"{endpoint}/api/datasets/{HF_DATASET}"
    outcome: list[str | None] = []

    def probe() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout_s):
                outcome.append(None)
        except urllib.error.HTTPError:
            outcome.append(None)  # the server answered; the real request will say more
        except urllib.error.URLError as e:
            outcome.append(str(e.reason))
        except (OSError, ValueError) as e:
            outcome.append(_reason(e))

    thread = threading.Thread(target=probe, name="hub-probe", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not outcome:
        return f"no answer within {timeout_s:g} s"
    return outcome[0]


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
