"""Positional encoding: the sinusoidal table, its waves, position similarity, and the sinusoidal / learned / none ablation."""

from playground.insights.positional import positional_page

positional_page()
