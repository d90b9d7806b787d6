"""zhurnal core: the school register without a screen.

Importing this package is cheap and side-effect free: no engine, file or
directory is created until a function asks for one.  It never imports
textual or rich (tests/test_import_hygiene.py).
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
