"""The portalsim simulator and CLI: scenarios, demand, driver, recorder, report, local Kafka."""
