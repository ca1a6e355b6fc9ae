"""Self-attention, step by step: from a sentence to Q, K, V, softmax(QK^T / sqrt(d_k)) V and the heads joined by W_O."""

from playground.insights.attention_steps import attention_steps_page

attention_steps_page()
