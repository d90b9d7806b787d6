"""zhurnal core: the school register without a screen.

Importing this package is cheap and side-effect free: no engine, file or
directory is created until a function asks for one.  It never imports
textual or rich (tests/test_import_hygiene.py).

Layers, top to bottom; a module imports only from layers below its own (checked
by tests/test_import_hygiene.py, an import-linter contract can state the same):

1. jobs: ``demo``, ``importer``, ``verify``, ``reports``, ``archive`` — whole tasks built
   on the services and read models (``reports``: the tables screens show and files print;
   ``archive``: closing a year with its verified copy; ``dbfile``, above them: the
   SQLite file as a whole — read-only opening, backup, restore);
2. commands: ``services`` (each call one transaction; they may return read
   models), ``auth``, ``setup``;
3. queries: ``readmodels`` — the frozen read models and the queries that build
   them, with the decisions (``editable``/``why_not``) a screen shows;
4. ``access`` — who may read and write what: one decision function per kind of
   write, used by the commands (raise) and the read models (show);
5. ``context`` — the facts one lesson's rules need (lesson, course, class, roster);
6. ``uow`` — the unit of work, the school's policy and calendar as stored;
7. ``rules``, ``policy``, ``policy_check``, ``policy_limits``, ``calendar``, ``audit``,
   ``models``, ``db``, ``dbcheck``, ``migrate``, ``config``, ``roster_file``,
   ``marks_file``, ``files``, ``yearlock``, ``unique``, ``live``, ``throttle``,
   ``ledger``, ``anchors`` — pure rules, file readers and the storage they rest on
   (``files``: why a file the user named does not open, in Russian; ``dbcheck``: why a
   database cannot be used; ``yearlock``: a closed year is read-only; ``unique``: a unique
   key's refusal as a lost race or a duplicate the user typed; ``live``: a session's rights
   as they are now, checked by every service call and read; ``throttle``: the pauses and
   the lock after failed logins; ``ledger``: every right and register fact as the audit
   log states it; ``anchors``: the chain's head recorded outside the database);
8. ``actor`` (who acts, and when: the school's clock), over ``clock`` (the school's
   time zone), over ``errors``.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
