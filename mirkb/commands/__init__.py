"""Sub-commands of the ``mirkb`` command line, one module each.

Each module exposes ``register(subparsers)`` which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit status. Heavy imports (spaCy,
Prefect, SQLAlchemy) happen inside those callables so that ``mirkb --help`` stays instant.
"""

#: Module names under ``mirkb.commands``, in the order ``--help`` lists them.
COMMANDS = ("run", "extract", "evaluate", "gold", "corpus", "kb", "report", "review", "serve", "fetch")
