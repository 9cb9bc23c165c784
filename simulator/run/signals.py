"""SIGTERM and SIGHUP stop a run as Ctrl-C does: everything it started is stopped.

Python's default for SIGTERM ends the process at once, without running any `finally`, so
the broker and the services (each in its own session, out of reach of the terminal's
signals) were left running under PID 1. Inside `stop_signals_interrupt()` both signals
raise `StopSignal`, a `KeyboardInterrupt`, through whatever runs, asyncio included: the
run's context managers stop the services and the broker on the way out. A second signal
while that cleanup runs is ignored, so that it can finish.

A signal's exception can be lost on its way: raised inside a finaliser (Python prints
"Exception ignored" and goes on), replaced by an error of the cleanup, or wrapped in an
exception group. Whatever leaves the block after a stop signal arrived (a return
included) therefore leaves it as that `StopSignal`, the other exception chained as its
cause: a stopped run always ends as stopped.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

__all__ = ["STOP_SIGNALS", "StopSignal", "stop_signals_interrupt"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class StopSignal(KeyboardInterrupt):
    """The run was asked to stop by a signal."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


@contextlib.contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """Meanwhile SIGTERM and SIGHUP raise `StopSignal` (once); the old handlers after."""
    received: list[int] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if received:  # already stopping: let the cleanup finish
            return
        received.append(signum)
        raise StopSignal(signum)

    previous = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS}
    try:
        yield
    except StopSignal:
        raise
    except BaseException as other:
        if received:
            raise StopSignal(received[0]) from other
        raise
    else:
        if received:  # the signal's exception was swallowed on its way
            raise StopSignal(received[0])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
