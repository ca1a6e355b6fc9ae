"""Sequence Lab: train RNNs, LSTMs, GRUs, Seq2Seq with attention and Transformers in the browser.

Run with ``streamlit run streamlit_app.py``. The pages live in ``pages/`` (one thin file each);
the shared UI is the ``playground`` package; the models, tasks and training are ``core``.
"""

from playground.app import run

run()
