"""Firefox for the browser suite: ``driver.mjs`` (puppeteer-core over WebDriver BiDi) as a
child process, and a small page API on top of it that reads like the Playwright tests.

The driver answers one JSON line per request. Every wait is bounded: in the page (the
request's ``timeout``) and here (a reply must come within that timeout plus a margin).
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).with_name("driver.mjs")
FIREFOX = "/usr/bin/firefox-esr"
#: Bounded wait for anything that crosses Redis → app → Socket.IO → a frame (as in Chromium).
EVENT_TIMEOUT = 5_000
LAUNCH_TIMEOUT = 60.0
REPLY_MARGIN = 15.0


class DriverError(AssertionError):
    """The driver failed a request (a wait ran out, an element was missing, …)."""


class Firefox:
    """One Firefox process for the session, driven through ``driver.mjs``."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._next_id = 0
        self._buffer = b""
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                ["node", str(DRIVER)],
                cwd=DRIVER.parents[3],  # the repository: node_modules/puppeteer-core
                env={**os.environ, "TICKSTOCK_FIREFOX": FIREFOX},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        hello = self._read_line(LAUNCH_TIMEOUT)
        if not hello.get("ready"):
            raise DriverError(f"the Firefox driver did not start: {hello}\n{self.log()}")
        self.version: str = hello["version"]

    def request(self, op: str, timeout_ms: int = EVENT_TIMEOUT, **args: Any) -> Any:
        assert self.proc.stdin is not None
        self._next_id += 1
        message = {"id": self._next_id, "op": op, "timeout": timeout_ms, **args}
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()
        reply = self._read_line(timeout_ms / 1000 + REPLY_MARGIN)
        if reply.get("id") != self._next_id:
            raise DriverError(f"reply to another request: {reply} (sent {message})")
        if not reply["ok"]:
            raise DriverError(f"{op} failed: {reply['error']}")
        return reply["value"]

    def _read_line(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if not selector.select(timeout):
                    raise DriverError(
                        f"no reply from the Firefox driver in {timeout}s\n{self.log()}"
                    )
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise DriverError(f"the Firefox driver exited\n{self.log()}")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def new_page(self) -> FirefoxPage:
        return FirefoxPage(self, self.request("newPage"))

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write(b'{"op": "quit"}\n')
                self.proc.stdin.close()
                self.proc.wait(20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


class FirefoxPage:
    """A page in a fresh browser context. Predicates are JavaScript function sources run in
    the page with one JSON argument; ``wait_for`` polls one until it returns a truthy value."""

    def __init__(self, firefox: Firefox, page_id: int) -> None:
        self.firefox, self.id = firefox, page_id

    def _do(self, op: str, timeout_ms: int = EVENT_TIMEOUT, **args: Any) -> Any:
        return self.firefox.request(op, timeout_ms, page=self.id, **args)

    def goto(self, url: str) -> int | None:
        return self._do("goto", 20_000, url=url)

    def reload(self) -> None:
        self._do("reload", 20_000)

    def evaluate(self, fn: str, arg: Any = None) -> Any:
        return self._do("evaluate", fn=fn, arg=arg)

    def wait_for(self, fn: str, arg: Any = None, timeout_ms: int = EVENT_TIMEOUT) -> Any:
        return self._do("waitFor", timeout_ms, fn=fn, arg=arg)

    def click(self, selector: str) -> None:
        self._do("click", selector=selector)

    def fill(self, selector: str, value: str) -> None:
        self._do("fill", selector=selector, value=value)

    def select(self, selector: str, value: str) -> None:
        self._do("select", selector=selector, value=value)

    def problems(self) -> list[str]:
        """Console errors, uncaught page errors and HTTP responses >= 400 seen so far."""
        return self._do("problems")

    def close(self) -> None:
        self._do("closePage")

    # -- waits that read like the Playwright tests ------------------------------------------

    def wait_text(self, selector: str, text: str, timeout_ms: int = EVENT_TIMEOUT) -> None:
        """Until the first element matching ``selector`` has exactly ``text``."""
        try:
            self.wait_for(
                "([s, t]) => document.querySelector(s)?.textContent.trim() === t",
                [selector, text],
                timeout_ms,
            )
        except DriverError as err:
            raise DriverError(
                f"{selector} never read {text!r}: now {self.text(selector)!r}"
            ) from err

    def wait_texts(self, selector: str, texts: list[str], timeout_ms: int = EVENT_TIMEOUT) -> None:
        """Until the elements matching ``selector`` read exactly ``texts``, in order."""
        try:
            self.wait_for(
                """([s, want]) => {
                    const got = [...document.querySelectorAll(s)].map((e) => e.textContent.trim());
                    return JSON.stringify(got) === JSON.stringify(want);
                }""",
                [selector, texts],
                timeout_ms,
            )
        except DriverError as err:
            raise DriverError(
                f"{selector} never read {texts!r}: now {self.texts(selector)!r}"
            ) from err

    def wait_count(self, selector: str, count: int, timeout_ms: int = EVENT_TIMEOUT) -> None:
        try:
            self.wait_for(
                "([s, n]) => document.querySelectorAll(s).length === n",
                [selector, count],
                timeout_ms,
            )
        except DriverError as err:
            now = len(self.texts(selector))
            raise DriverError(f"never {count} of {selector}: now {now}") from err

    def wait_attribute(self, selector: str, name: str, value: str) -> None:
        self.wait_for(
            "([s, n, v]) => document.querySelector(s)?.getAttribute(n) === v",
            [selector, name, value],
        )

    def text(self, selector: str) -> str | None:
        return self.evaluate(
            "(s) => document.querySelector(s)?.textContent.trim() ?? null", selector
        )

    def texts(self, selector: str) -> list[str]:
        return self.evaluate(
            "(s) => [...document.querySelectorAll(s)].map((e) => e.textContent.trim())", selector
        )
