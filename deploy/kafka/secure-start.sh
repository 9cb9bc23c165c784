#!/bin/bash
# The broker of deploy/docker-compose.secure.yml: SASL/SCRAM-SHA-512 on kafka:9092, the
# KRaft ACL authorizer refusing what no ACL allows, and the super user `admin` whose SCRAM
# credentials are written into the storage when it is first formatted. The settings are
# those of the local broker's secure mode (simulator/kafka_local/security.py), checked by
# tests/unit/test_deploy_compose_secure.py. The controller listener (9093) is PLAINTEXT and
# its principal User:ANONYMOUS a super user: the broker reaches its own controller there.
set -euo pipefail
: "${PORTALSIM_KAFKA_ADMIN_PASSWORD:?set it (portalsim rights --compose-env deploy/secure.env)}"
: "${CLUSTER_ID:?}"
umask 077
config=/tmp/portalsim-kafka/server.properties
mkdir -p "$(dirname "$config")"
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=SASL_PLAINTEXT://kafka:9092
inter.broker.listener.name=SASL_PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${PORTALSIM_KAFKA_ADMIN_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:ANONYMOUS
log.dirs=/var/lib/kafka/data
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
PROPERTIES
# The healthcheck's client settings: the admin over SASL.
cat > /tmp/portalsim-kafka/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${PORTALSIM_KAFKA_ADMIN_PASSWORD}";
PROPERTIES
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$CLUSTER_ID" -c "$config" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=${PORTALSIM_KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
