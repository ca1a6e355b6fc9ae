"""Word embeddings: nearest neighbours and a 2-D picture of GloVe vectors, and of the sentiment model's own word table before and after training."""

from playground.insights.embeddings import embeddings_page

embeddings_page()
