"""One async LLM client for every component: litellm underneath, with a connection limit,
retries, a per-sample response cache and cost accounting.

Any litellm model string works (``openai/gpt-4o``, ``anthropic/...``, ``together_ai/...``,
``hosted_vllm/...`` with ``api_base``, ``ollama/...``); nothing here knows about a particular
provider beyond what litellm reports.
"""

from __future__ import annotations

import os

# litellm fetches its model cost map from the internet at import time and retries for a
# long while when offline; the copy bundled with the package is enough for pricing.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import asyncio  # noqa: E402
import email.utils  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Mapping, Sequence  # noqa: E402
from dataclasses import dataclass, fields  # noqa: E402
from typing import Any  # noqa: E402

import litellm  # noqa: E402

from archon_code.cache import CachedResponse, ResponseCache, cache_key  # noqa: E402

# Prompts and programs must not leave the machine through logging integrations, and
# litellm's banners would clutter every progress display.
litellm.telemetry = False
litellm.success_callback = []
litellm.failure_callback = []
litellm.callbacks = []
litellm.turn_off_message_logging = True
litellm.suppress_debug_info = True

Message = Mapping[str, Any]

log = logging.getLogger(__name__)

# Beyond the caller's timeout, how long to wait for a provider adapter that ignores it.
_TIMEOUT_BACKSTOP_S = 5.0


@dataclass(frozen=True)
class Completion:
    """One sample. For a cache hit ``cached`` is true and ``cost_usd`` is 0.0 (nothing was
    spent); the token counts still describe the original response."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    latency_s: float
    cached: bool
    sample_index: int
    finish_reason: str | None = None


@dataclass
class Usage:
    """What LLM calls cost. Sum per component, layer or problem with ``+``/``+=``.

    ``calls`` counts provider requests (each retry is one more), ``samples`` the completions
    handed back (fresh or cached), ``cached`` the cache hits among them. Tokens and cost count
    fresh completions only: a cache hit costs nothing.
    """

    calls: int = 0
    retries: int = 0
    failures: int = 0
    samples: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

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


@dataclass(frozen=True)
class _Failure:
    kind: str
    retryable: bool
    status_code: int | None = None
    retry_after_s: float | None = None


_MALFORMED_HINTS = ("expecting value", "no 'choices'", "invalid response", "jsondecodeerror", "unterminated string")


def _classify(exc: BaseException) -> _Failure:
    """Map an exception from litellm to a failure kind and whether retrying can help."""
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    if isinstance(exc, (asyncio.TimeoutError, litellm.Timeout)):
        return _Failure("timeout", True, None)
    if isinstance(exc, _MalformedResponse):
        return _Failure("malformed_response", True, None)
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
    if isinstance(
        exc, (litellm.InternalServerError, litellm.ServiceUnavailableError, litellm.BadGatewayError)
    ):
        # litellm reports an unparseable 200 body as a 500; tell the two apart for the report.
        if any(hint in str(exc).lower() for hint in _MALFORMED_HINTS):
            return _Failure("malformed_response", True, None)
        return _Failure("server_error", True, status, _retry_after(exc))
    if isinstance(exc, litellm.APIConnectionError):
        return _Failure("connection", True, None)
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


class LLMClient:
    """Async chat completions for one model, shared by every component that uses it.

    ``max_connections`` bounds requests in flight; clients made with :meth:`derive` share
    that bound (and the cache), so one ``--max-connections`` holds across all models.
    """

    def __init__(
        self,
        model: str,
        api_base: str | None = None,
        api_key: str | None = None,
        max_connections: int = 8,
        timeout_s: float = 120,
        max_retries: int = 4,
        cache: ResponseCache | None = None,
        *,
        use_cache: bool = True,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        limiter: asyncio.Semaphore | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if max_retries < 0:
            raise ValueError("max_retries must be non-negative")
        self.model = model
        self.api_base = api_base
        self.api_key = api_key
        self.max_connections = max_connections
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.cache = cache
        self.use_cache = use_cache
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.limiter = limiter or asyncio.Semaphore(max_connections)
        self.usage = Usage()
        # False once the provider is known to ignore ``n`` (litellm's parameter table says
        # so, or it returned fewer choices than asked); None while that is unknown.
        self._honours_n: bool | None = self._provider_supports_n()

    def derive(self, model: str, api_base: str | None = None, api_key: str | None = None) -> LLMClient:
        """A client for another model sharing this one's connection limit, cache and settings."""
        return LLMClient(
            model,
            api_base=api_base,
            api_key=api_key,
            max_connections=self.max_connections,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            cache=self.cache,
            use_cache=self.use_cache,
            backoff_base_s=self.backoff_base_s,
            backoff_max_s=self.backoff_max_s,
            limiter=self.limiter,
        )

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
        obtained before that are cached, so a re-run asks only for the rest.
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
            batch = await self._request(messages, todo, params, sinks)
            if len(batch) < len(todo):
                self._honours_n = False
            record(batch)
            todo = todo[len(batch) :]

        async def one(index: int) -> None:
            # A seed, when given, varies per sample: a provider that honours seeds would
            # otherwise return the same text for every separate request.
            own_params = params if "seed" not in params else {**params, "seed": params["seed"] + index}
            record(await self._request(messages, [index], own_params, sinks))

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
    ) -> list[Completion]:
        """One logical request for ``len(sample_indices)`` choices, retried as needed.
        Returns at most that many completions (fewer when the provider ignores ``n``)."""
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
                        litellm.acompletion(**kwargs), timeout=self.timeout_s + _TIMEOUT_BACKSTOP_S
                    )
                    latency = time.monotonic() - started
                return self._completions(response, sample_indices, latency)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failure = _classify(exc)
                if not failure.retryable or attempt > self.max_retries:
                    for sink in sinks:
                        sink.failures += 1
                    raise LLMError(
                        self.model, failure.kind, attempt, _short(exc), failure.status_code
                    ) from exc
                delay = self._backoff(attempt, failure.retry_after_s)
                log.info(
                    "%s: %s on attempt %d, retrying in %.2fs: %s",
                    self.model, failure.kind, attempt, delay, _short(exc, 200),
                )
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
                cost_usd=cost / k,
                latency_s=latency,
                cached=False,
                sample_index=sample_indices[j],
                finish_reason=getattr(choices[j], "finish_reason", None),
            )
            for j in range(k)
        ]

    def _cost(self, response: Any) -> float:
        try:
            cost = litellm.completion_cost(completion_response=response)
        except Exception:
            # Unpriced models (local servers, new releases) still report tokens.
            return 0.0
        return float(cost or 0.0)

    def _provider_supports_n(self) -> bool | None:
        try:
            supported = litellm.get_supported_openai_params(model=self.model)
        except Exception:
            return None
        if not supported:
            return None
        return False if "n" not in supported else None


def _short(exc: BaseException, limit: int = 500) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
