"""SIGTERM and SIGHUP stop a run as Ctrl-C does: raised as StopSignal, once."""

from __future__ import annotations

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
