"""The national population database service (CSDL quốc gia về dân cư)."""
