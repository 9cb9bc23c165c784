"""The driver's HTTP client: one pooled keep-alive aiohttp session per service URL.

The simulator plays a thousand applicants at once. On httpx it spent more CPU than the
city portal spent answering them (py-spy, docs/performance.md "The citizen-facing path"):
httpx's pool checks every connection's socket for each request, and its cancel scopes and
events come from anyio on every call. aiohttp keeps idle connections per host in a queue
and parses answers in C. The answer is read whole (`Answer`): the services' answers are
small JSON documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

__all__ = ["Answer", "HttpClient", "StatusError", "TransportError"]

#: Idle connections are closed by the client before uvicorn's own 5 s keep-alive timeout,
#: so that a request never goes out on a connection the server is closing.
KEEPALIVE_S = 4.0

#: A pooled connection whose server went away (a service restarted on the same port, or
#: one that closed it) fails as one of these when it is next used. The request is sent
#: again once, on a fresh connection: every POST the driver makes carries its `client_ref`,
#: so the services take a repeat as the same request.
STALE_CONNECTION = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


class TransportError(RuntimeError):
    """No answer: the connection was refused or broke, or the answer did not come in time."""


class StatusError(RuntimeError):
    """An answer with an error status, raised by `Answer.raise_for_status`."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"{answer.method} {answer.url}: {answer.status_code} {answer.text[:300]}")
        self.answer = answer


@dataclass(frozen=True)
class Answer:
    """A service's answer, read whole."""

    method: str
    url: str
    status_code: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self.content)

    def raise_for_status(self) -> None:
        """`StatusError` for a 4xx or 5xx answer."""
        if self.status_code >= 400:
            raise StatusError(self)


class HttpClient:
    """Requests to one base URL over at most `connections` keep-alive connections; every
    request is bounded by `timeout` seconds, waiting for a free connection excepted."""

    def __init__(self, base_url: str, connections: int = 64, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:  # made on first use, inside the running loop
            connector = aiohttp.TCPConnector(
                limit=self.connections, limit_per_host=0, keepalive_timeout=KEEPALIVE_S
            )
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """The answer to `method path` (a JSON body if `json` is not None)."""
        url = self.base_url + path
        body = None if json is None else orjson.dumps(json)
        sent = dict(headers or {})
        if body is not None:
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                async with self._open().request(method, url, data=body, headers=sent) as answer:
                    content = await answer.read()
                    return Answer(method, url, answer.status, content, answer.headers)
            except STALE_CONNECTION as exc:
                if attempt == 2:
                    raise TransportError(f"{method} {url}: {exc!r}") from exc
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise TransportError(f"{method} {url}: {exc!r}") from exc
        raise AssertionError("unreachable")

    async def get(self, path: str, headers: Mapping[str, str] | None = None) -> Answer:
        """GET `path`."""
        return await self.request("GET", path, headers=headers)

    async def post(
        self, path: str, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Answer:
        """POST `path` with a JSON body."""
        return await self.request("POST", path, json=json, headers=headers)

    async def aclose(self) -> None:
        """Close every connection."""
        if self._session is not None:
            await self._session.close()
            self._session = None
