"""Compare architectures: every compatible architecture of a task trained on the same data, seed and time budget."""

from playground.insights.compare import compare_page

compare_page()
