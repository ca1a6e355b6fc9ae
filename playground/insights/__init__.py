"""The insight pages: self-attention step by step, positional encoding, memory and vanishing
gradients, the decoding lab and the architecture race. Their strings are in
``playground/locales/<lang>/insights.toml``."""
