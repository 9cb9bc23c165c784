"""Files made from the contracts and committed: the AsyncAPI document (`asyncapi`), and
writing such a file or checking that the committed one is current (`committed`, also
used for deploy/rights.yaml)."""
