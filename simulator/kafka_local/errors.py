"""Error types raised by the local Kafka broker manager."""

from __future__ import annotations


class KafkaLocalError(Exception):
    """Base class of every error raised by :mod:`simulator.kafka_local`."""


class KafkaSetupError(KafkaLocalError):
    """A prerequisite is missing or broken: no ``java``/``mvn`` on PATH, jar fetch failed.

    The message is a single line meant to be shown to a user as is.
    """


class KafkaStartError(KafkaLocalError):
    """The broker could not be formatted, started or stopped.

    The message may span several lines (it carries the tail of the broker log).
    """
