"""The system the simulator plays against: a Kafka broker and the four services.

The broker is a given one, a fresh local one or a fresh secure one (`brokers`); the
services run as OS processes (`processes`), each with its key and the trust file of a
key folder (`keys`) and the hashes of the run's HTTP tokens (`tokens`).
"""
