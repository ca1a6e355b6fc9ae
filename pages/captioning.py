"""Image captioning: one-to-many, an image encoder feeding a recurrent decoder."""

from playground.taskpage import task_page
from playground.views import captioning

task_page(captioning.CONFIG, captioning.VIEWS)
