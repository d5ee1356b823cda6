"""A TCP proxy on 127.0.0.1 in front of PostgreSQL that can cut a process off.

``freeze()`` stops forwarding in both directions and closes nothing, as a network
partition does: the process's sockets stay open and no answer comes. ``end_sessions()``
then closes the server's side, as PostgreSQL does once its keepalive gives up: the
sessions end and their advisory locks are released.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.engine import make_url


class Partition:
    """Forwards connections to the database of ``url``; :meth:`freeze` cuts them off."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._url = parsed
        self._upstream = (parsed.host or "127.0.0.1", parsed.port or 5432)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._upstream_writers: list[asyncio.StreamWriter] = []
        self._client_writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        """The database URL through this proxy."""
        return self._url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    async def __aenter__(self) -> Partition:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
        self.end_sessions()
        for writer in self._client_writers:
            writer.transport.abort()
        self._flowing.set()  # held bytes go nowhere now: the pipes see their sockets gone
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    def freeze(self) -> None:
        """Stop forwarding, both ways; every socket stays open."""
        self._flowing.clear()

    def end_sessions(self) -> None:
        """Close the connections to the server: it ends their sessions (and their locks)."""
        for writer in self._upstream_writers:
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._upstream_writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._client_writers.append(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
            self._upstream_writers.append(up_writer)
            await asyncio.gather(
                self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
            )
        finally:
            self._tasks.discard(task)
            if self._flowing.is_set():
                writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                await self._flowing.wait()  # frozen: the bytes are held, nothing is closed
                if writer.transport.is_closing():
                    return
                writer.write(data)
                await writer.drain()
            if self._flowing.is_set():
                writer.close()
