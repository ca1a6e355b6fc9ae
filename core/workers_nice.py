"""How far below the web server's CPU priority the training workers run (a nice increment)."""

WORKER_NICE = 5  # a little below the web server, so pages stay responsive while workers train
