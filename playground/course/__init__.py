"""A guided course through the notes: explain, predict, run the experiment, check."""
