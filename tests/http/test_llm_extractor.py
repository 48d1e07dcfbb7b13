from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from moodtune.config import Settings
from moodtune.emotions import build_extractor, extract_songs
from moodtune.emotions.llm import (
    CACHE_FILE,
    MAX_SONG_CHARS,
    PLACEHOLDER_KEY,
    PROMPT_VERSION,
    SONG_PROMPT_VERSION,
    LLMExtractor,
    _retry_after,
)
from moodtune.errors import ConfigError, ExtractionError, SourceError
from moodtune.models import EMOTIONS, EmotionProfile
from tests.http.chat_server import FakeChatServer, Reply, completion, error, ok, scores

MODEL = "test-model"


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    with FakeChatServer() as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def make(server: FakeChatServer, tmp_path: Path, sleeps: list[float], http: httpx.Client) -> Any:
    def build(**overrides: Any) -> LLMExtractor:
        options: dict[str, Any] = {
            "model": MODEL,
            "base_url": server.base_url,
            "cache_dir": tmp_path / "llm",
            "http_client": http,
            "timeout": 5.0,
            "sleep": sleeps.append,
        }
        options.update(overrides)
        return LLMExtractor(**options)

    return build


def cached_rows(tmp_path: Path) -> int:
    path = tmp_path / "llm" / CACHE_FILE
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0])


def test_valid_answer_gives_profile_and_request_carries_model_and_schema(
    server: FakeChatServer, make: Any
) -> None:
    server.script(ok(scores(sadness=0.9, fear=0.55)))
    (profile,) = make().extract(["rainy Sunday, missing home"])
    assert profile.dominant == "sadness"
    assert profile["sadness"] == pytest.approx(0.9)
    assert profile["fear"] == pytest.approx(0.55)
    assert profile["joy"] == pytest.approx(0.05)

    (request,) = server.chat_requests
    assert request.headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"
    body = request.body
    assert body["model"] == MODEL
    assert body["temperature"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == list(EMOTIONS)
    assert set(schema["properties"]) == set(EMOTIONS)
    assert schema["additionalProperties"] is False
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user"]
    assert "rainy Sunday, missing home" in body["messages"][1]["content"]
    assert all(e in body["messages"][0]["content"] for e in EMOTIONS)


def test_api_key_is_sent_as_bearer_token(server: FakeChatServer, make: Any) -> None:
    make(api_key="sk-test-123").extract(["hello"])
    assert server.chat_requests[0].headers["authorization"] == "Bearer sk-test-123"


def test_default_http_client_works_too(server: FakeChatServer, make: Any) -> None:
    server.script(ok(scores(anger=0.8)))
    (profile,) = make(http_client=None).extract(["so angry"])
    assert profile.dominant == "anger"


def test_second_extract_is_served_from_the_disk_cache(
    server: FakeChatServer, make: Any, tmp_path: Path
) -> None:
    server.script(ok(scores(trust=0.7)))
    first = make().extract(["my old friend"])
    assert len(server.chat_requests) == 1
    # A new extractor (a new process, say) reads the same file; whitespace does not matter.
    again = make().extract(["my old friend", "  my old friend\n"])
    assert again == first * 2
    assert len(server.chat_requests) == 1
    assert cached_rows(tmp_path) == 1
    # The model is part of the key.
    make(model="other-model").extract(["my old friend"])
    assert len(server.chat_requests) == 2


def test_plain_and_fenced_json_answers_are_accepted(server: FakeChatServer, make: Any) -> None:
    answer = json.dumps(scores(joy=0.8))
    server.script(
        ok(f"```json\n{answer}\n```"),
        ok(f"Here are the scores:\n{answer}\nHope this helps!"),
    )
    extractor = make(cache_dir=None)
    assert extractor.extract(["a"])[0].dominant == "joy"
    assert extractor.extract(["b"])[0].dominant == "joy"
    assert len(server.chat_requests) == 2


def test_malformed_json_is_retried_with_the_problem_then_succeeds(
    server: FakeChatServer, make: Any, tmp_path: Path
) -> None:
    server.script(ok('{"joy": 0.9, "trust": '), ok(scores(joy=0.9)))
    (profile,) = make().extract(["sunshine"])
    assert profile.dominant == "joy"
    _first, second = server.chat_requests
    retry_messages = second.body["messages"]
    assert [m["role"] for m in retry_messages] == ["system", "user", "assistant", "user"]
    assert retry_messages[2]["content"] == '{"joy": 0.9, "trust": '
    assert "not valid JSON" in retry_messages[3]["content"]
    assert cached_rows(tmp_path) == 1


def test_always_malformed_raises_extraction_error_and_caches_nothing(
    server: FakeChatServer, make: Any, tmp_path: Path
) -> None:
    server.script(ok("I feel that this text is mostly joyful."))
    extractor = make()
    with pytest.raises(ExtractionError, match="no valid emotion answer in 3 tries"):
        extractor.extract(["sunshine"])
    assert len(server.chat_requests) == 3
    assert cached_rows(tmp_path) == 0
    with pytest.raises(ExtractionError):
        extractor.extract(["sunshine"])
    assert len(server.chat_requests) == 6


def test_wrong_emotion_names_are_retried_then_reported(
    server: FakeChatServer, make: Any, tmp_path: Path
) -> None:
    wrong = scores()
    wrong["happiness"] = wrong.pop("joy")
    server.script(ok(wrong))
    with pytest.raises(ExtractionError, match="unknown emotion 'happiness'") as info:
        make().extract(["sunshine"])
    assert "missing 'joy'" in str(info.value)
    assert len(server.chat_requests) == 3
    assert cached_rows(tmp_path) == 0


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (scores(joy=1.7), "'joy' input should be less than or equal to 1"),
        (scores(fear=-0.2), "'fear' input should be greater than or equal to 0"),
        ({**scores(), "anger": "high"}, "'anger' input should be a valid number"),
        (["not", "an", "object"], "input should be an object"),
    ],
)
def test_out_of_range_and_wrong_types_are_reported(
    server: FakeChatServer, make: Any, answer: Any, problem: str
) -> None:
    server.script(ok(json.dumps(answer)))
    with pytest.raises(ExtractionError) as info:
        make(invalid_retries=0).extract(["x"])
    assert problem in str(info.value).lower()
    assert len(server.chat_requests) == 1


def test_refusal_counts_as_an_invalid_answer(server: FakeChatServer, make: Any) -> None:
    server.script(Reply(200, completion(None, refusal="I can't help with that.")))
    with pytest.raises(ExtractionError, match="refused"):
        make(invalid_retries=1).extract(["x"])
    assert len(server.chat_requests) == 2


def test_rate_limit_honours_retry_after_then_succeeds(server: FakeChatServer, make: Any) -> None:
    server.script(
        error(429, "Rate limit reached", "requests", "rate_limit_exceeded", {"Retry-After": "1"}),
        ok(scores(surprise=0.8)),
    )
    # The real sleep, measured by the server's arrival times.
    (profile,) = make(sleep=time.sleep).extract(["suddenly"])
    assert profile.dominant == "surprise"
    first, second = server.chat_requests
    assert second.at - first.at >= 0.95


def test_retry_after_is_capped_and_backoff_used_without_it(
    server: FakeChatServer, make: Any, sleeps: list[float]
) -> None:
    server.script(
        error(429, "slow down", "requests", headers={"Retry-After": "3600"}),
        error(429, "slow down", "requests"),
        ok(scores()),
    )
    make(max_retry_after=2.0, backoff=0.01).extract(["x"])
    assert sleeps == [2.0, 0.02]


def test_persistent_rate_limit_raises_source_error(
    server: FakeChatServer, make: Any, sleeps: list[float]
) -> None:
    server.script(error(429, "Rate limit reached", "requests", headers={"Retry-After": "1"}))
    with pytest.raises(SourceError, match="rate-limiting") as info:
        make(max_attempts=3).extract(["x"])
    assert info.value.exit_code == 3
    assert len(server.chat_requests) == 3
    assert sleeps == [1.0, 1.0]


def test_server_error_then_success(
    server: FakeChatServer, make: Any, sleeps: list[float], tmp_path: Path
) -> None:
    server.script(error(500, "The server had an error"), ok(scores(anticipation=0.75)))
    (profile,) = make(backoff=0.01).extract(["countdown"])
    assert profile.dominant == "anticipation"
    assert len(server.chat_requests) == 2
    assert sleeps == [0.01]
    assert cached_rows(tmp_path) == 1


def test_persistent_server_error_raises_source_error_after_backoff(
    server: FakeChatServer, make: Any, sleeps: list[float], tmp_path: Path
) -> None:
    server.script(error(503, "The engine is currently overloaded"))
    with pytest.raises(SourceError, match=r"HTTP 503, 4 attempts"):
        make(backoff=0.5, max_backoff=1.5).extract(["x"])
    assert len(server.chat_requests) == 4
    assert sleeps == [0.5, 1.0, 1.5]
    assert cached_rows(tmp_path) == 0


def test_timeout_is_retried_then_raises_source_error(server: FakeChatServer, make: Any) -> None:
    server.script(Reply(200, completion(json.dumps(scores())), delay=2.0))
    with pytest.raises(SourceError, match=r"did not answer within 0.2 s \(2 attempts\)"):
        make(timeout=0.2, max_attempts=2).extract(["x"])
    # The client gave up after 0.2 s; on a busy machine the server thread may record the
    # second request a moment later, so wait for it (and never for a third).
    deadline = time.monotonic() + 10
    while len(server.chat_requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.chat_requests) == 2


def test_timeout_then_answer_succeeds(server: FakeChatServer, make: Any) -> None:
    server.script(Reply(200, completion(json.dumps(scores())), delay=2.0), ok(scores(fear=0.6)))
    (profile,) = make(timeout=0.3).extract(["x"])
    assert profile.dominant == "fear"


def test_connection_refused_raises_source_error(make: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError, match="Could not connect"):
        make(base_url=f"http://127.0.0.1:{port}/v1", max_attempts=2).extract(["x"])


def test_bad_key_raises_config_error_without_retrying(server: FakeChatServer, make: Any) -> None:
    server.script(
        error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key")
    )
    with pytest.raises(ConfigError, match="OPENAI_API_KEY") as info:
        make(api_key="sk-wrong").extract(["x"])
    assert info.value.exit_code == 2
    assert len(server.chat_requests) == 1
    assert "sk-wrong" not in str(info.value)


def test_unknown_model_raises_config_error(server: FakeChatServer, make: Any) -> None:
    server.script(error(404, "The model `nope` does not exist", "invalid_request_error"))
    with pytest.raises(ConfigError, match="MOODTUNE_LLM_MODEL"):
        make(model="nope").extract(["x"])


def test_bad_request_raises_source_error_with_the_server_message(
    server: FakeChatServer, make: Any
) -> None:
    server.script(error(400, "Unsupported value: 'temperature'", "invalid_request_error"))
    with pytest.raises(SourceError, match=r"HTTP 400.*temperature"):
        make().extract(["x"])
    assert len(server.chat_requests) == 1


def test_batch_keeps_order_skips_empty_texts_and_asks_once_per_text(
    server: FakeChatServer, make: Any
) -> None:
    def by_text(body: Any) -> Reply:
        text = body["messages"][1]["content"]
        emotion = next(e for e in EMOTIONS if e in text)
        return ok(scores(**{emotion: 0.9}))

    server.script(by_text)
    texts = ["pure joy", "", "deep sadness", "pure joy", "anger rising", "   ", "fear of dark"]
    profiles = make(concurrency=3).extract(texts)
    assert [p.dominant if p != EmotionProfile.zeros() else "-" for p in profiles] == [
        "joy",
        "-",
        "sadness",
        "joy",
        "anger",
        "-",
        "fear",
    ]
    assert len(server.chat_requests) == 4


def test_songs_are_judged_whole_with_the_song_prompt_and_stanzas_kept(
    server: FakeChatServer, make: Any, tmp_path: Path
) -> None:
    # A comic song about misfortune: line by line sad, as a whole joy (the labelling convention).
    def by_prompt(body: Any) -> Reply:
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        if "WHOLE song" in system:
            assert user.startswith("Song lyrics:")
            return ok(scores(joy=0.9, sadness=0.3))
        return ok(scores(sadness=0.7))

    server.script(by_prompt)
    songs = [["my horse ran off", "my hat blew away"], ["the stove burned down"], []]
    extractor = make()
    read = extract_songs(extractor, songs)  # extract_songs hands songs to read_songs
    assert [s.profile.dominant for s in read[:2]] == ["joy", "joy"]
    assert read[2].profile == EmotionProfile.zeros()  # nothing to ask about
    assert [len(s.stanza_profiles) for s in read] == [2, 1, 0]
    assert all(p.dominant == "sadness" for s in read for p in s.stanza_profiles)
    whole = [
        r.body for r in server.chat_requests if "WHOLE song" in r.body["messages"][0]["content"]
    ]
    assert len(whole) == 2
    asked_texts = sorted(body["messages"][1]["content"] for body in whole)
    assert "my horse ran off\n\nmy hat blew away" in asked_texts[0]
    # Song answers are cached apart from stanza answers, under their own prompt version.
    asked = len(server.chat_requests)
    assert extract_songs(make(), songs)[0].profile.dominant == "joy"
    assert len(server.chat_requests) == asked
    with sqlite3.connect(tmp_path / "llm" / CACHE_FILE) as conn:
        versions = {v for (v,) in conn.execute("SELECT prompt_version FROM answers")}
    assert versions == {PROMPT_VERSION, SONG_PROMPT_VERSION}


def test_long_songs_are_cut_at_a_stanza_boundary(server: FakeChatServer, make: Any) -> None:
    server.script(ok(scores(trust=0.8)))
    stanza = "a long line of a very long song\n" * 40
    make().read_songs([[stanza] * 20])
    song_requests = [
        r.body for r in server.chat_requests if "WHOLE song" in r.body["messages"][0]["content"]
    ]
    text = song_requests[0]["messages"][1]["content"]
    assert len(text) <= MAX_SONG_CHARS + 40
    assert text.count(stanza.strip()) == MAX_SONG_CHARS // (len(stanza) + 2)


def test_no_key_and_no_base_url_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (
        "OPENAI_API_KEY",
        "MOODTUNE_OPENAI_API_KEY",
        "MOODTUNE_LLM_BASE_URL",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as info:
        build_extractor("llm", Settings(cache_dir=str(tmp_path)))
    assert "OPENAI_API_KEY" in str(info.value)
    assert "MOODTUNE_LLM_BASE_URL" in str(info.value)
    with pytest.raises(ConfigError):
        LLMExtractor(model=MODEL)


def test_from_settings_uses_base_url_model_and_cache_path(
    server: FakeChatServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("MOODTUNE_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("MOODTUNE_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("MOODTUNE_CACHE_DIR", str(tmp_path))
    server.script(ok(scores(disgust=0.8), model="llama3.2"))
    extractor = build_extractor("llm", Settings())
    assert extractor.name == "llm"
    assert extractor.version == f"llm-prompt{PROMPT_VERSION}+{SONG_PROMPT_VERSION}:llama3.2"
    (profile,) = extractor.extract(["rotten"])
    assert profile.dominant == "disgust"
    assert server.chat_requests[0].body["model"] == "llama3.2"
    assert (tmp_path / "llm" / CACHE_FILE).is_file()


def test_retry_after_parses_seconds_dates_and_milliseconds() -> None:
    assert _retry_after({"retry-after": "2"}) == 2.0
    assert _retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (_retry_after({"retry-after": later}) or 0) <= 30
    assert _retry_after({"retry-after": "soon"}) is None
    assert _retry_after({}) is None
