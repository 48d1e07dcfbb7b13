"""Run local servers as child processes on free localhost ports, for tests and benchmarks.

The Streamlit app, for a real browser: used by the end-to-end test and the memory benchmark,
which both need a real `streamlit run app.py`. Owns the command line, the wait for
/_stcore/health, the stop sequence, and the headless Debian Chromium path and flags the project
drives it with (`chromium_page`, and `box_select` for the explorer map's box selection). And an
S3-compatible server (moto, offline) with one bucket, used by the
object-storage tests and benchmark. Must not import streamlit or the app itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def free_port() -> int:
    """A localhost TCP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Return once the server answers its health check; RuntimeError (with the log) if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"streamlit did not answer /_stcore/health in {timeout:g}s:\n{log.read_text()[-3000:]}"
    )


@contextmanager
def running_app(
    root: Path,
    home: Path,
    log: Path,
    *,
    timeout: float = 120.0,
    unset: Sequence[str] = (),
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve `root`/app.py on MOODTUNE_HOME=`home`, offline; yield (url, process); stop it.

    `unset` names environment variables the server must not see (keys, for instance).
    """
    env = {
        **os.environ,
        "MOODTUNE_HOME": str(home),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    for name in unset:
        env.pop(name, None)
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log, timeout)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def chromium_page(width: int, height: int) -> Iterator[Any]:
    """A Playwright page in the project's headless Debian Chromium; closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS))
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def box_select(page: Any, chart: Any) -> None:
    """Drag plotly's box selection over the upper-right part of `chart`'s plot area."""
    chart.hover()
    chart.locator('[data-title="Box Select"]').click()
    area = chart.locator(".nsewdrag").first.bounding_box()
    if area is None:
        raise RuntimeError("the chart has no plot area to drag over")
    x0, y0 = area["x"] + area["width"] * 0.55, area["y"] + area["height"] * 0.15
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + area["width"] * 0.3, y0 + area["height"] * 0.35, steps=12)
    page.mouse.up()


@contextmanager
def running_s3_server(
    bucket: str, key: str, secret: str, region: str = "us-east-1", timeout: float = 60
) -> Iterator[str]:
    """moto's S3 server on a free local port with one empty `bucket`; yields its endpoint URL."""
    import boto3

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the moto S3 server did not start") from None
                time.sleep(0.2)
        boto3.client(
            "s3",
            endpoint_url=url,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        ).create_bucket(Bucket=bucket)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
