"""SIGTERM and SIGHUP stop a run as Ctrl-C does: raised as StopSignal, once."""

from __future__ import annotations

import contextlib
import signal

import pytest

from simulator.run.signals import StopSignal, stop_signals_interrupt


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_signal_raises_stop_signal_naming_it(sig: signal.Signals) -> None:
    with pytest.raises(StopSignal) as stopped, stop_signals_interrupt():
        signal.raise_signal(sig)
    assert (stopped.value.signum, stopped.value.name) == (sig, sig.name)


def test_a_stop_signal_is_a_keyboard_interrupt_so_everything_unwinds_as_on_ctrl_c() -> None:
    assert issubclass(StopSignal, KeyboardInterrupt)


def test_a_second_signal_while_stopping_is_ignored() -> None:
    cleaned_up = False
    with pytest.raises(StopSignal), stop_signals_interrupt():
        try:
            signal.raise_signal(signal.SIGTERM)
        finally:
            signal.raise_signal(signal.SIGTERM)
            cleaned_up = True
    assert cleaned_up


def test_the_previous_handlers_are_back_afterwards() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_signals_interrupt():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_signal_whose_exception_was_swallowed_still_ends_the_block_as_stopped() -> None:
    swallowed = contextlib.suppress(StopSignal)  # as a finaliser does ("Exception ignored")
    with pytest.raises(StopSignal) as stopped, stop_signals_interrupt(), swallowed:
        signal.raise_signal(signal.SIGTERM)
    assert stopped.value.signum == signal.SIGTERM


def test_an_error_of_the_cleanup_after_a_signal_becomes_the_cause_of_the_stop() -> None:
    with pytest.raises(StopSignal) as stopped, stop_signals_interrupt():
        try:
            signal.raise_signal(signal.SIGHUP)
        finally:
            raise TimeoutError("a service did not stop")
    assert (stopped.value.signum, type(stopped.value.__cause__)) == (signal.SIGHUP, TimeoutError)


def test_a_stop_signal_wrapped_in_an_exception_group_leaves_as_the_stop_signal() -> None:
    with pytest.raises(StopSignal) as stopped, stop_signals_interrupt():
        try:
            signal.raise_signal(signal.SIGTERM)
        except StopSignal as stop:
            raise BaseExceptionGroup("tasks", [stop]) from None
    assert isinstance(stopped.value.__cause__, BaseExceptionGroup)


def test_without_a_signal_an_error_leaves_the_block_as_it_is() -> None:
    with pytest.raises(ValueError), stop_signals_interrupt():
        raise ValueError("not a stop")
