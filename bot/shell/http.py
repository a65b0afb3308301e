"""python-telegram-bot's networking on aiohttp instead of httpx.

Why: every reply is one Bot API call and every update one more (getUpdates), and on the event
loop's thread httpx + httpcore + anyio cost about twice the CPU of aiohttp, whose HTTP parser is
compiled (measured once on the development machine: the same sendMessage through
python-telegram-bot, ~2.3 vs ~1.1 ms of CPU per call; ``bench/updates.py`` shows the effect on a
whole turn). At a few hundred updates a second that difference is most of a core,
and a bot near a full core answers late.

PTB's documented way to swap the library is a :class:`telegram.request.BaseRequest` subclass; the
PTB team's own aiohttp version lives in ptbcontrib (not on PyPI). This one keeps HTTPXRequest's
behaviour where it matters here: the same default timeouts, a pool timeout that says so, TimedOut
for timeouts, NetworkError (naming the aiohttp error) for everything else that goes wrong on the
wire, multipart uploads, certifi's CA bundle. Other calls send a JSON body (cheaper to encode
than a form; the Bot API documents both).
"""

from __future__ import annotations

import json
import ssl
from functools import cache
from typing import Any

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_CONNECT_TIMEOUT_MESSAGE = (
    "Timed out getting a connection (the pool was busy or the server did not answer); "
    "the request was not sent."
)


class AiohttpRequest(BaseRequest):
    """A pool of keep-alive connections to the Bot API; one instance per bot (or per getUpdates)."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_timeouts",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None  # made in initialize(), on the loop
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call does not name one (PTB adds getUpdates' long poll)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the connection pool (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size,
                ssl=_tls_context(),
            )
            self._session = aiohttp.ClientSession(connector=connector, timeout=_NO_TIMEOUT)

    async def shutdown(self) -> None:
        """Close every connection; safe to call twice."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the status code and the body (PTB reads the JSON)."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        parameters = request_data.parameters if request_data else None
        data: Any = None
        headers = _HEADERS_PLAIN
        if files:
            assert request_data is not None
            data = _multipart(request_data.json_parameters, files)
        elif parameters:
            # A JSON body (the Bot API takes application/json for everything but uploads): one
            # call into the C encoder, where form encoding quotes a long reply byte by byte.
            data, headers = json.dumps(parameters).encode(), _HEADERS_JSON
        timeout = self._timeout(
            self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout,
            (self._media_write_timeout if files else self._write_timeout)
            if isinstance(write_timeout, DefaultValue)
            else write_timeout,
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout,
        )
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            # A free connection (or a new one) took too long: nothing was sent.
            raise TimedOut(message=_CONNECT_TIMEOUT_MESSAGE) from error
        except TimeoutError as error:  # reading the answer (or the whole request) took too long
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name helps when the message is empty (a dropped connection often is).
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _timeout(
        self,
        read: float | None,
        write: float | None,
        connect: float | None,
        pool: float | None,
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for httpx-style ones, built once per combination.

        Read is the longest silence while the answer arrives (as httpx's read timeout); pool plus
        connect bound getting a connection; aiohttp has no write timeout, so the whole request is
        capped by the sum of all four, which is never shorter than httpx would allow.
        """
        key = (read, write, connect, pool)
        timeout = self._timeouts.get(key)
        if timeout is None:
            total = None if any(p is None for p in key) else sum(p for p in key if p)
            acquire = None if pool is None or connect is None else pool + connect
            timeout = aiohttp.ClientTimeout(
                total=total, connect=acquire, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:  # a handful of combinations in practice
                self._timeouts[key] = timeout
        return timeout


_NO_TIMEOUT = aiohttp.ClientTimeout(total=None)  # each request passes its own
_HEADERS_JSON = {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": "application/json"}
_HEADERS_PLAIN = {"User-Agent": BaseRequest.USER_AGENT}  # no body, or multipart (aiohttp adds it)


@cache
def _tls_context() -> ssl.SSLContext:
    """One context for every pool: loading the CA bundle takes tens of milliseconds each time."""
    return ssl.create_default_context(cafile=certifi.where())


def _multipart(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    """A multipart body: the parameters, then each file (name, content, MIME type) PTB gives."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename or name, content_type=mimetype)
    return form
