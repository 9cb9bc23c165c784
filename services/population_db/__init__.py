"""The national population database service (CSDL quốc gia về dân cư)."""

from services.population_db.settings import PopulationDbSettings

__all__ = ["PopulationDbSettings"]
