# Owned by the scanning work: UDI scan on detailed operations.
