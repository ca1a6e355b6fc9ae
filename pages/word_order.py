"""Word order: why a Transformer needs positional encoding (and a recurrent network does not)."""

from playground.taskpage import task_page
from playground.views import word_order

task_page(word_order.CONFIG, word_order.VIEWS)
