"""Decoding lab: greedy decoding and beam search side by side on a translation model, with the beams' scores and attention."""

from playground.insights.decoding import decoding_page

decoding_page()
