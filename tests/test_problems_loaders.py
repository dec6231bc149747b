from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from archon_code.stored_solutions import reference_solutions
import problems.bundled
import problems.loaders
from harness import cmd_problems
from problems import (
    Difficulty,
    Language,
    ProblemError,
    ProblemFileError,
    ProblemNotFoundError,
    ProblemSourceError,
    Source,
    Test,
    bundled_dir,
    load_bundled,
    load_problems,
    read_problem_dir,
)

# --- helpers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_rows(codecontests_dev) -> list[dict]:
    return [json.loads(line) for line in codecontests_dev.read_text().splitlines() if line.strip()]


def _small(name: str, **overrides) -> dict:
    record = {
        "name": name,
        "description": f"statement of {name}",
        "public_tests": {"input": ["1\n"], "output": ["1\n"]},
        "private_tests": {"input": ["1\n", "2\n", "3\n"], "output": ["1\n", "2\n", "3\n"]},
        "source": 2,
        "difficulty": 8,
    }
    record.update(overrides)
    return record


def _write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def _write_bundled(
    root: Path,
    slug: str,
    *,
    meta: str | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    folder = root / slug
    folder.mkdir(parents=True)
    (folder / "problem.yaml").write_text(
        meta
        if meta is not None
        else textwrap.dedent(
            f"""\
            name: {slug}-name
            description: |
              Print the sum of two integers.

              Example: `1 2` gives `3`.
            difficulty: MEDIUM
            time_limit_s: 1.5
            memory_limit_mb: 128
            tags: [math, implementation]
            """
        )
    )
    default_files = {
        "tests/public/1.in": "1 2\n",
        "tests/public/1.out": "3\n",
        "tests/public/2.in": "2 2\n",
        "tests/public/2.out": "4\n",
        "tests/public/10.in": "10 0\n",
        "tests/public/10.out": "10\n",
        "tests/private/01.in": "5 5\n",
        "tests/private/01.out": "10\n",
        "tests/private/02.in": "-1 1\r\n",
        "tests/private/02.out": "0\n",
        "solutions/correct/b_fast.cpp": "#include <cstdio>\nint main(){}\n",
        "solutions/correct/a_simple.py": "print(sum(map(int, input().split())))\n",
        "solutions/correct/NOTES.md": "not a solution\n",
        "solutions/incorrect/wrong.py": "print(0)\n",
    }
    for rel, text in (default_files if files is None else files).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return folder


# --- file formats --------------------------------------------------------------------


def test_parquet_round_trip_loads_the_same_problems_as_jsonl(codecontests_dev, dev_rows, tmp_path) -> None:
    import datasets

    parquet = tmp_path / "dev.parquet"
    datasets.Dataset.from_list(dev_rows).to_parquet(str(parquet))
    from_jsonl = load_problems(str(codecontests_dev))
    from_parquet = load_problems(str(parquet))
    assert len(from_parquet) == 80
    assert from_parquet == from_jsonl


def test_json_list_single_object_and_folder(dev_rows, tmp_path) -> None:
    (tmp_path / "list.json").write_text(json.dumps(dev_rows[:3]))
    (tmp_path / "one.json").write_text(json.dumps(dev_rows[5]))
    assert [p.name for p in load_problems(str(tmp_path / "list.json"))] == [r["name"] for r in dev_rows[:3]]
    assert [p.name for p in load_problems(str(tmp_path / "one.json"))] == [dev_rows[5]["name"]]

    _write_jsonl(tmp_path / "more.jsonl", dev_rows[10:12])
    _write_bundled(tmp_path, "sum")
    (tmp_path / "notes.txt").write_text("ignored")
    names = [p.name for p in load_problems(str(tmp_path))]
    # Entries in name order: list.json, more.jsonl, one.json, then the folder "sum".
    assert names == [r["name"] for r in dev_rows[:3] + dev_rows[10:12] + [dev_rows[5]]] + ["sum-name"]


def test_blank_lines_in_jsonl_are_skipped(tmp_path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(_small("a")) + "\n\n   \n" + json.dumps(_small("b")) + "\n")
    assert [p.id for p in load_problems(str(path))] == ["a", "b"]


# --- bad files -----------------------------------------------------------------------


def test_unequal_lengths_name_file_line_and_field(tmp_path) -> None:
    bad = _small("c", private_tests={"input": ["1", "2", "3"], "output": ["1", "2"]})
    path = _write_jsonl(tmp_path / "data.jsonl", [_small("a"), _small("b"), bad])
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    assert str(info.value) == f"{path}:3: private_tests.output: input and output lengths differ (3 vs 2)"
    assert (info.value.line, info.value.field) == (3, "private_tests.output")


def test_wrong_type_names_file_line_and_field(tmp_path) -> None:
    path = _write_jsonl(tmp_path / "data.jsonl", [_small("a"), _small("b", cf_rating="high")])
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    message = str(info.value)
    assert message.startswith(f"{path}:2: cf_rating: ")
    assert "integer" in message


def test_wrong_type_nested_in_a_list_names_the_index(tmp_path) -> None:
    bad = _small("a", public_tests={"input": ["1\n", 2], "output": ["1\n", "2\n"]})
    path = _write_jsonl(tmp_path / "data.jsonl", [bad])
    with pytest.raises(ProblemFileError, match=r"data\.jsonl:1: public_tests\.input\[1\]: .*string"):
        load_problems(str(path))


def test_missing_field_names_file_line_and_field(tmp_path) -> None:
    bad = _small("b")
    del bad["description"]
    path = _write_jsonl(tmp_path / "data.jsonl", [_small("a"), bad])
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    assert str(info.value) == f"{path}:2: description: required field is missing"


def test_invalid_json_line_names_file_and_line(tmp_path) -> None:
    path = _write_jsonl(tmp_path / "data.jsonl", [_small("a"), '{"name": "b", "description": ', _small("c")])
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    assert str(info.value).startswith(f"{path}:2: invalid JSON: ")
    assert info.value.line == 2


def test_non_object_line_is_rejected(tmp_path) -> None:
    path = _write_jsonl(tmp_path / "data.jsonl", ["[1, 2]"])
    with pytest.raises(ProblemFileError, match=r"data\.jsonl:1: expected a JSON object, got list"):
        load_problems(str(path))


def test_several_bad_fields_are_listed_one_per_line(tmp_path) -> None:
    path = _write_jsonl(tmp_path / "data.jsonl", [{"name": "x", "cf_rating": "a", "cf_tags": "b"}])
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    lines = str(info.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["description", "cf_rating", "cf_tags"]
    assert all(line.startswith(f"{path}:1: ") for line in lines)

    bad_fields = (
        "cf_rating", "cf_tags", "cf_points", "cf_contest_id",
        "time_limit", "memory_limit_bytes", "is_description_translated",
    )
    many = {"name": "x", "description": "d", **{field: "?" for field in bad_fields}}
    _write_jsonl(path, [many])
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    lines = str(info.value).splitlines()
    assert len(lines) == 6 and lines[-1] == "  ... and 2 more field errors"


def test_json_list_errors_name_the_record(tmp_path) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps([_small("a"), _small("b", time_limit={"seconds": "soon"})]))
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(path))
    assert str(info.value).startswith(f"{path}[1]: time_limit.seconds: ")
    path.write_text('[{"name": "a",\n "description": }]')
    with pytest.raises(ProblemFileError, match=r"data\.json:2: invalid JSON"):
        load_problems(str(path))


def test_bad_parquet_names_the_file_and_record(tmp_path) -> None:
    import datasets

    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"this is not parquet")
    with pytest.raises(ProblemFileError, match=r"garbage\.parquet: cannot read as parquet"):
        load_problems(str(garbage))

    rows = [_small("a"), _small("b", private_tests={"input": ["1"], "output": []})]
    bad = tmp_path / "bad.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(bad))
    with pytest.raises(ProblemFileError) as info:
        load_problems(str(bad))
    assert str(info.value) == (
        f"{bad}[1]: private_tests.output: input and output lengths differ (1 vs 0)"
    )


def test_all_loader_errors_share_one_base_class() -> None:
    for cls in (ProblemFileError, ProblemSourceError, ProblemNotFoundError):
        assert issubclass(cls, ProblemError)


# --- sources -------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["nonsense", "codecontest", "missing/file.jsonl"])
def test_unknown_source_lists_what_is_accepted(source) -> None:
    with pytest.raises(ProblemSourceError, match="expected 'bundled', 'codecontests'"):
        load_problems(source)


def test_unsupported_file_type_and_empty_folder(tmp_path) -> None:
    (tmp_path / "p.csv").write_text("name\n")
    with pytest.raises(ProblemSourceError, match=r"unsupported file type '\.csv'"):
        load_problems(str(tmp_path / "p.csv"))
    with pytest.raises(ProblemSourceError, match="no problems found in"):
        load_problems(str(tmp_path))


def test_split_is_only_for_codecontests(codecontests_dev) -> None:
    with pytest.raises(ProblemSourceError, match="only applies to the codecontests source"):
        load_problems(str(codecontests_dev), split="test")
    with pytest.raises(ProblemSourceError, match="only applies"):
        load_problems("bundled", split="test")


@pytest.mark.parametrize(
    ("source", "split", "message"),
    [
        ("codecontests:dev", None, "unknown split 'dev'"),
        ("codecontests", "validation", "unknown split 'validation'"),
        ("codecontests:test", "train", "conflicting splits"),
    ],
)
def test_bad_splits_are_refused_before_any_network(source, split, message) -> None:
    start = time.monotonic()
    with pytest.raises(ProblemSourceError, match=message):
        load_problems(source, split=split)
    assert time.monotonic() - start < 2


# --- the hub -------------------------------------------------------------------------


def test_hub_without_network_fails_fast_with_a_local_files_hint(monkeypatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    if problems.loaders.probe_hub(problems.loaders.hub_endpoint()) is None:
        pytest.skip("the Hugging Face Hub is reachable from this machine")
    start = time.monotonic()
    with pytest.raises(ProblemSourceError) as info:
        load_problems("codecontests:valid", limit=1)
    assert time.monotonic() - start < 30
    message = str(info.value)
    assert message.startswith(
        "cannot reach the Hugging Face Hub at https://huggingface.co to stream deepmind/code_contests:valid"
    )
    assert "point the problem source at local files" in message and ".parquet" in message


def test_a_silent_hub_is_given_up_on_after_the_probe_timeout(monkeypatch) -> None:
    # A listening socket that never answers: the TCP handshake succeeds, the HTTP
    # request hangs, as behind a firewall that drops packets.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
        monkeypatch.setattr(problems.loaders, "HUB_PROBE_TIMEOUT_S", 1.0)
        start = time.monotonic()
        expected = f"cannot reach the Hugging Face Hub at http://127.0.0.1:{port}"
        with pytest.raises(ProblemSourceError, match=expected):
            load_problems("codecontests")
        assert time.monotonic() - start < 5


def test_refused_connection_is_reported(monkeypatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}/")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
        with pytest.raises(ProblemSourceError, match="(?i)refused"):
            load_problems("codecontests:train")


def test_offline_mode_without_a_cached_copy_fails_fast(tmp_path) -> None:
    # A fresh process: the hub libraries read the offline switches at import time.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    env.pop("HF_DATASETS_CACHE", None)
    code = (
        "from problems import load_problems, ProblemSourceError\n"
        "try:\n    load_problems('codecontests:test', limit=1)\n"
        "except ProblemSourceError as e:\n    print(e)\n"
    )
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
        cwd=Path(problems.__file__).resolve().parent.parent,
    )
    assert time.monotonic() - start < 30
    assert out.stdout.startswith("offline mode is on"), out.stdout + out.stderr
    assert "deepmind/code_contests:test is not in the local datasets cache" in out.stdout
    assert "point the problem source at local files" in out.stdout


# --- filters -------------------------------------------------------------------------


def test_limit_and_zero_limit(codecontests_dev, dev_rows) -> None:
    assert [p.id for p in load_problems(str(codecontests_dev), limit=3)] == [r["name"] for r in dev_rows[:3]]
    assert load_problems(str(codecontests_dev), limit=0) == []
    with pytest.raises(ValueError):
        load_problems(str(codecontests_dev), limit=-1)


def test_limit_stops_reading_early(tmp_path) -> None:
    path = _write_jsonl(tmp_path / "p.jsonl", [_small("a"), _small("b"), "not json"])
    assert [p.id for p in load_problems(str(path), limit=2)] == ["a", "b"]
    with pytest.raises(ProblemFileError, match=":3: invalid JSON"):
        load_problems(str(path), limit=3)


def test_problem_ids_keep_the_requested_order(codecontests_dev, dev_rows) -> None:
    ids = [dev_rows[7]["name"], dev_rows[2]["name"], dev_rows[7]["name"]]
    assert [p.id for p in load_problems(str(codecontests_dev), problem_ids=ids)] == ids[:2]


def test_unknown_problem_id_suggests_close_matches(codecontests_dev) -> None:
    with pytest.raises(ProblemNotFoundError) as info:
        load_problems(
            str(codecontests_dev), problem_ids=["103_B. Cthulhu", "1000_E", "103_b. cthulu", "zzz"]
        )
    lines = str(info.value).splitlines()
    assert lines[0] == (
        f"unknown problem id '1000_E' in {codecontests_dev}; close matches: '1000_E. We Need More Bosses'"
    )
    assert lines[1].endswith("close matches: '103_B. Cthulhu'")
    assert lines[2] == f"unknown problem id 'zzz' in {codecontests_dev}"


def test_skip_images_drops_exactly_the_statements_with_images(codecontests_dev) -> None:
    everything = load_problems(str(codecontests_dev))
    kept = load_problems(str(codecontests_dev), skip_images=True)
    assert kept == [p for p in everything if not p.has_image]
    assert 0 < len(kept) < len(everything)
    assert all("<image>" not in p.description.lower() for p in kept)
    assert len(load_problems(str(codecontests_dev), skip_images=True, limit=5)) == 5


def test_seed_shuffles_deterministically_before_the_limit(codecontests_dev) -> None:
    source = str(codecontests_dev)
    in_order = [p.id for p in load_problems(source)]
    first = [p.id for p in load_problems(source, seed=1)]
    assert first == [p.id for p in load_problems(source, seed=1)]
    assert sorted(first) == sorted(in_order) and first != in_order
    assert first != [p.id for p in load_problems(source, seed=2)]
    assert [p.id for p in load_problems(source, seed=1, limit=4)] == first[:4]


def test_filters_compose(codecontests_dev) -> None:
    with_image = [p.id for p in load_problems(str(codecontests_dev)) if p.has_image][:2]
    without = [p.id for p in load_problems(str(codecontests_dev), skip_images=True)][:2]
    picked = load_problems(str(codecontests_dev), problem_ids=with_image + without, skip_images=True)
    assert [p.id for p in picked] == without
    picked = load_problems(str(codecontests_dev), problem_ids=without, seed=3, limit=1)
    assert len(picked) == 1 and picked[0].id in without


# --- the bundled format --------------------------------------------------------------


def test_bundled_folder_reads_into_the_codecontests_model(tmp_path) -> None:
    p = read_problem_dir(_write_bundled(tmp_path, "sum"))
    assert p.id == "sum-name"
    assert p.description.startswith("Print the sum")
    assert (p.source, p.difficulty) == (Source.UNKNOWN_SOURCE, Difficulty.MEDIUM)
    assert p.cf_tags == ["math", "implementation"]
    assert p.time_limit_s == 1.5 and p.time_limit.seconds == 1 and p.time_limit.nanos == 500_000_000
    assert p.memory_limit_mb == 128
    # Numeric order (1, 2, 10), and bytes kept as written (the \r\n survives).
    assert p.public() == [Test("1 2\n", "3\n"), Test("2 2\n", "4\n"), Test("10 0\n", "10\n")]
    assert p.hidden() == [Test("5 5\n", "10\n"), Test("-1 1\r\n", "0\n")]
    assert p.solutions.language == [Language.PYTHON3, Language.CPP]
    assert reference_solutions(p, "python") == ["print(sum(map(int, input().split())))\n"]
    assert reference_solutions(p, "cpp") == ["#include <cstdio>\nint main(){}\n"]
    assert p.incorrect_solutions.solution == ["print(0)\n"]


def test_bundled_defaults_when_optional_keys_are_absent(tmp_path) -> None:
    folder = _write_bundled(tmp_path, "tiny", meta="name: tiny\ndescription: Print 1.\n", files={})
    p = read_problem_dir(folder)
    assert p.time_limit_s == 2.0 and p.memory_limit_mb == 256
    assert p.difficulty is Difficulty.UNKNOWN_DIFFICULTY and p.public() == [] and p.cf_tags == []


def test_bundled_input_without_output_names_the_file(tmp_path) -> None:
    folder = _write_bundled(
        tmp_path,
        "lonely",
        files={"tests/private/03.in": "1\n", "tests/private/04.in": "1\n", "tests/private/04.out": "1\n"},
    )
    with pytest.raises(ProblemFileError) as info:
        read_problem_dir(folder)
    assert str(info.value) == f"{folder / 'tests/private/03.in'}: has no matching output file 03.out"


def test_bundled_output_without_input_names_the_file(tmp_path) -> None:
    folder = _write_bundled(tmp_path, "orphan", files={"tests/public/1.out": "1\n"})
    with pytest.raises(ProblemFileError, match=r"tests/public/1\.out: has no matching input file 1\.in"):
        read_problem_dir(folder)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ("description: x\n", ": name: required field is missing"),
        ("name: a\ndescription: x\ndifficulty: TRIVIAL\n", ": difficulty: unknown difficulty 'TRIVIAL'"),
        ("name: a\ndescription: x\ntime_limit: 2\n", ": time_limit: Extra inputs are not permitted"),
        ("name: a\ndescription: x\nmemory_limit_mb: lots\n", ": memory_limit_mb: "),
        ("name: a\ndescription: [x\n", ":3: invalid YAML"),
        ("- a\n- b\n", ": expected a mapping of keys, got list"),
    ],
)
def test_bad_problem_yaml_names_file_and_field(tmp_path, meta, expected) -> None:
    folder = _write_bundled(tmp_path, "bad", meta=meta, files={})
    with pytest.raises(ProblemFileError) as info:
        read_problem_dir(folder)
    assert str(info.value).startswith(f"{folder / 'problem.yaml'}{expected}")


def test_load_bundled_sorts_by_name_and_backs_the_bundled_source(tmp_path, monkeypatch) -> None:
    _write_bundled(tmp_path, "a-slug", meta="name: zebra\ndescription: z\n", files={})
    _write_bundled(tmp_path, "b-slug", meta="name: aardvark\ndescription: a\n", files={})
    (tmp_path / "not-a-problem").mkdir()
    assert [p.id for p in load_bundled(tmp_path)] == ["aardvark", "zebra"]
    monkeypatch.setattr(problems.bundled, "bundled_dir", lambda: tmp_path)
    assert [p.id for p in load_problems("bundled", problem_ids=["zebra"])] == ["zebra"]
    with pytest.raises(ProblemSourceError, match="no problem folders"):
        load_bundled(tmp_path / "not-a-problem")


def test_bundled_dir_is_inside_the_problems_package() -> None:
    assert bundled_dir() == Path(problems.__file__).resolve().parent / "data"


def test_a_problem_folder_is_a_source_on_its_own(tmp_path) -> None:
    folder = _write_bundled(tmp_path, "sum")
    assert [p.id for p in load_problems(str(folder))] == ["sum-name"]


# --- the command line ----------------------------------------------------------------


@pytest.fixture()
def cli() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """Test app holding only the problems commands."""

    cmd_problems.register(app)
    return app


def _invoke(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, ["problems", *args], env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_cli_list_shows_a_row_per_problem(cli, codecontests_dev, dev_rows) -> None:
    result = _invoke(cli, "list", str(codecontests_dev), "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "3 problems from" in result.stdout
    for row in dev_rows[:3]:
        assert row["name"] in result.stdout
    assert dev_rows[3]["name"] not in result.stdout
    first = next(line for line in result.stdout.splitlines() if dev_rows[0]["name"] in line)
    assert "python3×1" in first and " 3 " in first and " 7 " in first and "4 s" in first


def test_cli_list_skip_images(cli, codecontests_dev) -> None:
    expected = len(load_problems(str(codecontests_dev), skip_images=True))
    result = _invoke(cli, "list", str(codecontests_dev), "--skip-images")
    assert result.exit_code == 0
    assert f"{expected} problems from" in result.stdout


def test_cli_show_prints_statement_limits_and_counts(cli, codecontests_dev) -> None:
    result = _invoke(cli, "show", str(codecontests_dev), "103_B. Cthulhu")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "103_B. Cthulhu" in out and "CODEFORCES" in out
    assert "4 s" in out and "256 MiB" in out
    assert "3 public, 7 private, 0 generated" in out
    problem = load_problems(str(codecontests_dev), problem_ids=["103_B. Cthulhu"])[0]
    assert problem.description.splitlines()[0][:40] in out


def test_cli_bad_file_exits_2_with_the_message_and_no_traceback(cli, tmp_path) -> None:
    path = _write_jsonl(tmp_path / "data.jsonl", [_small("a"), _small("b", cf_tags="x")])
    result = _invoke(cli, "list", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: cf_tags: " in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_cli_unknown_source_and_unknown_id_exit_2(cli, codecontests_dev) -> None:
    result = _invoke(cli, "list", "no-such-source")
    assert result.exit_code == 2 and "unknown problem source 'no-such-source'" in result.stderr
    result = _invoke(cli, "show", str(codecontests_dev), "1000_E")
    assert result.exit_code == 2
    assert "close matches: '1000_E. We Need More Bosses'" in result.stderr
