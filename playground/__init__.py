"""The Streamlit side of Sequence Lab: widgets built from the registry, training from a page,
charts and the task views. ``core`` never imports this package; this package imports ``core``.
"""
