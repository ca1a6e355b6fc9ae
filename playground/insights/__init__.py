"""The insight pages: self-attention step by step, positional encoding, memory and vanishing
gradients, the decoding lab and the architecture race.

Importing the package registers its UI strings (English and Korean) with :mod:`playground.i18n`.
"""

from playground.insights import strings as strings  # noqa: F401 - registers the strings
