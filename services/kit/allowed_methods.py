"""405 answers that name every method a path takes, as the API's document lists them.

Starlette answers a wrong method with the `Allow` of the first route whose path matches;
a path served by several routes (`GET` and `PATCH /ops/policies`) then claims fewer
methods than it has. This middleware rewrites a 405's `Allow` to the methods the OpenAPI
document gives the path.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AllowEveryMethod"]

_PARAMETER = re.compile(r"\{[^}/]+\}")


def _documented(app: FastAPI) -> list[tuple[re.Pattern[str], str]]:
    """Each documented path as a pattern, with its methods as an `Allow` value."""
    paths: dict[str, Any] = app.openapi().get("paths", {})
    documented = []
    for template, operations in paths.items():
        literal = [re.escape(part) for part in _PARAMETER.split(template)]
        pattern = re.compile("^" + "[^/]+".join(literal) + "$")
        documented.append((pattern, ", ".join(sorted(m.upper() for m in operations))))
    # a literal path (`/desks/clock`) before a template it also fits (`/desks/{unit_code}`)
    return sorted(documented, key=lambda entry: "[^/]+" in entry[0].pattern)


class AllowEveryMethod:
    """ASGI middleware: a 405's `Allow` lists every documented method of its path."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._paths: list[tuple[re.Pattern[str], str]] | None = None

    def _allow(self, path: str) -> str | None:
        if self._paths is None:
            self._paths = _documented(self.api)
        return next((allow for pattern, allow in self._paths if pattern.match(path)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = self._allow(scope["path"])
                if allow is not None:
                    MutableHeaders(scope=message)["allow"] = allow
            await send(message)

        await self.app(scope, receive, sending)
