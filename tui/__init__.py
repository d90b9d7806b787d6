"""The terminal UI of the register (Textual): the app, its screens and widgets."""
