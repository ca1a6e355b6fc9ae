"""Long memory: how far back a vanilla RNN, an LSTM, a GRU or a Transformer encoder remembers."""

from playground.taskpage import task_page
from playground.views import long_memory

task_page(long_memory.CONFIG, long_memory.VIEWS)
