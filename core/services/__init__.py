"""Services: the only code that writes the database (DESIGN.md "Layers")."""
