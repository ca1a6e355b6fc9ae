"""Sequence models written from the equations of the course notes.

Dimension legend used in every model file:
    B batch, T time steps (target length for decoders), S source length, F input features,
    E embedding size, H hidden size, D d_model, h heads, d_k = D / h, V vocabulary size.
"""
