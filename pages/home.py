"""Home: what Sequence Lab is, the map of the course's concepts, and a one-click first training."""

from playground.home import home_page

home_page()
