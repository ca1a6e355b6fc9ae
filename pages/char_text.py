"""Text generation: a network learns to write, one character at a time."""

from playground.taskpage import task_page
from playground.views import char_text

task_page(char_text.CONFIG, char_text.VIEWS)
