"""A real headless Chromium (Debian's `chromium`) driven through the DevTools protocol.

`HeadlessPage(url)` starts Chromium on a fresh profile with the page open, connects to
the page's DevTools websocket, and offers `evaluate` (a JavaScript expression's value)
and `screenshot` (PNG bytes). Nothing is downloaded: the test skips without the binary.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

__all__ = ["HeadlessPage", "chromium_binary"]


def chromium_binary() -> str | None:
    """Debian's chromium (or `$PORTALSIM_CHROMIUM`), None when absent."""
    return os.environ.get("PORTALSIM_CHROMIUM") or shutil.which("chromium")


class HeadlessPage:
    """One Chromium process showing one page (a context manager)."""

    def __init__(self, url: str, width: int = 1280, height: int = 1100) -> None:
        binary = chromium_binary()
        if binary is None:
            raise RuntimeError("chromium not found (apt-get install chromium)")
        self.profile = Path(tempfile.mkdtemp(prefix="portalsim-chromium-"))
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",  # the tests run as root
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.size = (width, height)
        self._ids = itertools.count(1)
        self._stack = contextlib.ExitStack()
        self.socket: ClientConnection = self._stack.enter_context(
            connect(self._page_socket(url), max_size=2**26)
        )

    def _page_socket(self, url: str, timeout_s: float = 60.0) -> str:
        deadline = time.monotonic() + timeout_s
        port_file = self.profile / "DevToolsActivePort"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            if port_file.exists() and port_file.read_text().strip():
                port = port_file.read_text().split()[0]
                try:
                    targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                except httpx.HTTPError:
                    targets = []
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return str(pages[0]["webSocketDebuggerUrl"])
            time.sleep(0.2)
        raise TimeoutError(f"chromium showed no page for {url} within {timeout_s:.0f} s")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result."""
        call_id = next(self._ids)
        self.socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-like values)."""
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 30.0) -> Any:
        """The first truthy value of a JavaScript expression, polled (bounded)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                value = self.evaluate(expression)
                if value:
                    return value
            time.sleep(0.1)
        raise TimeoutError(f"{expression} stayed false for {timeout_s:.0f} s")

    def screenshot(self, path: Path) -> Path:
        """Save the page as a PNG."""
        width, height = self.size
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        """Stop Chromium and remove its profile."""
        self._stack.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> HeadlessPage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
