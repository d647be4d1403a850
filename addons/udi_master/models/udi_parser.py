# Owned by the parser work: model ``udi.parser`` with public ``parse(code)``.
