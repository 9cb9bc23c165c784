"""The supervisor's restart policy: back-off doubling to a cap, giving up on a crash loop."""

from __future__ import annotations

from simulator.system.restarts import Death, RestartMode, RestartPolicy, describe_exit

POLICY = RestartPolicy()


def test_the_first_restart_comes_after_half_a_second() -> None:
    assert POLICY.next_delay([], now=100.0) == 0.5


def test_each_restart_in_the_window_doubles_the_delay_up_to_eight_seconds() -> None:
    policy = RestartPolicy(max_restarts=10)
    delays = [policy.next_delay([100.0] * n, now=101.0) for n in range(7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_restarts_older_than_the_window_no_longer_count() -> None:
    assert POLICY.next_delay([10.0, 20.0, 30.0], now=95.0) == 0.5


def test_a_service_restarted_max_restarts_times_in_the_window_is_given_up() -> None:
    assert POLICY.next_delay([91.0, 92.0, 93.0, 94.0, 95.0], now=96.0) is None


def test_restart_no_gives_up_at_the_first_death() -> None:
    assert RestartPolicy(RestartMode.NO).next_delay([], now=1.0) is None


def test_an_exit_by_signal_is_named_by_the_signal() -> None:
    assert describe_exit(-9) == "SIGKILL"
    assert describe_exit(-15) == "SIGTERM"


def test_an_exit_with_a_code_is_named_by_the_code() -> None:
    assert describe_exit(1) == "exit code 1"


def test_a_death_s_down_time_runs_from_its_notice_to_its_service_answering_again() -> None:
    death = Death("one_stop", 42, -9, at_wall_s=10.0, at_ms=0, up_at_wall_s=12.5)
    assert death.down_s == 2.5
    assert death.as_json()["exit"] == "SIGKILL"
