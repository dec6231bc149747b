"""A real OpenAI-compatible chat completions server on 127.0.0.1, scripted per test.

Every test that touches an LLM talks to this server over real HTTP through litellm, so the
client code under test is exactly the code that talks to a real provider. A test installs a
*script*: a callable ``(request_json, call_index) -> spec`` where ``call_index`` counts the
requests this server has received (0-based, faults included). A spec is one of

- a list of texts (one choice each; return fewer than ``n`` to mimic a provider that ignores
  ``n``), a single text, or a :class:`Reply` for full control over usage and finish reasons;
- :class:`RateLimited` (HTTP 429 with ``Retry-After``), :class:`ServerError` (HTTP 5xx);
- :class:`Delay` (sleep, then answer with another spec: longer than the client's timeout
  it is a timeout fault);
- :class:`Garbage` (a 200 with a non-JSON body, or JSON without ``choices``);
- :class:`Empty` (a well-formed 200 whose choices hold no text: ``content`` null or "", as
  providers send under load or after a filter).

Every request is recorded (:attr:`OpenAIServer.requests`), as is the peak number of requests
in flight at once (:attr:`OpenAIServer.max_in_flight`).

Use it as a pytest plugin: ``pytest_plugins = ["tests.openai_server"]`` gives the
``openai_server`` fixture.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")


@dataclass(frozen=True)
class Reply:
    """A successful answer. Token counts default to whitespace word counts."""

    texts: list[str]
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str | None = None


@dataclass(frozen=True)
class RateLimited:
    retry_after: float = 0


@dataclass(frozen=True)
class ServerError:
    status: int = 500


@dataclass(frozen=True)
class Delay:
    seconds: float
    then: Any = None  # the spec answered after the delay; None answers the default


@dataclass(frozen=True)
class Garbage:
    body: bytes = b"<html>502 Bad Gateway</html> this is not JSON"
    content_type: str = "application/json"

    @classmethod
    def no_choices(cls) -> Garbage:
        return cls(body=json.dumps({"id": "x", "object": "chat.completion", "note": "nothing"}).encode())


@dataclass(frozen=True)
class Empty:
    choices: int = 1
    content: str | None = None  # null, as most providers send it; "" is the other form


Script = Callable[[dict[str, Any], int], Any]


def default_script(request: dict[str, Any], call_index: int) -> list[str]:
    n = int(request.get("n") or 1)
    return [f"answer {call_index}.{i}" for i in range(n)]


@dataclass
class RecordedRequest:
    path: str
    body: dict[str, Any] | None
    call_index: int
    headers: dict[str, str] = field(default_factory=dict)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out drop their connection mid-request; that is the point of
        # the timeout faults, not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class OpenAIServer:
    def __init__(self, script: Script = default_script) -> None:
        self.script: Script = script
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        # A short poll interval keeps shutdown (once per test) fast.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in CHAT_PATHS]

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # cuts short any Delay still sleeping
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (server threads) ---------------------------------------------

    def _enter(self, path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> int:
        with self._lock:
            index = len(self.requests)
            self.requests.append(RecordedRequest(path, body, index, headers))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return index

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _count_tokens(text: str) -> int:
    return len(text.split())


def _prompt_tokens(body: dict[str, Any]) -> int:
    total = 0
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            total += _count_tokens(content)
        elif isinstance(content, list):
            total += sum(_count_tokens(str(part.get("text", ""))) for part in content if isinstance(part, dict))
    return total


def _completion_body(body: dict[str, Any], reply: Reply, call_index: int) -> dict[str, Any]:
    choices = [
        {
            "index": i,
            "message": {"role": "assistant", "content": text},
            "finish_reason": reply.finish_reason,
            "logprobs": None,
        }
        for i, text in enumerate(reply.texts)
    ]
    prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else _prompt_tokens(body)
    completion_tokens = (
        reply.completion_tokens
        if reply.completion_tokens is not None
        else sum(_count_tokens(t) for t in reply.texts)
    )
    return {
        "id": f"chatcmpl-test-{call_index}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or body.get("model", "unknown"),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _make_handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send_json(200, {"object": "list", "data": []})
            else:
                self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            path = self.path.split("?", 1)[0]
            call_index = server._enter(path, body, {k.lower(): v for k, v in self.headers.items()})
            try:
                if path not in CHAT_PATHS:
                    self._send_json(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})
                    return
                if not isinstance(body, dict):
                    self._send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                    return
                spec = server.script(body, call_index)
                self._answer(body, spec, call_index)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout fired); nothing left to answer
            finally:
                server._leave()

        def _answer(self, body: dict[str, Any], spec: Any, call_index: int) -> None:
            while isinstance(spec, Delay):
                server._sleep(spec.seconds)
                spec = spec.then if spec.then is not None else default_script(body, call_index)
            if isinstance(spec, str):
                spec = Reply([spec])
            elif isinstance(spec, list):
                spec = Reply(list(spec))
            if isinstance(spec, Reply):
                self._send_json(200, _completion_body(body, spec, call_index))
            elif isinstance(spec, RateLimited):
                self._send_json(
                    429,
                    {"error": {"message": "Rate limit reached", "type": "rate_limit_error", "code": "rate_limit_exceeded"}},
                    headers={"Retry-After": _fmt_seconds(spec.retry_after)},
                )
            elif isinstance(spec, ServerError):
                self._send_json(
                    spec.status,
                    {"error": {"message": "The server had an error", "type": "server_error"}},
                )
            elif isinstance(spec, Garbage):
                self._send(200, spec.body, spec.content_type)
            elif isinstance(spec, Empty):
                answer = _completion_body(body, Reply([""] * spec.choices, completion_tokens=0), call_index)
                for choice in answer["choices"]:
                    choice["message"]["content"] = spec.content
                self._send_json(200, answer)
            else:
                raise TypeError(f"unknown response spec {spec!r}")

        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json", headers)

        def _send(
            self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

    return Handler


def _fmt_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


@pytest.fixture
def openai_server():
    """A started :class:`OpenAIServer`; set ``openai_server.script`` to script its answers."""
    with OpenAIServer() as server:
        yield server
