"""Stock forecast: many-to-one recurrent networks (and a Transformer encoder) on daily prices."""

from playground.taskpage import task_page
from playground.views import stock

task_page(stock.CONFIG, stock.VIEWS)
