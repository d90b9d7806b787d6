"""Services: the commands, the only code that writes the database (DESIGN.md "Layers").

Each call is one transaction (``core.uow.unit_of_work``): the decision of
``core.access`` (raised), the rules, the write, the audit event, the commit.  They
may return read models (``core.readmodels``); queries live there, not here.
"""
