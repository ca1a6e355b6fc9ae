"""Sequence Lab core: sequence models written from the equations, tasks, training, CLI.

Nothing in this package imports streamlit or the playground UI.
"""

__version__ = "0.1.0"
