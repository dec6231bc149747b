"""One async LLM client for every component: litellm underneath, with a connection limit,
retries, a per-sample response cache and cost accounting.

Any litellm model string works (``openai/gpt-4o``, ``anthropic/...``, ``together_ai/...``,
``hosted_vllm/...`` with ``api_base``, ``ollama/...``); nothing here knows about a particular
provider beyond what litellm reports.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import functools
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import ModuleType
from typing import Any

from archon_code.cache import CachedResponse, ResponseCache, cache_key
from archon_code.llm_defaults import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    default_timeout_s,
)

# litellm fetches its model cost map from the internet at import time and retries for a long
# while when offline; the copy bundled with the package is enough for pricing. Set before
# anyone (this module, or a caller) imports it.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@functools.cache
def _litellm() -> ModuleType:
    """litellm, imported on first use: it takes seconds to import, and a run whose
    architecture calls no model should not wait for it."""
    import litellm

    # Prompts and programs must not leave the machine through logging integrations, and
    # litellm's banners would clutter every progress display.
    litellm.telemetry = False
    litellm.success_callback = []
    litellm.failure_callback = []
    litellm.callbacks = []
    litellm.turn_off_message_logging = True
    litellm.suppress_debug_info = True
    return litellm


@functools.cache
def _fault_classes() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...], type]:
    """(timeouts, connection failures, the OpenAI SDK's base error). litellm wraps a failed
    connection in a 500 InternalServerError; the exceptions it was raised from tell the truth."""
    import httpx
    import openai

    litellm = _litellm()
    timeouts = (asyncio.TimeoutError, litellm.Timeout, openai.APITimeoutError, httpx.TimeoutException)
    connection = (openai.APIConnectionError, httpx.TransportError, ConnectionError, socket.gaierror)
    return timeouts, connection, openai.OpenAIError

Message = Mapping[str, Any]

log = logging.getLogger(__name__)

# Beyond the caller's timeout, how long to wait for a provider adapter that ignores it.
_TIMEOUT_BACKSTOP_S = 5.0

@dataclass(frozen=True)
class Completion:
    """One sample. For a cache hit ``cached`` is true and ``cost_usd`` is 0.0 (nothing was
    spent); the token counts still describe the original response. ``priced`` is false when
    litellm knows no price for the model: its ``cost_usd`` of 0.0 then means "unknown"."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    latency_s: float
    cached: bool
    sample_index: int
    finish_reason: str | None = None
    priced: bool = True

    @property
    def truncated(self) -> bool:
        """Cut off at ``max_tokens``: the text is not the whole answer."""
        return self.finish_reason == "length"


@dataclass
class Usage:
    """What LLM calls cost. Sum per component, layer or problem with ``+``/``+=``.

    ``calls`` counts provider requests (each retry is one more), ``samples`` the completions
    handed back (fresh or cached), ``cached`` the cache hits among them. Tokens and cost count
    fresh completions only: a cache hit costs nothing. ``empty`` counts empty answers a
    provider sent (each was asked for again), ``truncated`` answers cut at ``max_tokens``, and
    ``unpriced`` fresh samples of a model without a known price (their cost is unknown, not 0).
    """

    calls: int = 0
    retries: int = 0
    failures: int = 0
    samples: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    empty: int = 0
    truncated: int = 0
    unpriced: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add_completions(self, completions: Sequence[Completion]) -> None:
        for c in completions:
            self.samples += 1
            if c.cached:
                self.cached += 1
            else:
                self.prompt_tokens += c.prompt_tokens
                self.completion_tokens += c.completion_tokens
                self.cost_usd += c.cost_usd
                self.truncated += c.truncated
                self.unpriced += not c.priced

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def __iadd__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"total_tokens": self.total_tokens}


@dataclass(frozen=True)
class RetryNotice:
    """A request that failed and is about to be tried again (for progress displays)."""

    model: str
    kind: str
    attempt: int  # the attempt that failed
    max_attempts: int
    delay_s: float
    detail: str


@dataclass
class LLMSettings:
    """How LLM requests are made, shared by every client of a run: one connection limit, one
    cache, one retry policy. What a user says on the command line, or in code."""

    api_key: str | None = None
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    timeout_s: float = field(default_factory=default_timeout_s)
    max_retries: int = DEFAULT_MAX_RETRIES
    cache: ResponseCache | None = None
    use_cache: bool = True
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    on_retry: Callable[[RetryNotice], None] | None = None

    def __post_init__(self) -> None:
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if self.max_retries < 0:
            raise ValueError("max_retries must be non-negative")
        if not self.timeout_s > 0:
            raise ValueError("timeout_s must be above 0")


class LLMError(Exception):
    """A request that failed for good: not retryable, or still failing after the last retry."""

    def __init__(self, model: str, kind: str, attempts: int, detail: str, status_code: int | None = None):
        self.model = model
        self.kind = kind
        self.attempts = attempts
        self.detail = detail
        self.status_code = status_code
        tries = "attempt" if attempts == 1 else "attempts"
        status = f" (HTTP {status_code})" if status_code else ""
        self.message = f"{model}: {kind}{status} after {attempts} {tries}: {detail}"
        # All constructor arguments in ``args`` keep the error picklable across processes.
        super().__init__(model, kind, attempts, detail, status_code)

    def __str__(self) -> str:
        return self.message


class _MalformedResponse(Exception):
    pass


class _EmptyResponse(Exception):
    pass


@dataclass(frozen=True)
class _Failure:
    kind: str
    retryable: bool
    status_code: int | None = None
    retry_after_s: float | None = None


_MALFORMED_HINTS = ("expecting value", "no 'choices'", "invalid response", "jsondecodeerror", "unterminated string")
_CREDENTIAL_HINTS = ("missing credentials", "api_key client option must be set", "no api key")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _classify(exc: BaseException) -> _Failure:
    """Map an exception from litellm to a failure kind and whether retrying can help."""
    litellm = _litellm()
    timeouts, connection_errors, sdk_error = _fault_classes()
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    chain = list(_causes(exc))
    if any(isinstance(e, timeouts) for e in chain):
        return _Failure("timeout", True, None)
    if isinstance(exc, _MalformedResponse):
        return _Failure("malformed_response", True, None)
    if isinstance(exc, _EmptyResponse):
        return _Failure("empty_response", True, None)
    if isinstance(exc, litellm.RateLimitError):
        return _Failure("rate_limit", True, status, _retry_after(exc))
    if isinstance(exc, litellm.ContextWindowExceededError):
        return _Failure("context_window_exceeded", False, status)
    if isinstance(exc, litellm.ContentPolicyViolationError):
        return _Failure("content_policy", False, status)
    if isinstance(exc, (litellm.AuthenticationError, litellm.PermissionDeniedError)):
        return _Failure("auth", False, status)
    if isinstance(exc, litellm.NotFoundError):
        return _Failure("not_found", False, status)
    if isinstance(exc, (litellm.BadRequestError, litellm.UnprocessableEntityError)):
        return _Failure("bad_request", False, status)
    if isinstance(exc, litellm.APIResponseValidationError):
        return _Failure("malformed_response", True, status)
    # Before the 5xx classes: litellm reports both of these as an InternalServerError (500).
    if any(type(e) is sdk_error and any(h in str(e).lower() for h in _CREDENTIAL_HINTS)
           for e in chain):
        return _Failure("auth", False, None)
    if any(isinstance(e, connection_errors) for e in chain):
        return _Failure("connection", True, None)
    if isinstance(
        exc, (litellm.InternalServerError, litellm.ServiceUnavailableError, litellm.BadGatewayError)
    ):
        # litellm reports an unparseable 200 body as a 500; tell the two apart for the report.
        if any(hint in str(exc).lower() for hint in _MALFORMED_HINTS):
            return _Failure("malformed_response", True, None)
        return _Failure("server_error", True, status, _retry_after(exc))
    if isinstance(exc, litellm.APIError):
        # Not every provider adapter maps every status to its own class (403 arrives as a
        # plain APIError from some), so fall back on the status code.
        if status in (401, 403):
            return _Failure("auth", False, status)
        if status == 404:
            return _Failure("not_found", False, status)
        if status == 429:
            return _Failure("rate_limit", True, status, _retry_after(exc))
        retryable = status is None or status >= 500 or status in (408, 409)
        return _Failure("server_error" if retryable else "api_error", retryable, status)
    return _Failure(type(exc).__name__, False, status)


def _detail(exc: BaseException, kind: str, api_base: str | None, limit: int = 500) -> str:
    """What went wrong, in words a user can act on: for a connection, where and why (the
    innermost cause, not litellm's wrapper)."""
    if kind == "connection":
        root = list(_causes(exc))[-1]
        where = api_base or "the provider"
        return _short(f"cannot connect to {where}: {_short(root)}", limit)
    if kind == "timeout":
        return _short(f"no answer in time: {_short(exc)}", limit)
    return _short(exc, limit)


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or getattr(
        exc, "litellm_response_headers", None
    )
    if not headers:
        return None
    try:
        value = headers.get("retry-after") or headers.get("Retry-After")
    except AttributeError:
        return None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _split_evenly(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def missing_credentials(model: str, api_base: str | None = None, api_key: str | None = None) -> list[str]:
    """The environment variables holding API keys that ``model`` needs and that are not set
    (litellm's own table). Other credentials (cloud profiles, base URLs) may come from
    elsewhere, so only ``*_API_KEY`` variables count."""
    if api_key:
        return []
    try:
        found = _litellm().validate_environment(model=model, api_base=api_base)
    except Exception:
        return []
    return [k for k in found.get("missing_keys") or [] if "API_KEY" in k]


class LLMClient:
    """Async chat completions for one model, shared by every component that uses it.

    ``max_connections`` bounds requests in flight; clients made with :meth:`derive` (or
    given the same ``limiter``) share that bound, the cache and the retry policy, so one
    ``--max-connections`` holds across all models. ``settings`` carries those shared parts;
    keyword ``overrides`` (``timeout_s=5``, ...) replace single fields of it.
    """

    def __init__(
        self,
        model: str,
        api_base: str | None = None,
        api_key: str | None = None,
        *,
        settings: LLMSettings | None = None,
        limiter: asyncio.Semaphore | None = None,
        **overrides: Any,
    ) -> None:
        base = settings or LLMSettings()
        self.settings = dataclasses.replace(base, **overrides) if overrides else base
        s = self.settings
        self.model = model
        self.api_base = api_base
        self.api_key = api_key if api_key is not None else s.api_key
        self.max_connections = s.max_connections
        self.timeout_s = s.timeout_s
        self.max_retries = s.max_retries
        self.cache = s.cache
        self.use_cache = s.use_cache
        self.backoff_base_s = s.backoff_base_s
        self.backoff_max_s = s.backoff_max_s
        self.limiter = limiter or asyncio.Semaphore(s.max_connections)
        self.usage = Usage()
        # False once the provider is known to ignore ``n`` (litellm's parameter table says
        # so, or it returned fewer choices than asked); None while that is unknown.
        self._honours_n: bool | None = self._provider_supports_n()

    def derive(self, model: str, api_base: str | None = None, api_key: str | None = None) -> LLMClient:
        """A client for another model sharing this one's connection limit, cache and settings."""
        return LLMClient(model, api_base, api_key, settings=self.settings, limiter=self.limiter)

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        sample_offset: int = 0,
        usage: Usage | None = None,
        **params: Any,
    ) -> list[Completion]:
        """Samples ``sample_offset .. sample_offset + n - 1`` for ``messages``, in that order.

        Cached samples are served from the cache; only the missing ones are requested.
        ``usage``, when given, is charged alongside the client's own ``self.usage``.
        ``params`` go to litellm unchanged (``top_p``, ``stop``, ...) and are part of the
        cache key. Raises :class:`LLMError` when a sample cannot be obtained; samples
        obtained before that are cached, so a re-run asks only for the rest. Empty answers
        are asked for again; answers cut at ``max_tokens`` are handed back but never cached.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        if sample_offset < 0:
            raise ValueError("sample_offset must be non-negative")
        messages = [dict(m) for m in messages]
        request_params = {"temperature": temperature, "max_tokens": max_tokens, "seed": seed, **params}
        request_params = {k: v for k, v in request_params.items() if v is not None}
        indices = list(range(sample_offset, sample_offset + n))
        sinks = [self.usage] if usage is None or usage is self.usage else [self.usage, usage]

        results: dict[int, Completion] = {}
        keys: dict[int, str] = {}
        if self.cache is not None and self.use_cache:
            keys = {i: cache_key(self.model, messages, request_params, i) for i in indices}
            hits = self.cache.get_many(keys.values())
            for i in indices:
                hit = hits.get(keys[i])
                if hit is not None:
                    results[i] = Completion(
                        text=hit.text,
                        model=self.model,
                        prompt_tokens=hit.prompt_tokens,
                        completion_tokens=hit.completion_tokens,
                        cost_usd=0.0,
                        latency_s=0.0,
                        cached=True,
                        sample_index=i,
                        finish_reason=hit.finish_reason,
                    )
            for sink in sinks:
                sink.add_completions(list(results.values()))

        missing = [i for i in indices if i not in results]
        if missing:
            await self._fetch(messages, missing, request_params, keys, results, sinks)
        return [results[i] for i in indices]

    async def _fetch(
        self,
        messages: list[dict[str, Any]],
        missing: list[int],
        params: dict[str, Any],
        keys: dict[int, str],
        results: dict[int, Completion],
        sinks: list[Usage],
    ) -> None:
        def record(batch: list[Completion]) -> None:
            for c in batch:
                results[c.sample_index] = c
                # The cache refuses empty and truncated answers: replayed, a fault would
                # become permanent.
                if c.sample_index in keys and self.cache is not None:
                    self.cache.put(
                        keys[c.sample_index],
                        CachedResponse(
                            c.text, c.finish_reason, c.prompt_tokens, c.completion_tokens, c.cost_usd, c.latency_s
                        ),
                        model=self.model,
                        sample_index=c.sample_index,
                    )
            for sink in sinks:
                sink.add_completions(batch)

        todo = list(missing)
        if len(todo) > 1 and self._honours_n is not False:
            batch, choices = await self._request(messages, todo, params, sinks, allow_empty=True)
            if choices < len(todo):
                self._honours_n = False
            record(batch)
            # Samples the provider did not send, or sent empty, are asked for one by one.
            todo = [i for i in todo if i not in results]

        async def one(index: int) -> None:
            # A seed, when given, varies per sample: a provider that honours seeds would
            # otherwise return the same text for every separate request.
            own_params = params if "seed" not in params else {**params, "seed": params["seed"] + index}
            batch, _ = await self._request(messages, [index], own_params, sinks)
            record(batch)

        # One request per remaining sample. Each is cached as soon as it arrives, and all
        # run to the end before the first failure is raised, so nothing paid for is lost.
        outcomes = await asyncio.gather(*(one(i) for i in todo), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _request(
        self,
        messages: list[dict[str, Any]],
        sample_indices: list[int],
        params: dict[str, Any],
        sinks: list[Usage],
        *,
        allow_empty: bool = False,
    ) -> tuple[list[Completion], int]:
        """One logical request for ``len(sample_indices)`` choices, retried as needed.
        Returns the non-empty completions and how many choices the provider sent (fewer
        than asked when it ignores ``n``). Without ``allow_empty``, an empty answer is a
        provider fault, retried like one."""
        n = len(sample_indices)
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "timeout": self.timeout_s,
            # Retries happen here, once, with our backoff; not again inside litellm or the SDK.
            "max_retries": 0,
            "num_retries": 0,
            # Providers without ``n`` (or ``seed``) get the request without it rather than a 400.
            "drop_params": True,
            **params,
        }
        if n > 1:
            kwargs["n"] = n
        if self.api_base is not None:
            kwargs["api_base"] = self.api_base
        if self.api_key is not None:
            kwargs["api_key"] = self.api_key

        attempt = 0
        while True:
            attempt += 1
            for sink in sinks:
                sink.calls += 1
                if attempt > 1:
                    sink.retries += 1
            try:
                async with self.limiter:
                    started = time.monotonic()
                    response = await asyncio.wait_for(
                        _litellm().acompletion(**kwargs), timeout=self.timeout_s + _TIMEOUT_BACKSTOP_S
                    )
                    latency = time.monotonic() - started
                completions = self._completions(response, sample_indices, latency)
                answered = [c for c in completions if c.text.strip()]
                empty = len(completions) - len(answered)
                for sink in sinks:
                    sink.empty += empty
                if empty and not allow_empty:
                    raise _EmptyResponse("the provider sent an empty answer")
                return answered, len(completions)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failure = _classify(exc)
                detail = _detail(exc, failure.kind, self.api_base)
                if not failure.retryable or attempt > self.max_retries:
                    for sink in sinks:
                        sink.failures += 1
                    raise LLMError(self.model, failure.kind, attempt, detail, failure.status_code) from exc
                delay = self._backoff(attempt, failure.retry_after_s)
                log.info("%s: %s on attempt %d, retrying in %.2fs: %s",
                         self.model, failure.kind, attempt, delay, _short(detail, 200))
                if self.settings.on_retry is not None:
                    self.settings.on_retry(RetryNotice(self.model, failure.kind, attempt,
                                                       self.max_retries + 1, delay, _short(detail, 200)))
                await asyncio.sleep(delay)

    def _backoff(self, attempt: int, retry_after_s: float | None) -> float:
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        # Jitter spreads the retries of many concurrent requests that failed together.
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        if retry_after_s is not None:
            delay = max(delay, retry_after_s)
        return min(delay, self.backoff_max_s)

    def _completions(self, response: Any, sample_indices: list[int], latency: float) -> list[Completion]:
        choices = list(getattr(response, "choices", None) or [])[: len(sample_indices)]
        if not choices:
            raise _MalformedResponse("response has no choices")
        texts: list[str] = []
        for choice in choices:
            message = getattr(choice, "message", None)
            if message is None:
                raise _MalformedResponse("choice without a message")
            content = getattr(message, "content", None)
            texts.append(content if isinstance(content, str) else "")

        usage = getattr(response, "usage", None)
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = self._cost(response)
        k = len(choices)
        # A multi-choice response reports usage once; spread it so the sums stay exact.
        prompt_split = _split_evenly(prompt_tokens, k)
        completion_split = _split_evenly(completion_tokens, k)
        return [
            Completion(
                text=texts[j],
                model=self.model,
                prompt_tokens=prompt_split[j],
                completion_tokens=completion_split[j],
                cost_usd=(cost or 0.0) / k,
                latency_s=latency,
                cached=False,
                sample_index=sample_indices[j],
                finish_reason=getattr(choices[j], "finish_reason", None),
                priced=cost is not None,
            )
            for j in range(k)
        ]

    def _cost(self, response: Any) -> float | None:
        """USD of the response, or None when litellm knows no price for the model (local
        servers, new releases): unknown, which a report must not show as free."""
        try:
            cost = _litellm().completion_cost(completion_response=response)
        except Exception:
            return None
        return float(cost or 0.0)

    def _provider_supports_n(self) -> bool | None:
        try:
            supported = _litellm().get_supported_openai_params(model=self.model)
        except Exception:
            return None
        if not supported:
            return None
        return False if "n" not in supported else None


def _short(exc: BaseException | str, limit: int = 500) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
