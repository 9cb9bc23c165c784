"""What every service is built from: settings, store, messaging, logging, health, runtime."""

from services.kit.emitter import EventFactory, HandlerContext, derived_event_id
from services.kit.handler_signals import RejectEvent
from services.kit.messaging import ServiceMessaging
from services.kit.outgoing import Outgoing
from services.kit.policies import policy_names
from services.kit.runtime import ServiceRuntime, make_broker, run_service
from services.kit.settings import ServiceSettings, env_var_names, parse_settings
from services.kit.store import OutboxRecord, ServiceStore, StoreWorker

__all__ = [
    "EventFactory",
    "HandlerContext",
    "OutboxRecord",
    "Outgoing",
    "RejectEvent",
    "ServiceMessaging",
    "ServiceRuntime",
    "ServiceSettings",
    "ServiceStore",
    "StoreWorker",
    "derived_event_id",
    "env_var_names",
    "make_broker",
    "parse_settings",
    "policy_names",
    "run_service",
]
