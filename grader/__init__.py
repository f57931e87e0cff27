"""nngrade: grade numpy neural-network exercises in a sandbox and explain the results."""

__version__ = "0.1.0"
