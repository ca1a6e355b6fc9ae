"""Memory and vanishing gradients: RNN, LSTM and GRU on the long-memory task, accuracy by lag and dL/dh_t per step."""

from playground.insights.memory import memory_page

memory_page()
