"""Event logs: the format (docs/eventlog.md), reading, writing and recording the bus."""

from simulator.eventlog.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    EventLogError,
    LogEnd,
    LogHeader,
    LogRecord,
    record_to_json,
)
from simulator.eventlog.reader import EventLogReader, read_header
from simulator.eventlog.recorder import Recorder, start_recording
from simulator.eventlog.writer import EventLogWriter

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "EventLogError",
    "EventLogReader",
    "EventLogWriter",
    "LogEnd",
    "LogHeader",
    "LogRecord",
    "Recorder",
    "read_header",
    "record_to_json",
    "start_recording",
]
