"""LLMClient and ResponseCache, through litellm, against a real local HTTP server."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archon_code.cache import CachedResponse, ResponseCache, cache_key, default_cache_path
from archon_code.llm import (
    Completion,
    LLMClient,
    LLMError,
    LLMSettings,
    RetryNotice,
    Usage,
    missing_credentials,
)
from archon_code.llm_defaults import DEFAULT_TIMEOUT_S, TIMEOUT_ENV, default_timeout_s
from tests.openai_server import Delay, Empty, Garbage, RateLimited, Reply, ServerError

REPO = Path(__file__).resolve().parent.parent

MESSAGES = [
    {"role": "system", "content": "You are a competitive programmer."},
    {"role": "user", "content": "Read two integers and print their sum."},
]


def make_client(server, model: str = "openai/test-model", **kwargs) -> LLMClient:
    kwargs.setdefault("api_key", "test-key")
    kwargs.setdefault("timeout_s", 5)
    kwargs.setdefault("backoff_base_s", 0.01)
    kwargs.setdefault("backoff_max_s", 0.05)
    return LLMClient(model, api_base=server.api_base, **kwargs)


def fail_first(fault, times: int = 1):
    """A script that answers ``fault`` to the first ``times`` requests, then n texts."""

    def script(request, call_index):
        if call_index < times:
            return fault
        n = int(request.get("n") or 1)
        return [f"ok {call_index}.{i}" for i in range(n)]

    return script


# -- sampling ------------------------------------------------------------------------------


async def test_n_samples_come_from_one_request(openai_server):
    openai_server.script = lambda req, i: Reply(
        [f"print({k})" for k in range(req["n"])], prompt_tokens=30, completion_tokens=9
    )
    client = make_client(openai_server)

    out = await client.complete(MESSAGES, n=3, temperature=0.8, max_tokens=256)

    assert [c.text for c in out] == ["print(0)", "print(1)", "print(2)"]
    assert [c.sample_index for c in out] == [0, 1, 2]
    assert all(not c.cached and c.model == "openai/test-model" for c in out)
    assert all(c.finish_reason == "stop" for c in out)
    assert sum(c.prompt_tokens for c in out) == 30
    assert sum(c.completion_tokens for c in out) == 9
    (request,) = openai_server.chat_requests
    assert request.path == "/v1/chat/completions"
    assert request.body["n"] == 3
    assert request.body["temperature"] == 0.8
    assert request.body["max_tokens"] == 256
    assert request.body["messages"] == MESSAGES
    assert client.usage.calls == 1 and client.usage.samples == 3


async def test_single_sample_request_omits_n(openai_server):
    client = make_client(openai_server)

    (completion,) = await client.complete(MESSAGES)

    assert completion.text == "answer 0.0"
    assert "n" not in openai_server.chat_requests[0].body


async def test_provider_ignoring_n_falls_back_to_separate_calls(openai_server):
    openai_server.script = lambda req, i: [f"only one choice from call {i}"]
    client = make_client(openai_server)

    out = await client.complete(MESSAGES, n=3, seed=7)

    assert len(out) == 3
    assert len({c.text for c in out}) == 3
    assert [c.sample_index for c in out] == [0, 1, 2]
    bodies = [r.body for r in openai_server.chat_requests]
    assert bodies[0]["n"] == 3
    # The remaining samples are asked one by one, each with its own seed.
    assert all("n" not in b for b in bodies[1:])
    assert sorted(b["seed"] for b in bodies[1:]) == [8, 9]

    # Having learned the provider ignores n, the client no longer asks for it.
    await client.complete(MESSAGES, n=2, sample_offset=3)
    assert all("n" not in r.body for r in openai_server.chat_requests[3:])
    assert len(openai_server.chat_requests) == 5


async def test_sample_offset_numbers_the_samples(openai_server):
    client = make_client(openai_server)

    out = await client.complete(MESSAGES, n=2, sample_offset=5)

    assert [c.sample_index for c in out] == [5, 6]


async def test_legacy_path_without_v1_is_served(openai_server):
    client = LLMClient("openai/test-model", api_base=f"http://127.0.0.1:{openai_server.port}", api_key="k")

    (completion,) = await client.complete(MESSAGES)

    assert completion.text == "answer 0.0"
    assert openai_server.chat_requests[0].path == "/chat/completions"


# -- faults and retries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "client_kwargs"),
    [
        pytest.param(RateLimited(retry_after=0), {}, id="429"),
        pytest.param(ServerError(500), {}, id="500"),
        pytest.param(ServerError(503), {}, id="503"),
        pytest.param(Delay(10), {"timeout_s": 0.5}, id="timeout"),
        pytest.param(Garbage(), {}, id="non-json-body"),
        pytest.param(Garbage.no_choices(), {}, id="json-without-choices"),
    ],
)
async def test_transient_fault_is_retried_then_succeeds(openai_server, fault, client_kwargs):
    openai_server.script = fail_first(fault)
    client = make_client(openai_server, **client_kwargs)
    usage = Usage()

    out = await client.complete(MESSAGES, n=2, usage=usage)

    assert [c.text for c in out] == ["ok 1.0", "ok 1.1"]
    assert len(openai_server.chat_requests) == 2
    for counted in (usage, client.usage):
        assert counted.calls == 2
        assert counted.retries == 1
        assert counted.failures == 0
        assert counted.samples == 2


async def test_retry_after_header_is_honoured(openai_server):
    openai_server.script = fail_first(RateLimited(retry_after=0.4))
    client = make_client(openai_server, backoff_base_s=0.001, backoff_max_s=5)

    started = time.monotonic()
    await client.complete(MESSAGES)

    assert time.monotonic() - started >= 0.4
    assert len(openai_server.chat_requests) == 2


@pytest.mark.parametrize(
    ("fault", "kind", "status", "client_kwargs"),
    [
        pytest.param(ServerError(500), "server_error", 500, {}, id="500"),
        pytest.param(RateLimited(retry_after=0), "rate_limit", 429, {}, id="429"),
        pytest.param(Garbage(), "malformed_response", None, {}, id="garbage"),
        pytest.param(Delay(10), "timeout", None, {"timeout_s": 0.3}, id="timeout"),
    ],
)
async def test_persistent_fault_raises_llm_error_after_last_retry(openai_server, fault, kind, status, client_kwargs):
    openai_server.script = lambda req, i: fault
    client = make_client(openai_server, max_retries=2, **client_kwargs)
    usage = Usage()

    with pytest.raises(LLMError) as raised:
        await client.complete(MESSAGES, usage=usage)

    error = raised.value
    assert error.model == "openai/test-model"
    assert error.kind == kind
    assert error.attempts == 3
    assert error.status_code == status
    assert str(error).startswith(f"openai/test-model: {kind}")
    assert "after 3 attempts" in str(error)
    assert len(openai_server.chat_requests) == 3
    assert (usage.calls, usage.retries, usage.failures, usage.samples) == (3, 2, 1, 0)
    # Errors travel between worker processes intact.
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.attempts, str(copy)) == (error.kind, error.attempts, str(error))


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "bad_request"), (401, "auth"), (403, "auth"), (404, "not_found")],
)
async def test_client_errors_are_not_retried(openai_server, status, kind):
    openai_server.script = lambda req, i: ServerError(status)
    client = make_client(openai_server, max_retries=4)

    with pytest.raises(LLMError) as raised:
        await client.complete(MESSAGES)

    assert raised.value.kind == kind
    assert raised.value.attempts == 1
    assert raised.value.status_code == status
    assert "after 1 attempt:" in str(raised.value)
    assert len(openai_server.chat_requests) == 1


async def test_samples_obtained_before_a_failure_are_kept(openai_server, tmp_path):
    # Provider ignores n; the third separate call keeps failing.
    def script(request, call_index):
        if request.get("seed") == 2:
            return ServerError(500)
        return [f"sample seed={request.get('seed')}"]

    openai_server.script = script
    cache = ResponseCache(tmp_path / "llm.sqlite")
    client = make_client(openai_server, cache=cache, max_retries=1)

    with pytest.raises(LLMError):
        await client.complete(MESSAGES, n=3, seed=0)
    assert cache.stats().entries == 2

    openai_server.script = lambda req, i: [f"recovered seed={req.get('seed')}"]
    before = len(openai_server.chat_requests)
    out = await client.complete(MESSAGES, n=3, seed=0)
    assert [c.cached for c in out] == [True, True, False]
    assert len(openai_server.chat_requests) == before + 1


# -- cache -----------------------------------------------------------------------------------


async def test_identical_rerun_makes_no_http_calls(openai_server, tmp_path):
    cache = ResponseCache(tmp_path / "llm.sqlite")
    first = await make_client(openai_server, cache=cache).complete(MESSAGES, n=4, temperature=0.7, seed=1)
    calls_after_first = len(openai_server.requests)

    rerun_client = make_client(openai_server, cache=cache)
    second = await rerun_client.complete(MESSAGES, n=4, temperature=0.7, seed=1)

    assert len(openai_server.requests) == calls_after_first == 1
    assert [c.text for c in second] == [c.text for c in first]
    assert all(c.cached and c.cost_usd == 0.0 for c in second)
    assert rerun_client.usage.calls == 0
    assert rerun_client.usage.cached == 4
    assert rerun_client.usage.samples == 4
    assert rerun_client.usage.total_tokens == 0


async def test_extending_ten_cached_samples_to_twenty_asks_for_ten(openai_server, tmp_path):
    cache = ResponseCache(tmp_path / "llm.sqlite")
    client = make_client(openai_server, cache=cache)
    ten = await client.complete(MESSAGES, n=10)

    twenty = await client.complete(MESSAGES, n=20)

    assert len(openai_server.chat_requests) == 2
    assert openai_server.chat_requests[1].body["n"] == 10
    assert [c.text for c in twenty[:10]] == [c.text for c in ten]
    assert [c.cached for c in twenty] == [True] * 10 + [False] * 10
    assert [c.sample_index for c in twenty] == list(range(20))
    assert cache.stats().entries == 20


async def test_changed_parameters_miss_the_cache(openai_server, tmp_path):
    cache = ResponseCache(tmp_path / "llm.sqlite")
    client = make_client(openai_server, cache=cache)
    await client.complete(MESSAGES, temperature=0.2)

    await client.complete(MESSAGES, temperature=0.9)
    await client.complete(MESSAGES, temperature=0.2, stop=["\n\n"])
    await client.complete([*MESSAGES[:1], {"role": "user", "content": "Print the product."}], temperature=0.2)
    await client.derive("openai/other-model", api_base=openai_server.api_base, api_key="k").complete(
        MESSAGES, temperature=0.2
    )

    assert len(openai_server.chat_requests) == 5
    assert openai_server.chat_requests[2].body["stop"] == ["\n\n"]


@pytest.mark.parametrize("bypass", ["use_cache_false", "no_cache"])
async def test_cache_can_be_bypassed(openai_server, tmp_path, bypass):
    cache = ResponseCache(tmp_path / "llm.sqlite")
    await make_client(openai_server, cache=cache).complete(MESSAGES)
    kwargs = {"cache": cache, "use_cache": False} if bypass == "use_cache_false" else {}
    client = make_client(openai_server, **kwargs)

    (completion,) = await client.complete(MESSAGES)

    assert not completion.cached
    assert len(openai_server.chat_requests) == 2


async def test_cleared_cache_asks_again(openai_server, tmp_path):
    cache = ResponseCache(tmp_path / "llm.sqlite")
    client = make_client(openai_server, cache=cache)
    await client.complete(MESSAGES, n=2)

    assert cache.clear() == 2
    await client.complete(MESSAGES, n=2)

    assert len(openai_server.chat_requests) == 2


def test_cache_key_depends_on_every_part():
    base = cache_key("m", MESSAGES, {"temperature": 0.7}, 0)
    assert base == cache_key("m", [dict(m) for m in MESSAGES], {"temperature": 0.7, "seed": None}, 0)
    assert len({
        base,
        cache_key("m2", MESSAGES, {"temperature": 0.7}, 0),
        cache_key("m", MESSAGES[1:], {"temperature": 0.7}, 0),
        cache_key("m", MESSAGES, {"temperature": 0.8}, 0),
        cache_key("m", MESSAGES, {"temperature": 0.7, "max_tokens": 10}, 0),
        cache_key("m", MESSAGES, {"temperature": 0.7}, 1),
    }) == 6


def test_cache_clear_by_model_and_stats(tmp_path):
    with ResponseCache(tmp_path / "sub" / "llm.sqlite") as cache:
        entry = CachedResponse("x", "stop", 1, 2, 0.5, 0.1)
        cache.put("k1", entry, model="a", sample_index=0)
        cache.put("k2", entry, model="a", sample_index=1)
        cache.put("k3", entry, model="b", sample_index=0)
        assert cache.get("k1") == entry
        assert cache.get("missing") is None

        stats = cache.stats()
        assert stats.entries == 3
        assert stats.entries_by_model == {"a": 2, "b": 1}
        assert (stats.hits, stats.misses) == (1, 1)
        assert stats.size_bytes > 0

        assert cache.clear(model="a") == 2
        assert cache.stats().entries_by_model == {"b": 1}


def test_default_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHON_CODE_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_path() == tmp_path / "c" / "llm.sqlite"
    monkeypatch.delenv("ARCHON_CODE_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / ".cache" / "archon-code" / "llm.sqlite"


WRITER = """
import sys
from archon_code.cache import CachedResponse, ResponseCache
path, prefix = sys.argv[1], sys.argv[2]
with ResponseCache(path) as cache:
    for i in range(150):
        cache.put(f"{prefix}{i}", CachedResponse(prefix, None, 0, 0, 0.0, 0.0), model=prefix, sample_index=i)
"""


def test_cache_is_shared_safely_between_processes(tmp_path):
    path = str(tmp_path / "llm.sqlite")
    ResponseCache(path).close()
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, prefix], cwd=REPO) for prefix in ("p", "q", "r")
    ]
    assert [w.wait(timeout=60) for w in workers] == [0, 0, 0]

    with ResponseCache(path) as cache:
        assert cache.stats().entries_by_model == {"p": 150, "q": 150, "r": 150}


# -- concurrency -----------------------------------------------------------------------------


async def test_max_connections_bounds_requests_in_flight(openai_server):
    openai_server.script = lambda req, i: Delay(0.15, then=[f"slow {i}"])
    client = make_client(openai_server, max_connections=3)

    out = await asyncio.gather(*(client.complete([{"role": "user", "content": f"q{k}"}]) for k in range(10)))

    assert len(out) == 10
    assert openai_server.max_in_flight == 3


async def test_derived_clients_share_the_connection_limit(openai_server):
    openai_server.script = lambda req, i: Delay(0.15, then=["slow"])
    first = make_client(openai_server, max_connections=2)
    second = first.derive("openai/another-model", api_base=openai_server.api_base, api_key="k")

    await asyncio.gather(
        *(c.complete([{"role": "user", "content": f"q{k}"}]) for k in range(4) for c in (first, second))
    )

    assert openai_server.max_in_flight == 2
    assert {r.body["model"] for r in openai_server.chat_requests} == {"test-model", "another-model"}


# -- cost and tokens -------------------------------------------------------------------------


async def test_cost_and_tokens_of_a_priced_model_are_summed(openai_server):
    import litellm

    price = litellm.model_cost["gpt-4o-mini"]
    openai_server.script = lambda req, i: Reply(
        ["a"] * int(req.get("n") or 1), prompt_tokens=1000, completion_tokens=400, model="gpt-4o-mini"
    )
    client = make_client(openai_server, model="openai/gpt-4o-mini")
    per_call = 1000 * price["input_cost_per_token"] + 400 * price["output_cost_per_token"]

    first = await client.complete(MESSAGES, n=2)
    second = await client.complete(MESSAGES, n=1, sample_offset=2)

    assert per_call > 0
    assert sum(c.cost_usd for c in first) == pytest.approx(per_call)
    assert second[0].cost_usd == pytest.approx(per_call)
    assert client.usage.cost_usd == pytest.approx(2 * per_call)
    assert client.usage.prompt_tokens == 2000
    assert client.usage.completion_tokens == 800
    assert client.usage.total_tokens == 2800


async def test_unpriced_model_counts_tokens_and_its_cost_is_unknown(openai_server):
    openai_server.script = lambda req, i: Reply(["x"], prompt_tokens=11, completion_tokens=5)
    client = make_client(openai_server, model="openai/no-such-priced-model")

    (completion,) = await client.complete(MESSAGES)

    assert completion.cost_usd == 0.0 and completion.priced is False
    assert (completion.prompt_tokens, completion.completion_tokens) == (11, 5)
    assert client.usage.total_tokens == 16
    assert client.usage.unpriced == 1


# -- answers that are faults ---------------------------------------------------------------


@pytest.mark.parametrize("content", [None, "", "  \n"])
async def test_an_empty_answer_is_asked_again_and_never_cached(openai_server, tmp_path, content):
    openai_server.script = lambda req, i: Empty(content=content) if i == 0 else ["print(1)"]
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = make_client(openai_server, cache=cache)

    (first,) = await client.complete(MESSAGES)
    (again,) = await make_client(openai_server, cache=cache).complete(MESSAGES)

    assert first.text == "print(1)" and again.text == "print(1)" and again.cached
    assert len(openai_server.chat_requests) == 2  # the empty one, then the answer; none after
    assert (client.usage.empty, client.usage.retries) == (1, 1)
    assert cache.stats().entries == 1


async def test_a_provider_that_only_answers_empty_fails_as_empty_response(openai_server, tmp_path):
    openai_server.script = lambda req, i: Empty()
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = make_client(openai_server, cache=cache, max_retries=2)

    with pytest.raises(LLMError) as raised:
        await client.complete(MESSAGES)

    assert raised.value.kind == "empty_response" and raised.value.attempts == 3
    assert "empty_response after 3 attempts" in str(raised.value)
    assert client.usage.empty == 3 and client.usage.failures == 1
    assert cache.stats().entries == 0


async def test_empty_choices_of_a_batch_are_asked_for_one_by_one(openai_server, tmp_path):
    def script(req, i):
        if i == 0:
            return Reply(["print(0)", "", "print(2)"])
        return ["print(1)"]

    openai_server.script = script
    client = make_client(openai_server, cache=ResponseCache(tmp_path / "c.sqlite"))

    out = await client.complete(MESSAGES, n=3)

    assert [c.text for c in out] == ["print(0)", "print(1)", "print(2)"]
    assert [r.body.get("n") for r in openai_server.chat_requests] == [3, None]
    assert client.usage.empty == 1


async def test_a_truncated_answer_is_handed_back_but_never_cached(openai_server, tmp_path):
    openai_server.script = lambda req, i: Reply([f"print({i}"], finish_reason="length")
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = make_client(openai_server, cache=cache)

    (first,) = await client.complete(MESSAGES, max_tokens=5)
    (second,) = await client.complete(MESSAGES, max_tokens=5)

    assert first.truncated and first.text == "print(0"
    assert second.text == "print(1" and not second.cached  # asked again, not replayed
    assert len(openai_server.chat_requests) == 2
    assert client.usage.truncated == 2
    assert cache.stats().entries == 0


def test_rows_of_empty_or_truncated_answers_already_cached_are_not_served(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    # Rows such as an older version wrote, straight into the table.
    for key, text, reason in (("a", "", "stop"), ("b", "print(1)", "length"), ("c", "print(2)", "stop")):
        cache._conn.execute(
            "INSERT INTO responses VALUES (?, 'm', 0, ?, ?, 1, 1, 0.0, 0.0, 0.0)", (key, text, reason))
    assert set(cache.get_many(["a", "b", "c"])) == {"c"}
    cache.put("d", CachedResponse("", "stop", 1, 0, 0.0, 0.0), model="m", sample_index=0)
    cache.put("e", CachedResponse("x", "length", 1, 0, 0.0, 0.0), model="m", sample_index=0)
    assert cache.get_many(["d", "e"]) == {}


# -- where the provider cannot be reached or will not let us in ---------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("model", ["openai/test-model", "hosted_vllm/test-model"])
async def test_a_refused_connection_is_a_connection_error_not_a_server_error(model):
    api_base = f"http://127.0.0.1:{_closed_port()}/v1"
    client = LLMClient(model, api_base=api_base, api_key="k", max_retries=1, backoff_base_s=0.01,
                       backoff_max_s=0.02, timeout_s=5)

    with pytest.raises(LLMError) as raised:
        await client.complete(MESSAGES)

    error = raised.value
    assert error.kind == "connection" and error.status_code is None and error.attempts == 2
    assert str(error).startswith(f"{model}: connection after 2 attempts: cannot connect to {api_base}: ")
    assert "500" not in str(error) and "server_error" not in str(error)


async def test_a_missing_api_key_is_an_auth_error_at_once(openai_server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    client = LLMClient("openai/test-model", api_base=openai_server.api_base, max_retries=4,
                       backoff_base_s=0.01)

    with pytest.raises(LLMError) as raised:
        await client.complete(MESSAGES)

    assert raised.value.kind == "auth" and raised.value.attempts == 1
    assert openai_server.chat_requests == []


def test_missing_credentials_name_the_variables(monkeypatch):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert missing_credentials("openai/gpt-4o-mini") == ["OPENAI_API_KEY"]
    assert missing_credentials("anthropic/claude-3-5-sonnet-20240620") == ["ANTHROPIC_API_KEY"]
    assert missing_credentials("openai/gpt-4o-mini", api_key="sk-given") == []
    assert missing_credentials("hosted_vllm/any", api_base="http://127.0.0.1:1/v1") == []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert missing_credentials("openai/gpt-4o-mini") == []


# -- settings --------------------------------------------------------------------------------


def test_the_timeout_default_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert default_timeout_s() == DEFAULT_TIMEOUT_S == LLMSettings().timeout_s
    monkeypatch.setenv(TIMEOUT_ENV, "7.5")
    assert default_timeout_s() == 7.5 and LLMSettings().timeout_s == 7.5
    assert LLMClient("openai/x").timeout_s == 7.5
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv(TIMEOUT_ENV, bad)
        with pytest.raises(ValueError, match=TIMEOUT_ENV):
            default_timeout_s()


async def test_every_retry_is_announced(openai_server):
    notices: list[RetryNotice] = []
    openai_server.script = fail_first(RateLimited(retry_after=0), times=2)
    client = make_client(openai_server, on_retry=notices.append, max_retries=3)

    await client.complete(MESSAGES)

    assert [(n.kind, n.attempt, n.max_attempts) for n in notices] == [("rate_limit", 1, 4), ("rate_limit", 2, 4)]
    assert all(n.model == "openai/test-model" for n in notices)


async def test_clients_of_one_settings_share_one_connection_limit(openai_server):
    settings = LLMSettings(api_key="k", max_connections=2, timeout_s=5)
    import asyncio as aio

    limiter = aio.Semaphore(settings.max_connections)
    first = LLMClient("openai/a", openai_server.api_base, settings=settings, limiter=limiter)
    second = LLMClient("openai/b", openai_server.api_base, settings=settings, limiter=limiter)
    openai_server.script = lambda req, i: Delay(0.3, ["x"])

    await aio.gather(*(c.complete(MESSAGES, sample_offset=k) for c in (first, second) for k in range(3)))

    assert openai_server.max_in_flight <= 2
    assert first.settings is second.settings


def test_usage_sums_per_component():
    fresh = Completion("a", "m", 10, 5, 0.25, 1.0, False, 0)
    cached = Completion("b", "m", 10, 5, 0.0, 0.0, True, 1)
    generator, fuser = Usage(calls=1), Usage(calls=2, retries=1)
    generator.add_completions([fresh, cached])
    fuser.add_completions([fresh])

    total = generator + fuser

    assert total.calls == 3 and total.retries == 1
    assert total.samples == 3 and total.cached == 1
    assert (total.prompt_tokens, total.completion_tokens) == (20, 10)
    assert total.cost_usd == pytest.approx(0.5)
    layer = Usage()
    layer += total
    assert layer == total
    assert layer.to_dict()["total_tokens"] == 30


def test_invalid_arguments_are_rejected():
    with pytest.raises(ValueError, match="max_connections"):
        LLMClient("openai/x", max_connections=0)
    client = LLMClient("openai/x")
    with pytest.raises(ValueError, match="n must be"):
        asyncio.run(client.complete(MESSAGES, n=0))
