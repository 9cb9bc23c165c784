"""Run a real Apache Kafka broker locally from its Maven jars, without Docker.

A single-node KRaft broker-and-controller bound to 127.0.0.1, started with the
installed JDK, or a cluster of such nodes (``LocalKafkaCluster``). See docs/design.md
("Kafka without Docker"), docs/scaling.md and ``portalsim kafka --help``.
"""

from __future__ import annotations

from simulator.kafka_local.broker import LocalKafka
from simulator.kafka_local.cluster import LocalKafkaCluster, cluster_size
from simulator.kafka_local.config import Ports, free_port, new_cluster_id, port_is_free
from simulator.kafka_local.errors import KafkaLocalError, KafkaSetupError, KafkaStartError
from simulator.kafka_local.jars import (
    ensure_jars,
    find_java,
    find_mvn,
    jars_cached,
    kafka_version,
)
from simulator.kafka_local.paths import cache_root, default_data_dir
from simulator.kafka_local.state import BrokerStatus

__all__ = [
    "BrokerStatus",
    "KafkaLocalError",
    "KafkaSetupError",
    "KafkaStartError",
    "LocalKafka",
    "LocalKafkaCluster",
    "Ports",
    "cache_root",
    "cluster_size",
    "default_data_dir",
    "ensure_jars",
    "find_java",
    "find_mvn",
    "free_port",
    "jars_cached",
    "kafka_version",
    "new_cluster_id",
    "port_is_free",
]
