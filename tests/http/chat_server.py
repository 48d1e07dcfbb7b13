"""A real local HTTP server that speaks OpenAI's POST /v1/chat/completions, for tests.

It plays a script of replies in order (the last one repeats), records every request with its
arrival time, and shapes successes and errors exactly like OpenAI's API does.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moodtune.models import EMOTIONS


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() on arrival


Script = Reply | Callable[[Any], Reply]


def completion(
    content: str | None, model: str = "test-model", refusal: str | None = None
) -> dict[str, Any]:
    """Build a chat.completion object shaped like OpenAI's."""
    return {
        "id": "chatcmpl-test123",
        "object": "chat.completion",
        "created": 1_750_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 120,
            "completion_tokens": 60,
            "total_tokens": 180,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_test",
    }


def scores(**values: float) -> dict[str, float]:
    """All eight emotions at 0.05 except the ones given."""
    out = dict.fromkeys(EMOTIONS, 0.05)
    out.update(values)
    return out


def ok(answer: Mapping[str, Any] | str, model: str = "test-model") -> Reply:
    """A 200 whose message content is `answer` (JSON-encoded unless already a string)."""
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return Reply(200, completion(content, model))


def error(
    status: int,
    message: str,
    kind: str = "server_error",
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """An error reply with OpenAI's error envelope."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply(status, body, dict(headers or {}))


class FakeChatServer:
    """ThreadingHTTPServer on 127.0.0.1 and a free port; use as a context manager."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: list[Script] = [ok(scores(joy=0.9))]
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/chat/completions"]

    def script(self, *replies: Script) -> None:
        """Answer the next requests with `replies` in order; the last one repeats."""
        with self._lock:
            self._script = list(replies)
            self.requests.clear()

    def __enter__(self) -> FakeChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next(self, body: Any, recorded: Recorded) -> Reply:
        with self._lock:
            index = min(len(self.requests), len(self._script) - 1)
            self.requests.append(recorded)
            step = self._script[index]
        return step if isinstance(step, Reply) else step(body)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw.decode("utf-8", "replace")
                recorded = Recorded(
                    "POST",
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                if self.path != "/v1/chat/completions":
                    self._send(error(404, f"Unknown path {self.path}", "invalid_request_error"))
                    return
                reply = server._next(body, recorded)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                payload = (
                    reply.body.encode("utf-8")
                    if isinstance(reply.body, str)
                    else json.dumps(reply.body).encode("utf-8")
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("x-request-id", "req_test")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
