"""Review sentiment: many-to-one classification of movie reviews (bidirectional RNNs, attention)."""

from playground.taskpage import task_page
from playground.views import sentiment

task_page(sentiment.CONFIG, sentiment.VIEWS)
