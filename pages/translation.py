"""Toy translation: many-to-many Seq2Seq (GNMT-style), attention and the Transformer."""

from playground.taskpage import task_page
from playground.views import translation

task_page(translation.CONFIG, translation.VIEWS)
