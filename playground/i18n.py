"""UI strings in English (complete) and Korean, looked up with :func:`t`.

``t(key, **values)`` returns the string of the current language (``st.session_state["lang"]``,
set by the sidebar switch and bound to the ``lang`` query parameter), falling back to English,
then to ``default`` (when given), then to the key itself. Placeholders use ``str.format`` names.
Config field labels and help texts go through :func:`field_label` / :func:`field_help`: the help
text of a field comes from its ``param(help=...)`` in core unless a translation exists here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

LANGS = {"en": "English", "ko": "한국어"}

EN: dict[str, str] = {
    # ---- navigation
    "nav.home": "Home",
    "nav.stock": "Stock forecast",
    "nav.sentiment": "Review sentiment",
    "nav.translation": "Toy translation",
    "nav.captioning": "Image captioning",
    "nav.long_memory": "Long memory",
    # ---- settings sidebar
    "settings.header": "Settings",
    "settings.arch": "Architecture",
    "settings.arch_help": "Only the architectures that can serve this task are listed.",
    "settings.preset": "Preset",
    "settings.preset_help": "Named settings from a paper (they may be far too big to train here).",
    "settings.no_preset": "(task defaults)",
    "settings.data": "Data",
    "settings.model": "Model",
    "settings.training": "Training",
    "settings.advanced": "Advanced training",
    "settings.upload": "Your CSV file",
    "settings.upload_needed": "Upload a file in the sidebar (Data → Your CSV file) to train on your own data.",
    "settings.loading_data": "Loading and encoding the data…",
    "settings.params": "Parameters of this model",
    "settings.hosted_caps": "This shared server caps a run at {epochs} epochs, {params} parameters and {seconds} s.",
    "settings.url_replaced": "The link set {label} ({param}) to {value}, which this setting does not offer; "
    "it is {now} instead.",
    # ---- what a run will cost (core/budget.py), checked before it starts
    "budget.beside": "About {memory} of memory and {time} of training (estimates)",
    "budget.beside_help": "Estimated from the settings before anything is built. Memory: weights, "
    "gradients and the optimiser's state ({state}), what one batch keeps for the backward pass "
    "({activations}), the data ({data}) and the trainer's own working memory ({base}). Time: all {steps} "
    "steps at about {rate} tokens/s, the speed measured for this task and architecture on a 2-core CPU; a "
    "run that stops early (at the target, or by early stopping) takes less. Other work on the machine, "
    "or another CPU, makes the real figures differ.",
    "budget.over_hard": "Over this server's limit: Train will refuse it.",
    "budget.over_soft": "A big run: Train will ask you to confirm it.",
    "budget.refuse.params": "This model has {value} parameters, more than this server's limit of {limit} "
    "per run. Lower {settings} and press Train again.",
    "budget.refuse.memory": "This run would need about {value} of memory (an estimate from its settings), "
    "more than this server's limit of {limit} per run. Lower {settings} and press Train again.",
    "budget.refuse.lane": "{lane}: {message}",
    "budget.reason.memory": "about {value} of memory (more than {limit})",
    "budget.reason.time": "about {value} of training (more than {limit})",
    "budget.reason.params": "{value} parameters (more than {limit})",
    "budget.confirm": "This is a big run: {reasons}, estimated from its settings. Lower {settings} to make "
    "it smaller, or train it anyway.",
    "budget.hosted_time": "This run would take about {value} (an estimate), but this server stops every run "
    "after {limit}: it would end after about {share} % of its training. Lower {settings} to let it "
    "finish, or train it anyway.",
    "budget.join_and": "{first} and {last}",
    "budget.join_or": "{first} or {last}",
    "budget.train_anyway": "Train anyway",
    "budget.cancel": "Cancel",
    # ---- checkpoints (messages from core/checkpoint.py)
    "checkpoint.too_big": "This model has {params} parameters, more than this server's limit of {limit}; "
    "it was not loaded.",
    "checkpoint.mismatch": "The weights do not match the configuration: config.json describes a model of "
    "{described} parameters, the weights file holds {held} numbers ({detail}). The model was not loaded.",
    "checkpoint.bad_weights": "model.safetensors is not a valid safetensors file ({why}).",
    "checkpoint.truncated": "model.safetensors is empty or truncated.",
    "checkpoint.bad_config": "config.json does not describe a model this version can build: {why}",
    "checkpoint.bad_json": "config.json is not valid JSON ({why}).",
    "checkpoint.not_ours": "config.json is not a Sequence Lab checkpoint (expected format {format}).",
    "checkpoint.config_too_large": "config.json is too large to be a Sequence Lab config.",
    "checkpoint.too_large": "The file is larger than the limit of 200 MB.",
    "checkpoint.not_zip": "This is not a Sequence Lab model file: expected a .zip with model.safetensors "
    "and config.json.",
    "checkpoint.missing_file": "The zip has no {name}.",
    "checkpoint.damaged": "The zip file is damaged ({why}).",
    "checkpoint.bad_state": "The saved data state cannot be restored ({why}).",
    "checkpoint.mismatch_other": "The weights do not match the configuration.",
    # ---- stock prices (messages from core/tasks/stock.py)
    "data.stock.too_large": "Column {column!r} has {n} value(s) beyond {limit} (for example {example}); no "
    "price is that large: check the numbers and their units.",
    "data.stock.too_large_typed": "The prices have {n} value(s) beyond {limit} (for example {example}); no "
    "price is that large: check the numbers and their units.",
    "data.stock.not_finite": "The price series contains empty or non-finite values.",
    "data.stock.off_scale": "These values are far outside the range of the training days (after "
    "standardising with their mean and spread, one is {shown} away); nothing can be learnt or forecast "
    "from that: check the prices (their size, a missing decimal point) or choose other dates.",
    "data.stock.forecast_overflow": "The forecast for these prices is not a sensible number (it overflows); "
    "the prices are too far from those the model was trained on.",
    "data.stock.collapsed": "The file has {rows} rows but only {days} different days (several rows per day: "
    "prices within the day, for example one a minute, or several series in one file). This task "
    "forecasts one closing price per day, so only {days} rows remain and {n_train} training examples, "
    "too few to learn from. Upload one row per day (each day's closing price) covering at least {need} "
    "days, or shorten the lookback.",
    "data.stock.intraday": "The file has prices within the day ({rows} rows on {days} days, for example one "
    "a minute). This task forecasts one closing price per day, so the last price of each day was kept: "
    "{days} rows.",
    "data.stock.repeated_dates": "Dropped {n} row(s) with a repeated date (kept the last).",
    "share.header": "Share these settings",
    "share.caption": "This link opens this page with exactly these settings (copy it with the icon).",
    "share.reset": "Reset to defaults",
    # ---- running
    "run.train": "Train",
    "run.stop": "Stop",
    "run.stopping_button": "Stopping…",
    "run.stopping": "Stopping… the model keeps what it has learned; its results show as soon as it has been "
    "evaluated on the test split.",
    "run.summary": "**{arch}** · {params} parameters · {examples} · {epochs}",
    "run.building": "Building the model…",
    "run.queued": "Waiting for a free trainer: number {pos} in line, about {wait} to go. Training starts by itself; this page stays usable.",
    "run.queued_next": "Starting a trainer…",
    "run.first_step": "Training started: {params} parameters on {device}…",
    "run.progress": "Epoch {epoch}/{epochs} · step {step}/{total} · loss {loss} · ETA {eta} · {rate} {unit}",
    "run.tokens_s": "tokens/s",
    "run.items_s": "examples/s",
    "run.finished_in": "Trained for {time} ({steps} steps)",
    "run.busy": "The waiting line of this server is full right now. Try again in a few minutes.",
    "run.settings_changed": "The settings changed since this model was trained: the results below belong to "
    "the model trained with the old settings. Press Train to train with the new ones.",
    "run.reason.done": "Training finished.",
    "run.reason.stopped": "Stopped. The model trained so far is kept.",
    "run.reason.diverged": "Training diverged.",
    "run.reason.time_budget": "Time budget reached.",
    "run.reason.early_stopping": "Stopped early: the validation metric stopped improving.",
    "run.reason.target": "Target reached: the validation metric got to the task's target, so training "
    "stopped there. Turn off 'Stop at the target' under Advanced to train every epoch.",
    # ---- charts
    "chart.train_loss": "training loss (per step)",
    "chart.train_loss_smooth": "training loss (smoothed)",
    "chart.val_loss": "validation loss (per epoch)",
    "chart.step": "optimiser step",
    "chart.epoch": "epoch",
    "chart.loss": "loss",
    "chart.val_metric": "validation {metric}",
    # ---- page frame
    "page.no_model": "No model yet: choose settings in the sidebar and press **Train**.",
    "page.data_preview": "The data",
    "tab.results": "Results",
    "tab.try": "Try it",
    "tab.inside": "Inside the model",
    "tab.save": "Save / load",
    "results.vs": "vs {baseline}",
    "results.metric": "metric",
    "results.correct": "right?",
    "results.this_model": "this model",
    "results.no_metrics": "No test metrics (the run ended before the first evaluation).",
    "results.baselines_caption": "Baselines need no training: a model is only useful where it beats them.",
    # ---- cards and verdicts that tell the truth (playground/results.py)
    "results.vs_noise": "vs {baseline} · within noise",
    "results.noise_help": "Green or red only when the difference is larger than noise (here ±{band}: for a share, "
    "two standard errors over the test examples; for other measures, 1 %). Within it, grey and no arrow.",
    "baseline.momentum": "momentum",
    "run.verdict.exploded": "The loss exploded: from {start} at the start to {peak} at step {step}, and it ended "
    "at {end}, still above where it started. The learning rate ({lr}) is too high: lower it and train again.",
    "run.verdict.worse": "The model is worse than the baseline '{baseline}', which needs no training: {metric} "
    "{value} against {base}. A model is only useful where it beats its baselines.",
    "run.detail.diverged": "The loss (or its gradient) stopped being a finite number at step {step}: lower the "
    "learning rate (now {lr}) or turn on gradient clipping. The last good weights are kept.",
    "run.detail.time_budget": "Training stopped at the time budget of {seconds} s; the model trained so far is kept.",
    "run.detail.early_stopping": "No better validation result for {n} epochs; the model of the best epoch is kept.",
    "run.detail.early_stopping.one": "No better validation result after one more epoch; the model of the best "
    "epoch is kept.",
    # ---- counted words (tn picks the ".one" form for 1; Korean has no plural form)
    "count.epochs": "{n} epochs",
    "count.epochs.one": "1 epoch",
    "count.training_examples": "{n} training examples",
    "count.training_examples.one": "1 training example",
    "count.trials": "{n} trials",
    "count.trials.one": "1 trial",
    "captioning.mistakes.one": "The one mistake",
    # ---- messages from core (core/tasks/stock.py, core/tasks/translation.py), by their keys
    "data.csv.empty_text": "The file is empty: upload a CSV with a header row and one row per text (the text "
    "and its label).",
    "data.csv.empty_day": "The file is empty: upload a CSV with a header row and one row per day (its date and "
    "closing price).",
    "data.csv.binary": "This is not a CSV text file (it contains binary data).",
    "data.csv.encoding": "This is not a CSV text file (unknown text encoding).",
    "data.csv.unreadable": "Could not read the file as CSV ({why}).",
    "data.csv.no_rows": "The CSV has a header but no data rows.",
    "data.csv.bad_dates": "{n} of {total} rows have a date that could not be read in column {column} (for "
    "example {example}); write dates like 2020-01-31.",
    "data.csv.bad_dates.one": "One of {total} rows has a date that could not be read in column {column} (for "
    "example {example}); write dates like 2020-01-31.",
    "data.csv.not_numbers": "Column {column} has {n} values that are not numbers, out of {total} rows (for "
    "example {example}); it must hold numbers only.",
    "data.csv.not_numbers.one": "Column {column} has one value that is not a number, out of {total} rows (for "
    "example {example}); it must hold numbers only.",
    "data.csv.no_column.date": "The CSV has no date column {name}; its columns are: {columns}",
    "data.csv.no_column.value": "The CSV has no value column {name}; its columns are: {columns}",
    "data.csv.no_column.text": "The CSV has no text column {name}; its columns are: {columns}",
    "data.csv.no_column.label": "The CSV has no label column {name}; its columns are: {columns}",
    "data.stock.not_offline": "Ticker {ticker} is not shipped offline; offline tickers: {tickers} (choose the "
    "source yfinance for other symbols).",
    "data.stock.no_offline": "No offline prices for {ticker}; offline tickers: {tickers}.",
    "data.stock.bad_ticker": "{ticker} is not a ticker symbol (letters, digits and . ^ = - only).",
    "data.stock.yahoo_empty": "Yahoo Finance returned no prices for ticker {ticker}: check the symbol (e.g. "
    "AAPL, MSFT, ^GSPC) and the dates.",
    "data.stock.yahoo_empty_dates": "Yahoo Finance returned no prices for ticker {ticker} between {start} and "
    "{end}: check the symbol (e.g. AAPL, MSFT, ^GSPC) and the dates.",
    "data.stock.unreachable": "Could not reach Yahoo Finance ({why}); using the offline prices of {label} instead.",
    "data.stock.too_few_rows": "{label} has {n} rows; lookback {lookback}, horizon {horizon} and a {split} split "
    "need at least {need} rows (use more days or a shorter lookback).",
    "data.stock.too_few_rows.one": "{label} has 1 row; lookback {lookback}, horizon {horizon} and a {split} split "
    "need at least {need} rows (use more days or a shorter lookback).",
    "translation.empty": "Type a sentence first.",
    "translation.only_symbols": "Type a sentence first: only punctuation or symbols (such as emoji) were found, "
    "and the model reads words.",
    "split.train": "train",
    "split.val": "validation",
    "split.test": "test",
    # ---- models on disk
    "model.download": "Download the trained model",
    "model.download_caption": "A zip of {size} KB: model.safetensors (the weights) and config.json (every "
    "setting and the vocabularies). Upload it here later, or load it with python -m core.",
    "model.upload": "Load a saved model (.zip)",
    "model.upload_help": "A zip downloaded from this page (or written by python -m core train).",
    "model.load_header": "…or load a model you saved before",
    "model.loaded": "Loaded a {arch} model with {params} parameters{primary}.",
    "model.wrong_task": "this model was trained for {task}; open that page to use it (this page is {here})",
    "export.html": "HTML",
    "export.svg": "SVG",
    "export.svg_hint": "For an SVG, use the camera icon in the chart's toolbar.",
    "model.continue": "Continue training the loaded model",
    "model.continue_caption": "Starts from its saved weights on the same data, with the sidebar's "
    "training settings (epochs, learning rate, ...); the result replaces the model trained on this page.",
    "model.which": "Model shown",
    "model.which.trained": "trained here",
    "model.which.uploaded": "loaded from the file",
    "model.no_splits": "The test views need the task's data: train a model on this page to see them.",
    "model.saved_metrics": "Test metrics saved with this model when it was trained:",
    # ---- errors
    "error.unexpected": "Something went wrong inside the app. The page keeps working; the details below "
    "help to report it.",
    "error.details": "Details",
    # ---- inside the model
    "inside.attention": "Attention",
    "inside.recurrent": "Recurrent states and gates",
    "inside.positional": "Positional encoding",
    "inside.probe_caption": "On one fixed test example. Each row is a query (a position that looks), each "
    "column a key (a position looked at); a row sums to 1.",
    "inside.which": "Attention",
    "inside.layer": "Layer",
    "inside.head": "Head",
    "inside.all_heads": "all heads",
    "inside.mean_heads": "mean of heads",
    "inside.head_n": "head {n}",
    "inside.epoch_snapshot": "After epoch",
    "inside.final": "final",
    "inside.gates_over_epochs": "Slide through the epochs to watch the gates settle while the model learned.",
    "inside.gates_tip": 'Tip: tick "Record attention and gates each epoch" in the sidebar before training to scrub the gates epoch by epoch.',
    "inside.no_attention": "This model has no attention weights to show.",
    "inside.no_states": "No recurrent states were recorded for this model.",
    "inside.nothing": "Nothing to look at for this model on this task.",
    "inside.signal": "Signal",
    "inside.time": "time step",
    "inside.unit": "hidden unit",
    "inside.units_shown": "Showing {n} of {total} units, layer 1, forward direction.",
    "inside.positional_explain": "What the model adds to the embedding at each position: {n} positions × "
    "{d} dimensions. Sinusoidal encodings use a different frequency in each pair of dimensions, so "
    "every position gets a unique pattern and nearby positions similar ones.",
    "inside.positions_shown": "Positions shown",
    "inside.image_vector": "The one vector the caption is written from",
    "inside.image_vector_caption": "The CNN squeezes the whole picture into {n} numbers (shown 16 per row). "
    "This vector is the decoder's first state: every word of the caption has to come out of it.",
    "inside.position": "position",
    "inside.dimension": "dimension",
    "attn.enc_self": "encoder self-attention",
    "attn.dec_self": "decoder self-attention",
    "attn.cross": "cross-attention (decoder → encoder)",
    "attn.self": "self-attention",
    "attn.keys": "keys (looked at)",
    "attn.queries": "queries (looking)",
    "attn.enc_self.explain": "Every source word looks at every source word to build its representation.",
    "attn.dec_self.explain": "Each output position may only look at itself and earlier positions: the "
    "causal mask leaves the upper-right triangle empty.",
    "attn.cross.explain": "While writing each output word (rows) the decoder looks at the source words "
    "(columns): for a good translation this is a soft word alignment.",
    "attn.self.explain": "Every position looks at every position of the input.",
    "attn.cross.queries": "output words",
    "attn.cross.keys": "source words",
    "gate.h": "hidden state h",
    "gate.i": "input gate i",
    "gate.f": "forget gate f",
    "gate.g": "candidate g (C̃)",
    "gate.o": "output gate o",
    "gate.c": "cell state C",
    "gate.r": "reset gate r",
    "gate.z": "update gate z",
    "gate.n": "candidate n",
    "gate.h.explain": "The hidden state h_t over time: what the network carries forward.",
    "gate.f.explain": "Forget gate: near 1 keeps the old cell state, near 0 erases it.",
    "gate.i.explain": "Input gate: how much of the new candidate is written into the cell.",
    "gate.o.explain": "Output gate: how much of the cell is shown as the hidden state.",
    "gate.c.explain": "Cell state C_t: the LSTM's long-term memory lane.",
    "gate.z.explain": "Update gate: near 1 keeps the old state, near 0 takes the candidate.",
    "gate.r.explain": "Reset gate: how much of the old state the candidate may use.",
    # ---- metrics and baselines
    "metric.rmse": "RMSE",
    "metric.mae": "MAE",
    "metric.mape": "MAPE",
    "metric.direction_accuracy": "Direction",
    "metric.accuracy": "Accuracy",
    "metric.f1": "F1",
    "metric.macro_f1": "Macro F1",
    "metric.f1_macro": "Macro F1",
    "metric.exact_match": "Exact match",
    "metric.bleu": "BLEU",
    "metric.token_accuracy": "Token accuracy",
    "metric.loss": "Loss",
    "metric.rmse.help": "Root mean squared error of the forecast price (lower is better).",
    "metric.mae.help": "Mean absolute error of the forecast price (lower is better).",
    "metric.mape.help": "Mean absolute percentage error (lower is better).",
    "metric.direction_accuracy.help": "How often the forecast moves the same way (up or down) as the price. "
    "Persistence never moves, so it has no direction (–); this card compares with the best baseline that "
    "calls one: momentum (tomorrow moves as today did), the moving average, or a coin flip (chance, 50 %).",
    "metric.exact_match.help": "Share of test sentences translated exactly right.",
    "metric.bleu.help": "Word n-gram overlap with the reference translation, 0 to 100.",
    "baseline.persistence": "persistence",
    "baseline.moving_average": "moving average",
    "baseline.majority": "majority class",
    "baseline.tfidf": "TF-IDF + logistic regression",
    "baseline.word-for-word dictionary": "word-for-word dictionary",
    # ---- field labels (config knobs)
    "field.source": "Data source",
    "field.ticker": "Ticker",
    "field.start": "Start date",
    "field.end": "End date",
    "field.lookback": "Lookback (days read)",
    "field.horizon": "Horizon (days forecast)",
    "field.features": "Features",
    "field.target": "Target",
    "field.date_column": "Date column",
    "field.value_column": "Value column",
    "field.ma_window": "Moving-average window",
    "field.val_frac": "Validation share",
    "field.test_frac": "Test share",
    "field.corpus": "Corpus",
    "field.n_pairs": "Sentence pairs",
    "field.max_len": "Max sentence length",
    "field.reverse_source": "Reverse the source",
    "field.clauses": "Clauses per sentence",
    "field.cell": "Cell",
    "field.embed_dim": "Embedding size",
    "field.hidden_size": "Hidden size",
    "field.num_layers": "Layers",
    "field.bidirectional": "Bidirectional",
    "field.bidirectional_encoder": "Bidirectional encoder",
    "field.dropout": "Dropout",
    "field.readout": "Read-out",
    "field.explicit": "Explicit cells",
    "field.attention": "Attention",
    "field.d_model": "d_model",
    "field.n_heads": "Heads",
    "field.d_ff": "FFN size d_ff",
    "field.n_layers": "Layers",
    "field.n_enc_layers": "Encoder layers",
    "field.n_dec_layers": "Decoder layers",
    "field.pos_encoding": "Positional encoding",
    "field.norm": "LayerNorm placement",
    "field.tie_embeddings": "Tie embeddings",
    "field.pooling": "Pooling",
    "field.encoder": "Image encoder",
    "field.epochs": "Epochs",
    "field.batch_size": "Batch size",
    "field.lr": "Learning rate",
    "field.optimizer": "Optimiser",
    "field.weight_decay": "Weight decay",
    "field.clip": "Gradient clipping",
    "field.label_smoothing": "Label smoothing",
    "field.warmup_steps": "Warm-up steps",
    "field.teacher_forcing": "Teacher forcing",
    "field.early_stopping": "Early stopping (epochs)",
    "field.stop_at_target": "Stop at the target",
    "field.bucket_by_length": "Batch by length",
    "field.seed": "Seed",
    "field.device": "Device",
    "field.amp": "Mixed precision",
    "field.max_seconds": "Time limit (s)",
    "field.max_params": "Parameter limit",
    "field.snapshots": "Record attention and gates each epoch",
    # ---- architectures (one line each)
    "arch.rnn": "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b): the plain recurrent cell.",
    "arch.lstm": "Input, forget and output gates and a cell state that carries long-term memory.",
    "arch.gru": "Reset and update gates: the LSTM's gating, simplified and faster.",
    "arch.transformer-encoder": "Self-attention layers over the whole sequence, then a pooled read-out.",
    "arch.seq2seq": "Encoder → one context vector → decoder (GNMT-style, no attention).",
    "arch.seq2seq-attn": "The decoder looks back at every encoder state at every step.",
    "arch.transformer": "Encoder and decoder stacks of multi-head attention and position-wise FFN.",
    "arch.captioner": "A small CNN encodes the image into one vector; a recurrent decoder writes the caption.",
    # ---- stock page
    "page.stock.title": "Stock forecast",
    "page.stock.intro": "Read the last days of a stock's closing prices and forecast the next ones. The days "
    "are split in time order (train, then validation, then test), so the model is always tested on a "
    "future it has not seen. The bar to beat is **persistence**: tomorrow's price = today's.",
    "stock.price": "price",
    "stock.preview_caption": "Closing prices, coloured by the part of the time line each day belongs to.",
    "stock.test_range": "Forecasts over the test range",
    "stock.test_caption": "The model's forecast for each test day, made the day before, against the actual "
    "close and the persistence forecast. Drag the range slider under the chart to zoom.",
    "stock.actual": "actual",
    "stock.predicted": "model forecast",
    "stock.persistence": "persistence",
    "stock.closer_share": "The model's forecast was closer to the actual price than persistence on {share} % of "
    "the test days.",
    "stock.try_caption": "Paste at least {n} prices, oldest first (commas, spaces or new lines). The last "
    "prices of the data are filled in.",
    "stock.prices_label": "Prices",
    "stock.forecast": "Forecast",
    "stock.no_prices": "type some prices first",
    "stock.bad_prices": "the prices must be numbers separated by commas, spaces or new lines",
    "stock.ohlcv_try": "This model reads open, high, low, close and volume; your prices are used for all four "
    "prices and the last known volume is repeated.",
    "stock.your_prices": "your prices",
    "stock.forecast_line": "forecast",
    "stock.days_from_last": "days after the last price",
    "stock.day_n": "day +{n}",
    "stock.loss_spike": "Why the training loss jumps once every epoch: the training days include {date}, when "
    "the price moved {change} in one day, {z} standard deviations from an ordinary day. Squared, that day's "
    "error lifts the loss of the batch that holds it to about {loss} (the other batches stay near 1). The "
    "batches are shuffled, so it happens once per epoch, at a different step each time. It is real data, "
    "not a bug: the smoothed line and the validation loss show the trend.",
    # ---- concepts (badges and home page)
    "concept.rnn.short": "RNN",
    "concept.one_to_many.short": "one-to-many",
    "concept.many_to_one.short": "many-to-one",
    "concept.embedding.short": "word embedding",
    "concept.many_to_many.short": "many-to-many",
    "concept.birnn.short": "bidirectional RNN",
    "concept.lstm.short": "LSTM",
    "concept.gru.short": "GRU",
    "concept.seq2seq.short": "Seq2Seq / GNMT",
    "concept.attention.short": "attention Q/K/V",
    "concept.transformer.short": "Transformer",
    "concept.positional.short": "positional encoding",
    "concept.multihead.short": "multi-head attention",
    "concept.ffn.short": "position-wise FFN",
    "concept.residual.short": "residual + LayerNorm",
    "concept.transformer_encoder.short": "Transformer encoder",
    "concept.beam.short": "beam search",
    "home.title": "Sequence Lab",
    "home.tagline": "Train recurrent networks, sequence-to-sequence models and Transformers on small tasks, right here, and look inside them while they learn: loss curves, attention maps, gates, positional encodings. Every setting is a slider, and every page's address carries its settings, so you can share exactly what you see.",
    "home.quick": "Train something now",
    "home.quick_caption": "Opens toy English → Korean translation with a GRU encoder-decoder with attention and starts training at once. Watch the loss fall, then look at the attention map: the Korean verb comes last, so the model learns to look back at the English verb.",
    "home.tasks": "The tasks",
    "home.task.stock": "Forecast tomorrow's close from the last days of prices (many-to-one). Can the model beat 'tomorrow = today'?",
    "home.task.sentiment": "Fresh or rotten? Classify one-sentence movie reviews (many-to-one), with a bidirectional RNN or a Transformer encoder.",
    "home.task.translation": "English → Korean with strict grammar (many-to-many): Seq2Seq, attention, Transformer, greedy and beam search.",
    "home.task.captioning": "One picture in, a sentence out (one-to-many): 'red circle above blue square'.",
    "home.task.long_memory": "Remember the first token across hundreds of distractors: where does a vanilla RNN break, and why do LSTM and GRU not?",
    "home.concepts": "A map of the concepts",
    "home.concepts_caption": "Each idea in a few words, and a link to the page where you can watch it work (the link also picks the right architecture).",
    "home.section.rnn": "Recurrent networks",
    "home.section.seq2seq": "Sequence to sequence and attention",
    "home.section.transformer": "The Transformer",
    "home.see_it": "See it at work: {page}",
    "home.footer": "Models, tasks and training live in the core package and run the same way from the command line (python -m core). Nothing you type here leaves this server.",
    "concept.rnn.title": "Recurrent neural network (RNN)",
    "concept.rnn.body": "One cell is applied at every time step. It reads the input x_t and its own previous state h_{t-1} and writes a new state: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b). The same weights at every step let it read sequences of any length; the state is its only memory.",
    "concept.rnn.link": "Watch a vanilla RNN forget (long memory)",
    "concept.one_to_many.title": "One-to-many",
    "concept.one_to_many.body": "One input, a sequence out. An image is squeezed into one vector that becomes the first state of a recurrent decoder, which then writes the caption word by word, feeding each word back in.",
    "concept.one_to_many.link": "Caption images",
    "concept.embedding.title": "Word embedding",
    "concept.embedding.body": "Before any layer reads it, each word becomes a row of numbers from a table. Trained on enough text, words used alike get similar rows; GloVe's rows, learned from 6 billion words, give a model that knowledge for free.",
    "concept.embedding.link": "Explore word vectors",
    "concept.many_to_one.title": "Many-to-one",
    "concept.many_to_one.body": "A sequence in, one answer out: the network reads every word (or every day's price) and only its final state is turned into the prediction, a class or a number.",
    "concept.many_to_one.link": "Classify reviews",
    "concept.many_to_many.title": "Many-to-many",
    "concept.many_to_many.body": "A sequence in, another sequence out, of a different length: an encoder reads the source sentence, a decoder writes the target sentence. This is how translation works.",
    "concept.many_to_many.link": "Translate with an encoder-decoder",
    "concept.birnn.title": "Bidirectional RNN",
    "concept.birnn.body": "Two RNNs read the sequence, one forwards and one backwards, and their states are joined, so each position knows what came before and after it. A word's meaning often depends on the words that follow it.",
    "concept.birnn.link": "Toggle 'Bidirectional' on the review page",
    "concept.lstm.title": "LSTM",
    "concept.lstm.body": "A cell state C_t runs along the sequence and is changed only by adding: the forget gate f decides what to keep, the input gate i what to write, the output gate o what to show. Because the update is additive, the training signal survives long distances instead of vanishing.",
    "concept.lstm.link": "Carry a key across 50 steps",
    "concept.gru.title": "GRU",
    "concept.gru.body": "The LSTM's idea with fewer parts: an update gate z mixes the old state with a candidate, a reset gate r decides how much of the old state the candidate may use. No separate cell state, fewer weights, often just as good and faster.",
    "concept.gru.link": "Compare the GRU with the LSTM",
    "concept.seq2seq.title": "Seq2Seq and GNMT",
    "concept.seq2seq.body": "The encoder compresses the whole source sentence into one context vector (its final state); the decoder starts from that vector and generates the output. Google's GNMT is this design made deep. Its weak point: one fixed-size vector must hold every sentence, so long ones suffer.",
    "concept.seq2seq.link": "Train Seq2Seq without attention",
    "concept.attention.title": "Attention: Query, Key, Value",
    "concept.attention.body": "At every output step the decoder state is a query Q. It is compared with a key K for every encoder state, the scores go through a softmax, and the values V are averaged with those weights: Attention(Q, K, V). The decoder no longer depends on one vector, and the weights show which source word it looked at.",
    "concept.attention.link": "See the attention map",
    "concept.beam.title": "Greedy and beam search",
    "concept.beam.body": "Greedy decoding takes the most likely word at each step. Beam search keeps the k best partial sentences and ranks finished ones by log-probability divided by a length penalty, so it can recover from a word that looked best too early.",
    "concept.beam.link": "Compare greedy and beam search",
    "concept.transformer.title": "Transformer",
    "concept.transformer.body": "Attention only, no recurrence (Vaswani et al., 2017, 'Attention Is All You Need'). An encoder stack and a decoder stack of attention and feed-forward layers process all positions at once, which trains much faster than a step-by-step RNN.",
    "concept.transformer.link": "Train a small Transformer",
    "concept.positional.title": "Positional encoding",
    "concept.positional.body": "Attention by itself ignores word order, so a vector that depends on the position is added to each embedding: sines and cosines of different frequencies (or a learned table). The app draws the table of the model you trained.",
    "concept.positional.link": "Take positional encoding away (word order)",
    "concept.multihead.title": "Multi-head attention",
    "concept.multihead.body": "Several attention heads run side by side, each with its own W_Q, W_K, W_V projections into a smaller space (d_k = d_model / h); their outputs are concatenated and projected back with W_O. Different heads learn to look for different relations.",
    "concept.multihead.link": "Compare the heads of each layer",
    "concept.ffn.title": "Position-wise feed-forward network",
    "concept.ffn.body": "After attention, every position goes through the same small two-layer network, FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, with a wider hidden layer d_ff. Attention mixes information between positions; the FFN transforms it at each position.",
    "concept.ffn.link": "Change d_ff and see the parameter count",
    "concept.residual.title": "Residual connections and LayerNorm",
    "concept.residual.body": "Each sub-layer's input is added to its output, x + Sublayer(x), so gradients have a short path through a deep stack; LayerNorm then rescales each position's vector. 'post' normalises after the addition as in the paper, 'pre' before the sub-layer, which trains more stably.",
    "concept.residual.link": "Switch between post- and pre-LayerNorm",
    "page.sentiment.title": "Review sentiment",
    "page.sentiment.intro": 'Read a one-sentence movie review and decide whether the critic liked the film (fresh) or not (rotten). The network reads the words one by one (many-to-one) and answers from its states. Each word starts as its GloVe vector, 50 numbers learned beforehand from 6 billion words of text, so the model knows that "superb" is like "excellent" before it sees a review (transfer learning). The bar to beat is a classic: TF-IDF word counts with logistic regression.',
    "sentiment.preview_caption": "{train} training, {val} validation and {test} test reviews; a vocabulary of {vocab} words built from the training reviews. Training labels: {dist}.",
    "sentiment.review": "review",
    "sentiment.label": "label",
    "sentiment.confusion": "Confusion matrix (test)",
    "sentiment.true": "true",
    "sentiment.pred": "predicted",
    "sentiment.prob": "probability",
    "sentiment.examples": "Test reviews",
    "sentiment.your_review": "Your review",
    "sentiment.default_review": "A sharp, funny and surprisingly moving film with a great cast.",
    "sentiment.verdict": "Verdict",
    "sentiment.verdict_help": "The class with the highest probability.",
    "sentiment.unknown": "Words the model never saw in training (read as <unk>): {words}",
    "sentiment.truncated": "The review is longer than the maximum length; the end was cut off.",
    "sentiment.attention": "Which words the model attended to",
    "sentiment.attention_caption": "Attention each word received in the last self-attention layer (averaged over heads and positions). Attention shows where the model looked, not always why it decided.",
    "sentiment.weight": "attention",
    "sentiment.no_attention": "Recurrent models have no attention weights; train a Transformer encoder to see which words it attends to.",
    "sentiment.coverage": "{found} of the {words} vocabulary words ({share}) start from their GloVe vector; the other {missing} (and the special tokens such as <unk>) start from random numbers, e.g. {examples}.",
    "sentiment.coverage_all": "All {words} vocabulary words start from their GloVe vector (only the special tokens such as <unk> start random).",
    "sentiment.no_vector": "Words the model knows but GloVe has no vector for (they started random): {words}",
    "sentiment.why": "Which words pushed the answer",
    "sentiment.why_caption": 'Each word was left out in turn and the review read again. Green words pushed the model toward "{label}", red ones away from it; the stronger the colour, the bigger the change. Hover a word for its number.',
    "sentiment.why_strongest": 'The word that mattered most: "{word}". With it the model is {p} sure of "{label}", without it {q}.',
    "sentiment.effect_axis": "change in P({label}), points",
    "sentiment.effect_tip": "without this word: {label} {p} ({delta} points)",
    "sentiment.race.title": "Does starting from GloVe help?",
    "sentiment.race.intro": "One click trains the settings in the sidebar twice, one after the other: once with every word starting from random numbers, once from its GloVe vector. Same split, same seed, everything else equal. It takes about twice as long as one training run.",
    "sentiment.race.run": "Race random vs GloVe",
    "sentiment.race.col_vocab": "vocabulary",
    "sentiment.race.col_glove": "from GloVe",
    "sentiment.race.verdict": "Test accuracy starting from GloVe: **{glove}**, from random numbers: **{random}** ({diff} points).",
    "sentiment.race.caveat": "One seed only: race again with another seed to see how much of the gap is chance.",
    "sentiment.race.vocab_note": "With GloVe a word seen only once in training keeps its own id when it has a vector, so that lane's vocabulary is larger.",
    "sentiment.race.projection_note": "GloVe vectors have {vectors} numbers; with an embedding size of {dim} a learned projection maps them to the model's size, hence the GloVe lane's extra parameters.",
    "sentiment.race.no_glove": "The GloVe vectors cannot be used here (see the notice at the top of the page), so both lanes would start random.",
    "sentiment.race.wait_for_run": "The race can start once the training above has finished.",
    "sentiment.race.stale": "These results are from a race with other settings; race again to compare the current ones.",
    "baseline.tfidf_logreg": "TF-IDF + logistic regression",
    "page.translation.title": "Toy translation",
    "page.translation.intro": "Translate short English sentences into Korean. Korean puts the verb last and marks subject and object with particles whose form depends on the noun's last sound, so the model has to reorder words and look back at the right source word. Try Seq2Seq without attention, with attention, and the Transformer.",
    "translation.preview_caption": "{train} training, {val} validation and {test} test sentence pairs; {src} English and {tgt} Korean words in the vocabularies (with the 4 special tokens).",
    "translation.source": "source",
    "translation.reference": "reference",
    "translation.output": "model output",
    "translation.samples": "Test sentences",
    "translation.by_length": "Quality by sentence length",
    "translation.by_length_caption": "Exact match and BLEU on the test sentences, grouped by the number of source words (sentences in each group in brackets). Without attention, long sentences suffer most.",
    "translation.src_words": "source words",
    "translation.your_sentence": "Your sentence (English)",
    "translation.default_sentence": "the cat eats the fish",
    "translation.beam_width": "Beam width",
    "translation.length_penalty": "Length penalty α",
    "translation.lp_help": "GNMT's length penalty: scores are divided by ((5 + length) / 6)^α. 0 ranks by raw log-probability (short outputs win); larger α favours longer outputs.",
    "translation.greedy": "Greedy",
    "translation.beam": "Beam search (k = {k})",
    "translation.hypothesis": "hypothesis",
    "translation.score": "score",
    "translation.unknown": "Words the model never saw (read as <unk>): {words}",
    "translation.dropped": "Left out, because the model reads words only: {words}",
    "translation.truncated": "The sentence is longer than any training sentence; it was cut.",
    "translation.reversed": "This model reads the source backwards (reverse source is on).",
    "translation.alignment": "Where the decoder looked",
    "translation.alignment_caption": "Cross-attention while decoding greedily: one row per output word, one column per source word. For a Transformer this is the last layer, averaged over heads.",
    "translation.no_attention": "This model has no attention: the decoder sees the source only through one context vector. Switch the architecture to seq2seq-attn or transformer to see an attention map.",
    "translation.all_maps": "Every layer and head",
    "translation.all_maps_caption": "The model run again on your sentence with its own translation as the decoder input, recording every attention map.",
    "translation.lexicon": "The words the toy corpus knows",
    "page.captioning.title": "Image captioning",
    "page.captioning.intro": "One input, many outputs: a small picture of two coloured shapes goes in, a sentence such as 'red circle above blue square' comes out word by word. A small CNN turns the image into one vector, the decoder's first state; the decoder then has to name both shapes, their colours and where one is relative to the other.",
    "captioning.preview_caption": "{n} generated images and their captions ({vocab} words with the special tokens). The first training images:",
    "captioning.samples": "Test images and the model's captions",
    "captioning.samples_caption": "✓ the caption is exactly right, ✗ it is not.",
    "captioning.mistakes": "The {n} mistakes",
    "captioning.said": "said",
    "captioning.truth": "should be",
    "captioning.try_caption": "Compose a picture: two objects in two cells of the 3 × 3 grid (row, column). The training images always have both objects in the same row or the same column.",
    "captioning.colour1": "Colour 1",
    "captioning.shape1": "Shape 1",
    "captioning.colour2": "Colour 2",
    "captioning.shape2": "Shape 2",
    "captioning.cell1": "Cell of shape 1",
    "captioning.cell2": "Cell of shape 2",
    "captioning.noise": "Noise",
    "captioning.same_cell": "Put the two shapes in different cells.",
    "captioning.same_object": "Pick two different objects (colour or shape).",
    "captioning.model_says": "The model says",
    "captioning.expected": "The task's caption for this picture: {caption}",
    "captioning.off_grid": "These cells share no row or column: the model never saw such a picture.",
    "baseline.most common caption": "most common caption",
    "page.long_memory.title": "Long memory",
    "page.long_memory.intro": "The first token is a key (A, B, C, …), then come many random distractors, then a question mark: which key was it? Only a network that carries the key across all the distractors can answer. A vanilla RNN forgets, because its gradient shrinks at every step back in time; the gates of the LSTM and the GRU keep the memory. Raise the lag to find where each one breaks.",
    "memory.preview_caption": "{train} training and {test} test sequences. A test sequence:",
    "memory.measuring": "Measuring accuracy at each lag…",
    "memory.by_lag": "Accuracy against the lag",
    "memory.by_lag_caption": "Fresh sequences at each lag (the model was trained with lag {lag}). Each model you train on this page adds its curve, so you can compare a vanilla RNN with an LSTM or a GRU.",
    "memory.chance": "chance",
    "memory.lag": "lag (distractors between key and question)",
    "memory.accuracy_pct": "accuracy (%)",
    "memory.clear_curves": "Forget the earlier curves",
    "memory.examples": "Test sequences",
    "memory.sequence": "sequence",
    "memory.key": "key",
    "memory.answer": "model's answer",
    "memory.try_caption": "A key (capital letter), distractors (small letters) and a final ?, separated by spaces. Change the key or add distractors and see whether the model still remembers.",
    "memory.your_sequence": "Your sequence",
    "memory.model_answer": "Model's answer",
    "memory.length": "{n} tokens",
    "memory.probability": "probability",
    "baseline.most frequent key": "most frequent key",
    "baseline.chance": "chance",
    "nav.word_order": "Word order",
    "home.task.word_order": "Does A come before B? Same words, different order: the test a Transformer fails without positional encoding.",
    "page.word_order.title": "Word order",
    "page.word_order.intro": "Every sequence holds one A and one B among filler letters; say which comes first. Both answers use exactly the same words, only the order differs, so a model blind to order can only guess (50 %). Train a Transformer encoder with positional encoding 'sinusoidal', then 'none', and compare; a recurrent network reads in order and needs none.",
    "order.preview_caption": "Test sequences and the right answers:",
    "order.answer": "right answer",
    "order.board": "Every model trained on this page",
    "order.board_caption": "Test accuracy of each model you trained here (architecture · positional encoding). Without positions, self-attention with mean pooling gives the same output for any order of the same tokens: it sits at 50 %.",
    "order.try_caption": "Type a sequence with one A, one B and filler letters, separated by spaces. The model also answers for the same sequence with A and B swapped: the right answers are opposite.",
    "order.swapped": "A and B swapped",
    "order.prob_help": "The class with the highest probability.",
    "order.same_answer": "The same answer for both orders: this model has no positional encoding ('none'), so "
    "it does not see where the tokens are.",
    "order.same_answer_positions": "The same answer for both orders, although this model does see where the "
    "tokens are ({how}): it has not learnt to use that for this sequence. Train it longer (more epochs) and "
    "compare its test accuracy with the baselines.",
    "order.how.sinusoidal": "sinusoidal positional encoding",
    "order.how.learned": "a learned vector per position",
    "order.how.recurrent": "it reads the tokens one after another",
    "order.a_first": "A first",
    "order.b_first": "B first",
    "baseline.bag of words": "bag of words",
    "baseline.most frequent class": "most frequent class",
    "field.text_column": "Text column",
    "field.label_column": "Label column",
    "field.max_vocab": "Max vocabulary",
    "field.min_freq": "Min word count",
    "field.tokenizer": "Tokenizer",
    "field.embedding": "Word embedding starts from",
    "field.ngrams": "Bag-of-n-grams path",
    "field.embedding_lr": "Embedding learning rate (x lr)",
    "field.word_dropout": "Word dropout",
    "field.vectors_dim": "Pretrained vector size",
    "field.n_grams": "Known n-grams",
    "choice.embedding.random": "random numbers",
    "choice.embedding.glove": "GloVe vectors (pretrained)",
    "choice.tokenizer.glove": "as GloVe (does n't)",
    "choice.tokenizer.words": "whole words (doesn't)",
    "field.n_images": "Images",
    "field.image_size": "Image size",
    "field.noise": "Pixel noise",
    "field.n_symbols": "Keys",
    "field.lag": "Lag",
    "field.n_noise": "Filler letters",
    "field.curriculum": "Curriculum",
    "field.n_train": "Training sequences",
    "field.length": "Sequence length",
}

KO: dict[str, str] = {
    "nav.home": "홈",
    "nav.stock": "주가 예측",
    "nav.sentiment": "영화평 감성 분류",
    "nav.translation": "장난감 번역",
    "nav.captioning": "이미지 캡션",
    "nav.long_memory": "긴 기억",
    "settings.header": "설정",
    "settings.arch": "아키텍처",
    "settings.arch_help": "이 과제에 쓸 수 있는 아키텍처만 보입니다.",
    "settings.preset": "프리셋",
    "settings.preset_help": "논문에 나온 설정입니다 (여기서 학습하기에는 너무 클 수 있습니다).",
    "settings.no_preset": "(과제 기본값)",
    "settings.data": "데이터",
    "settings.model": "모델",
    "settings.training": "학습",
    "settings.advanced": "고급 학습 설정",
    "settings.upload": "CSV 파일",
    "settings.upload_needed": "내 데이터로 학습하려면 사이드바(데이터 → CSV 파일)에서 파일을 올리세요.",
    "settings.loading_data": "데이터를 불러와 인코딩하는 중…",
    "settings.params": "이 모델의 파라미터 수",
    "settings.hosted_caps": "이 공용 서버에서는 한 번의 학습이 {epochs} 에폭, {params} 파라미터, {seconds} 초로 제한됩니다.",
    "settings.url_replaced": "링크에 적힌 {label} ({param}) 값 {value}은(는) 이 설정에서 고를 수 없어 {now}(으)로 바꿨습니다.",
    "budget.beside": "메모리 약 {memory}, 학습 시간 약 {time} (추정치)",
    "budget.beside_help": "아무것도 만들기 전에 설정만 보고 추정한 값입니다. 메모리: 가중치, 기울기와 옵티마이저 상태"
    "({state}), 한 배치가 역전파를 위해 들고 있는 값({activations}), 데이터({data}), 학습 프로세스 자체가 쓰는 "
    "메모리({base}). 시간: 전체 {steps} 스텝을 초당 약 {rate} 토큰으로 계산했습니다. 2코어 CPU에서 이 과제와 "
    "구조로 잰 속도입니다. 목표에 닿거나 조기 종료로 일찍 멈추면 덜 걸립니다. 같은 컴퓨터에서 다른 일이 돌거나 "
    "CPU가 다르면 실제 값은 달라집니다.",
    "budget.over_hard": "이 서버의 한도를 넘습니다: 학습을 누르면 거절됩니다.",
    "budget.over_soft": "큰 학습입니다: 학습을 누르면 한 번 더 확인합니다.",
    "budget.refuse.params": "이 모델의 파라미터는 {value}개로, 이 서버가 한 번의 학습에 허용하는 {limit}개보다 "
    "많습니다. {settings}을(를) 줄이고 다시 학습을 누르세요.",
    "budget.refuse.memory": "이 학습에는 메모리가 약 {value} 필요합니다(설정으로 추정한 값). 이 서버가 한 번의 "
    "학습에 허용하는 {limit}보다 많습니다. {settings}을(를) 줄이고 다시 학습을 누르세요.",
    "budget.refuse.lane": "{lane}: {message}",
    "budget.reason.memory": "메모리 약 {value}({limit} 초과)",
    "budget.reason.time": "학습 시간 약 {value}({limit} 초과)",
    "budget.reason.params": "파라미터 {value}개({limit} 초과)",
    "budget.confirm": "큰 학습입니다. 설정으로 추정하면 {reasons}이 듭니다. {settings}을(를) 줄여 작게 만들거나, "
    "그대로 학습하세요.",
    "budget.hosted_time": "이 학습은 약 {value} 걸립니다(추정치). 이 서버는 모든 학습을 {limit} 뒤에 멈추므로, "
    "학습의 약 {share} %만 마치고 끝납니다. 끝까지 마치려면 {settings}을(를) 줄이거나, 그대로 학습하세요.",
    "budget.join_and": "{first}, {last}",
    "budget.join_or": "{first} 또는 {last}",
    "budget.train_anyway": "그대로 학습",
    "budget.cancel": "취소",
    "checkpoint.too_big": "이 모델의 파라미터는 {params}개로, 이 서버의 한도 {limit}개보다 많습니다. 불러오지 "
    "않았습니다.",
    "checkpoint.mismatch": "가중치가 설정과 맞지 않습니다. config.json은 파라미터 {described}개짜리 모델을 "
    "설명하는데, 가중치 파일에는 숫자가 {held}개 들어 있습니다({detail}). 모델을 불러오지 않았습니다.",
    "checkpoint.bad_weights": "model.safetensors가 올바른 safetensors 파일이 아닙니다({why}).",
    "checkpoint.truncated": "model.safetensors가 비어 있거나 잘렸습니다.",
    "checkpoint.bad_config": "config.json이 이 버전에서 만들 수 있는 모델을 설명하지 않습니다: {why}",
    "checkpoint.bad_json": "config.json이 올바른 JSON이 아닙니다({why}).",
    "checkpoint.not_ours": "config.json이 Sequence Lab 체크포인트가 아닙니다(형식 {format}이어야 합니다).",
    "checkpoint.config_too_large": "config.json이 Sequence Lab 설정이라기에는 너무 큽니다.",
    "checkpoint.too_large": "파일이 한도인 200 MB보다 큽니다.",
    "checkpoint.not_zip": "Sequence Lab 모델 파일이 아닙니다. model.safetensors와 config.json이 든 .zip "
    "파일이어야 합니다.",
    "checkpoint.missing_file": "zip 파일에 {name}이(가) 없습니다.",
    "checkpoint.damaged": "zip 파일이 손상되었습니다({why}).",
    "checkpoint.bad_state": "저장된 데이터 상태를 복원할 수 없습니다({why}).",
    "checkpoint.mismatch_other": "가중치가 설정과 맞지 않습니다.",
    "data.stock.too_large": "{column!r} 열에 {limit}을 넘는 값이 {n}개 있습니다(예: {example}). 그렇게 큰 가격은 "
    "없습니다. 숫자와 단위를 확인하세요.",
    "data.stock.too_large_typed": "가격 중 {limit}을 넘는 값이 {n}개 있습니다(예: {example}). 그렇게 큰 가격은 "
    "없습니다. 숫자와 단위를 확인하세요.",
    "data.stock.not_finite": "가격 목록에 비어 있거나 유한하지 않은 값이 있습니다.",
    "data.stock.off_scale": "이 값들은 학습 기간의 범위에서 너무 멀리 벗어나 있습니다(학습 기간의 평균과 퍼짐으로 "
    "표준화하면 하나가 {shown}만큼 떨어져 있습니다). 이런 값으로는 배울 수도, 예측할 수도 없습니다. 가격의 크기나 "
    "빠진 소수점을 확인하거나 다른 기간을 고르세요.",
    "data.stock.forecast_overflow": "이 가격들에 대한 예측이 말이 되는 숫자가 아닙니다(넘칩니다). 모델이 학습한 "
    "가격과 너무 멉니다.",
    "data.stock.collapsed": "파일에는 {rows}행이 있지만 날짜는 {days}일뿐입니다(하루에 여러 행: 예를 들어 분 단위 "
    "가격이거나, 한 파일에 여러 종목이 들어 있습니다). 이 과제는 하루에 종가 하나를 예측하므로 {days}행만 남고 학습 "
    "예제는 {n_train}개뿐이라 배우기에 너무 적습니다. 하루에 한 행(그날의 종가)씩, 적어도 {need}일치를 올리거나 "
    "되돌아보는 기간(lookback)을 줄이세요.",
    "data.stock.intraday": "파일에 하루 안의 가격이 들어 있습니다({days}일에 {rows}행, 예를 들어 분 단위). 이 "
    "과제는 하루에 종가 하나를 예측하므로 날마다 마지막 가격만 남겼습니다: {days}행.",
    "data.stock.repeated_dates": "날짜가 겹치는 {n}행을 뺐습니다(마지막 행을 남김).",
    "share.header": "이 설정 공유하기",
    "share.caption": "이 링크를 열면 이 페이지가 지금과 똑같은 설정으로 열립니다 (아이콘으로 복사).",
    "share.reset": "기본값으로 되돌리기",
    "run.train": "학습",
    "run.stop": "멈춤",
    "run.stopping_button": "멈추는 중…",
    "run.stopping": "멈추는 중… 모델은 지금까지 배운 것을 그대로 갖고, 테스트 데이터로 평가를 마치는 대로 결과를 보여 줍니다.",
    "run.summary": "**{arch}** · 파라미터 {params}개 · {examples} · {epochs}",
    "run.building": "모델을 만드는 중…",
    "run.queued": "빈 학습 자리를 기다리는 중: 대기 {pos}번째, 약 {wait} 남음. 자리가 나면 학습이 저절로 시작되고, 그동안 이 페이지를 계속 쓸 수 있습니다.",
    "run.queued_next": "학습 프로세스를 시작하는 중…",
    "run.first_step": "학습 시작: 파라미터 {params}개, 장치 {device}…",
    "run.progress": "에폭 {epoch}/{epochs} · 스텝 {step}/{total} · 손실 {loss} · 남은 시간 {eta} · {rate} {unit}",
    "run.tokens_s": "토큰/초",
    "run.items_s": "예제/초",
    "run.finished_in": "{time} 동안 학습 ({steps} 스텝)",
    "run.busy": "지금은 이 서버의 대기열이 가득 찼습니다. 몇 분 뒤에 다시 시도하세요.",
    "run.settings_changed": "이 모델을 학습한 뒤 설정이 바뀌었습니다. 아래 결과는 이전 설정으로 학습한 모델의 것입니다. "
    "새 설정으로 학습하려면 학습 버튼을 누르세요.",
    "run.reason.done": "학습이 끝났습니다.",
    "run.reason.stopped": "멈췄습니다. 지금까지 학습한 모델은 남아 있습니다.",
    "run.reason.diverged": "학습이 발산했습니다.",
    "run.reason.time_budget": "시간 제한에 도달했습니다.",
    "run.reason.early_stopping": "검증 지표가 더 좋아지지 않아 일찍 멈췄습니다.",
    "run.reason.target": "목표 달성: 검증 지표가 이 과제의 목표에 닿아 학습을 거기서 멈췄습니다. "
    "모든 에폭을 학습하려면 고급 설정에서 '목표에 닿으면 멈춤'을 끄세요.",
    "chart.train_loss": "학습 손실 (스텝마다)",
    "chart.train_loss_smooth": "학습 손실 (평활)",
    "chart.val_loss": "검증 손실 (에폭마다)",
    "chart.step": "옵티마이저 스텝",
    "chart.epoch": "에폭",
    "chart.loss": "손실",
    "chart.val_metric": "검증 {metric}",
    "page.no_model": "아직 모델이 없습니다. 사이드바에서 설정을 고르고 **학습**을 누르세요.",
    "page.data_preview": "데이터",
    "tab.results": "결과",
    "tab.try": "직접 해보기",
    "tab.inside": "모델 들여다보기",
    "tab.save": "저장 / 불러오기",
    "results.vs": "{baseline} 대비",
    "results.metric": "지표",
    "results.correct": "정답?",
    "results.this_model": "이 모델",
    "results.no_metrics": "테스트 지표가 없습니다 (첫 평가 전에 학습이 끝났습니다).",
    "results.baselines_caption": "기준선은 학습이 필요 없는 방법입니다. 모델은 기준선을 이길 때만 쓸모가 있습니다.",
    "results.vs_noise": "{baseline} 대비 · 오차 범위 안",
    "results.noise_help": "차이가 오차보다 클 때만 초록이나 빨강으로 표시합니다 (여기서는 ±{band}: 비율 지표는 "
    "테스트 예제 수로 계산한 표준 오차의 두 배, 다른 지표는 1 %). 그 안이면 화살표 없이 회색입니다.",
    "baseline.momentum": "모멘텀",
    "run.verdict.exploded": "손실이 폭발했습니다: 처음 {start}에서 {step} 스텝에 {peak}까지 치솟았고, 끝날 때도 "
    "{end}(으)로 시작할 때보다 높습니다. 학습률({lr})이 너무 높습니다. 낮춰서 다시 학습해 보세요.",
    "run.verdict.worse": "이 모델은 학습이 필요 없는 기준선 '{baseline}'보다 나쁩니다: {metric} {value}, 기준선은 "
    "{base}. 모델은 기준선을 이길 때만 쓸모가 있습니다.",
    "run.detail.diverged": "{step} 스텝에서 손실(또는 그래디언트)이 유한한 수가 아니게 되었습니다. 학습률(지금 "
    "{lr})을 낮추거나 그래디언트 클리핑을 켜세요. 마지막으로 정상이던 가중치를 남겼습니다.",
    "run.detail.time_budget": "시간 제한 {seconds}초에 도달해 멈췄습니다. 지금까지 학습한 모델은 남아 있습니다.",
    "run.detail.early_stopping": "검증 결과가 {n} 에폭 동안 나아지지 않았습니다. 가장 좋았던 에폭의 모델을 남겼습니다.",
    "count.epochs": "{n} 에폭",
    "count.training_examples": "학습 예제 {n}개",
    "count.trials": "시도 {n}개",
    "data.csv.empty_text": "파일이 비어 있습니다. 머리글 행 하나와, 글마다 한 행(글과 레이블)이 있는 CSV를 올려 주세요.",
    "data.csv.empty_day": "파일이 비어 있습니다. 머리글 행 하나와, 하루마다 한 행(날짜와 종가)이 있는 CSV를 올려 "
    "주세요.",
    "data.csv.binary": "CSV 텍스트 파일이 아닙니다 (바이너리 데이터가 들어 있습니다).",
    "data.csv.encoding": "CSV 텍스트 파일이 아닙니다 (알 수 없는 텍스트 인코딩).",
    "data.csv.unreadable": "파일을 CSV로 읽을 수 없습니다 ({why}).",
    "data.csv.no_rows": "CSV에 머리글은 있지만 데이터 행이 없습니다.",
    "data.csv.bad_dates": "{total}행 가운데 {n}행의 날짜를 {column} 열에서 읽을 수 없습니다 (예: {example}). "
    "날짜는 2020-01-31처럼 쓰세요.",
    "data.csv.not_numbers": "{column} 열의 {total}행 가운데 {n}개 값이 숫자가 아닙니다 (예: {example}). 숫자만 "
    "들어 있어야 합니다.",
    "data.csv.no_column.date": "CSV에 날짜 열 {name}이(가) 없습니다. 있는 열: {columns}",
    "data.csv.no_column.value": "CSV에 값 열 {name}이(가) 없습니다. 있는 열: {columns}",
    "data.csv.no_column.text": "CSV에 텍스트 열 {name}이(가) 없습니다. 있는 열: {columns}",
    "data.csv.no_column.label": "CSV에 레이블 열 {name}이(가) 없습니다. 있는 열: {columns}",
    "data.stock.not_offline": "티커 {ticker}은(는) 오프라인 데이터에 없습니다. 오프라인 티커: {tickers} (다른 종목은 "
    "출처를 yfinance로 고르세요).",
    "data.stock.no_offline": "{ticker}의 오프라인 가격이 없습니다. 오프라인 티커: {tickers}.",
    "data.stock.bad_ticker": "{ticker}은(는) 티커 기호가 아닙니다 (영문자, 숫자, . ^ = - 만 쓸 수 있습니다).",
    "data.stock.yahoo_empty": "Yahoo Finance가 티커 {ticker}의 가격을 돌려주지 않았습니다. 기호(예: AAPL, MSFT, "
    "^GSPC)와 날짜를 확인하세요.",
    "data.stock.yahoo_empty_dates": "Yahoo Finance가 티커 {ticker}의 {start} ~ {end} 기간 가격을 돌려주지 않았습니다. "
    "기호(예: AAPL, MSFT, ^GSPC)와 날짜를 확인하세요.",
    "data.stock.unreachable": "Yahoo Finance에 연결할 수 없어 ({why}) 대신 {label}의 오프라인 가격을 씁니다.",
    "data.stock.too_few_rows": "{label}에는 {n}행이 있습니다. 룩백 {lookback}, 예측 기간 {horizon}, {split} 분할에는 "
    "최소 {need}행이 필요합니다 (날짜를 늘리거나 룩백을 줄이세요).",
    "translation.empty": "먼저 문장을 입력하세요.",
    "translation.only_symbols": "먼저 문장을 입력하세요. 문장 부호나 기호(이모지 등)만 있는데, 모델은 단어를 읽습니다.",
    "split.train": "학습",
    "split.val": "검증",
    "split.test": "테스트",
    "model.download": "학습한 모델 내려받기",
    "model.download_caption": "{size} KB 크기의 zip 파일: model.safetensors(가중치)와 config.json(모든 설정과 어휘). "
    "나중에 여기에 다시 올리거나 python -m core 로 불러올 수 있습니다.",
    "model.upload": "저장한 모델 불러오기 (.zip)",
    "model.upload_help": "이 페이지에서 내려받은 zip 파일 (또는 python -m core train 이 만든 것).",
    "model.load_header": "…또는 전에 저장한 모델 불러오기",
    "model.loaded": "파라미터 {params}개인 {arch} 모델을 불러왔습니다{primary}.",
    "model.wrong_task": "이 모델은 {task} 과제용입니다. 그 페이지에서 여세요 (이 페이지는 {here})",
    "export.html": "HTML",
    "export.svg": "SVG",
    "export.svg_hint": "SVG는 차트 도구 모음의 카메라 아이콘으로 저장하세요.",
    "model.continue": "불러온 모델 이어서 학습",
    "model.continue_caption": "저장된 가중치에서 시작해 같은 데이터로, 사이드바의 학습 설정(에폭, 학습률 등)으로 "
    "학습합니다. 결과는 이 페이지에서 학습한 모델을 대신합니다.",
    "model.which": "보여 줄 모델",
    "model.which.trained": "여기서 학습한 모델",
    "model.which.uploaded": "파일에서 불러온 모델",
    "model.no_splits": "테스트 화면에는 과제 데이터가 필요합니다. 이 페이지에서 모델을 학습하면 볼 수 있습니다.",
    "model.saved_metrics": "이 모델을 학습할 때 함께 저장된 테스트 지표:",
    "error.unexpected": "앱 내부에서 문제가 생겼습니다. 페이지는 계속 쓸 수 있고, 아래 내용은 문제를 알릴 때 도움이 됩니다.",
    "error.details": "자세히",
    "inside.attention": "어텐션",
    "inside.recurrent": "순환 상태와 게이트",
    "inside.positional": "위치 인코딩",
    "inside.probe_caption": "고정된 테스트 예제 하나에서 본 값입니다. 행은 쿼리(보는 위치), 열은 키(보이는 위치)이며 "
    "한 행의 합은 1입니다.",
    "inside.which": "어텐션",
    "inside.layer": "층",
    "inside.head": "헤드",
    "inside.all_heads": "모든 헤드",
    "inside.mean_heads": "헤드 평균",
    "inside.head_n": "헤드 {n}",
    "inside.epoch_snapshot": "에폭 이후",
    "inside.final": "최종",
    "inside.gates_over_epochs": "에폭을 옮겨 가며 학습하는 동안 게이트가 어떻게 자리 잡는지 보세요.",
    "inside.gates_tip": '팁: 학습 전에 사이드바의 "에폭마다 어텐션·게이트 기록"을 켜면 게이트를 에폭별로 볼 수 있습니다.',
    "inside.no_attention": "이 모델에는 보여 줄 어텐션 가중치가 없습니다.",
    "inside.no_states": "이 모델에서는 순환 상태가 기록되지 않았습니다.",
    "inside.nothing": "이 과제에서 이 모델은 들여다볼 것이 없습니다.",
    "inside.signal": "신호",
    "inside.time": "시점",
    "inside.unit": "은닉 유닛",
    "inside.units_shown": "유닛 {total}개 중 {n}개, 1층, 순방향.",
    "inside.positional_explain": "각 위치에서 임베딩에 더해지는 값: 위치 {n}개 × 차원 {d}개. 사인파 인코딩은 차원 쌍마다 "
    "다른 주파수를 써서 위치마다 고유한 무늬를 만들고, 가까운 위치끼리는 비슷한 무늬가 됩니다.",
    "inside.positions_shown": "보여 줄 위치 수",
    "inside.image_vector": "캡션이 나오는 단 하나의 벡터",
    "inside.image_vector_caption": "CNN이 그림 전체를 숫자 {n}개로 압축합니다 (한 줄에 16개씩 표시). 이 벡터가 디코더의 "
    "첫 상태이며, 캡션의 모든 단어가 여기서 나와야 합니다.",
    "inside.position": "위치",
    "inside.dimension": "차원",
    "attn.enc_self": "인코더 셀프 어텐션",
    "attn.dec_self": "디코더 셀프 어텐션",
    "attn.cross": "교차 어텐션 (디코더 → 인코더)",
    "attn.self": "셀프 어텐션",
    "attn.keys": "키 (보이는 쪽)",
    "attn.queries": "쿼리 (보는 쪽)",
    "attn.enc_self.explain": "원문의 모든 단어가 원문의 모든 단어를 보면서 자기 표현을 만듭니다.",
    "attn.dec_self.explain": "출력의 각 위치는 자기 자신과 앞 위치만 볼 수 있습니다. 인과 마스크 때문에 오른쪽 위 삼각형이 "
    "비어 있습니다.",
    "attn.cross.explain": "디코더가 출력 단어(행)를 쓸 때마다 원문 단어(열)를 봅니다. 번역이 잘 되면 이것이 부드러운 단어 "
    "정렬이 됩니다.",
    "attn.self.explain": "입력의 모든 위치가 모든 위치를 봅니다.",
    "attn.cross.queries": "출력 단어",
    "attn.cross.keys": "원문 단어",
    "gate.h": "은닉 상태 h",
    "gate.i": "입력 게이트 i",
    "gate.f": "망각 게이트 f",
    "gate.g": "후보 g (C̃)",
    "gate.o": "출력 게이트 o",
    "gate.c": "셀 상태 C",
    "gate.r": "리셋 게이트 r",
    "gate.z": "업데이트 게이트 z",
    "gate.n": "후보 n",
    "gate.h.explain": "시간에 따른 은닉 상태 h_t: 네트워크가 다음 시점으로 넘기는 정보입니다.",
    "gate.f.explain": "망각 게이트: 1에 가까우면 이전 셀 상태를 유지하고, 0에 가까우면 지웁니다.",
    "gate.i.explain": "입력 게이트: 새 후보를 셀에 얼마나 쓸지 정합니다.",
    "gate.o.explain": "출력 게이트: 셀을 은닉 상태로 얼마나 내보낼지 정합니다.",
    "gate.c.explain": "셀 상태 C_t: LSTM의 장기 기억 통로입니다.",
    "gate.z.explain": "업데이트 게이트: 1에 가까우면 이전 상태를, 0에 가까우면 후보를 택합니다.",
    "gate.r.explain": "리셋 게이트: 후보를 만들 때 이전 상태를 얼마나 쓸지 정합니다.",
    "metric.rmse": "RMSE",
    "metric.mae": "MAE",
    "metric.mape": "MAPE",
    "metric.direction_accuracy": "방향 정확도",
    "metric.accuracy": "정확도",
    "metric.f1": "F1",
    "metric.macro_f1": "매크로 F1",
    "metric.f1_macro": "매크로 F1",
    "metric.exact_match": "완전 일치",
    "metric.bleu": "BLEU",
    "metric.token_accuracy": "토큰 정확도",
    "metric.loss": "손실",
    "metric.rmse.help": "예측 가격의 평균 제곱근 오차 (낮을수록 좋음).",
    "metric.mae.help": "예측 가격의 평균 절대 오차 (낮을수록 좋음).",
    "metric.mape.help": "평균 절대 백분율 오차 (낮을수록 좋음).",
    "metric.direction_accuracy.help": "예측이 실제 가격과 같은 방향(오름/내림)으로 움직인 비율. 지속 예측은 "
    "움직이지 않으므로 방향이 없습니다 (–). 이 카드는 방향을 내는 기준선 가운데 가장 좋은 것과 비교합니다: "
    "모멘텀 (내일도 오늘처럼 움직임), 이동 평균, 또는 동전 던지기 (찍기, 50 %).",
    "metric.exact_match.help": "테스트 문장 중 정확히 맞게 번역한 비율.",
    "metric.bleu.help": "정답 번역과 겹치는 단어 n-gram의 정도, 0~100.",
    "baseline.persistence": "지속 예측",
    "baseline.moving_average": "이동 평균",
    "baseline.majority": "다수 클래스",
    "baseline.tfidf": "TF-IDF + 로지스틱 회귀",
    "baseline.word-for-word dictionary": "단어 대 단어 사전",
    "field.source": "데이터 출처",
    "field.ticker": "종목 기호",
    "field.start": "시작 날짜",
    "field.end": "끝 날짜",
    "field.lookback": "읽는 기간 (일)",
    "field.horizon": "예측 기간 (일)",
    "field.features": "특성",
    "field.target": "목표값",
    "field.date_column": "날짜 열",
    "field.value_column": "값 열",
    "field.ma_window": "이동 평균 기간",
    "field.val_frac": "검증 비율",
    "field.test_frac": "테스트 비율",
    "field.corpus": "말뭉치",
    "field.n_pairs": "문장 쌍 수",
    "field.max_len": "최대 문장 길이",
    "field.reverse_source": "원문 뒤집기",
    "field.clauses": "문장당 절 수",
    "field.cell": "셀",
    "field.embed_dim": "임베딩 크기",
    "field.hidden_size": "은닉 크기",
    "field.num_layers": "층 수",
    "field.bidirectional": "양방향",
    "field.bidirectional_encoder": "양방향 인코더",
    "field.dropout": "드롭아웃",
    "field.readout": "출력 방식",
    "field.explicit": "명시적 셀",
    "field.attention": "어텐션",
    "field.d_model": "d_model (모델 차원)",
    "field.n_heads": "헤드 수",
    "field.d_ff": "FFN 크기 d_ff",
    "field.n_layers": "층 수",
    "field.n_enc_layers": "인코더 층 수",
    "field.n_dec_layers": "디코더 층 수",
    "field.pos_encoding": "위치 인코딩",
    "field.norm": "LayerNorm 위치",
    "field.tie_embeddings": "임베딩 공유",
    "field.pooling": "풀링",
    "field.encoder": "이미지 인코더",
    "field.epochs": "에폭",
    "field.batch_size": "배치 크기",
    "field.lr": "학습률",
    "field.optimizer": "옵티마이저",
    "field.weight_decay": "가중치 감쇠",
    "field.clip": "그래디언트 클리핑",
    "field.label_smoothing": "레이블 스무딩",
    "field.warmup_steps": "워밍업 스텝",
    "field.teacher_forcing": "교사 강요 비율",
    "field.early_stopping": "조기 종료 (에폭)",
    "field.stop_at_target": "목표에 닿으면 멈춤",
    "field.bucket_by_length": "길이별로 배치 묶기",
    "field.seed": "시드",
    "field.device": "장치",
    "field.amp": "혼합 정밀도",
    "field.max_seconds": "시간 제한 (초)",
    "field.max_params": "파라미터 제한",
    "field.snapshots": "에폭마다 어텐션·게이트 기록",
    "help.train.epochs": "학습 데이터를 몇 번 훑을지.",
    "help.train.batch_size": "옵티마이저 스텝 한 번에 쓰는 예제 수.",
    "help.train.lr": "학습률 (워밍업을 쓰면 최고 학습률).",
    "help.train.optimizer": "옵티마이저.",
    "help.train.seed": "난수 시드: 같은 시드와 설정이면 같은 결과가 나옵니다.",
    "help.train.device": "학습할 장치. auto는 GPU가 있으면 GPU를 씁니다.",
    "help.train.clip": "그래디언트 노름을 이 값으로 자릅니다 (0 = 끔).",
    "help.train.teacher_forcing": "Seq2Seq: 디코더 입력 중 정답에서 가져오는 비율.",
    "help.train.snapshots": "에폭이 끝날 때마다 고정 예제에서 어텐션/게이트를 기록합니다.",
    "arch.rnn": "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b): 가장 기본적인 순환 셀.",
    "arch.lstm": "입력·망각·출력 게이트와 장기 기억을 나르는 셀 상태.",
    "arch.gru": "리셋·업데이트 게이트: LSTM의 게이트를 단순화해 더 빠릅니다.",
    "arch.transformer-encoder": "시퀀스 전체에 셀프 어텐션 층을 쌓고, 풀링해서 출력합니다.",
    "arch.seq2seq": "인코더 → 컨텍스트 벡터 하나 → 디코더 (GNMT 방식, 어텐션 없음).",
    "arch.seq2seq-attn": "디코더가 매 시점 인코더의 모든 상태를 다시 봅니다.",
    "arch.transformer": "멀티헤드 어텐션과 위치별 FFN으로 된 인코더·디코더 스택.",
    "arch.captioner": "작은 CNN이 이미지를 벡터 하나로 만들고, 순환 디코더가 캡션을 씁니다.",
    "page.stock.title": "주가 예측",
    "page.stock.intro": "최근 며칠의 종가를 읽고 다음 종가를 예측합니다. 날짜는 시간 순서대로 학습, 검증, 테스트로 "
    "나뉘므로 모델은 언제나 보지 못한 미래에서 시험받습니다. 넘어야 할 기준은 **지속 예측**(내일 가격 = 오늘 가격)입니다.",
    "stock.price": "가격",
    "stock.preview_caption": "종가를 날짜가 속한 구간별 색으로 표시했습니다.",
    "stock.test_range": "테스트 구간의 예측",
    "stock.test_caption": "테스트 기간 각 날짜에 대해 전날 만든 모델의 예측을 실제 종가, 지속 예측과 비교합니다. "
    "차트 아래 범위 슬라이더를 끌어 확대하세요.",
    "stock.actual": "실제",
    "stock.predicted": "모델 예측",
    "stock.persistence": "지속 예측",
    "stock.closer_share": "테스트 기간 중 {share} %의 날에 모델 예측이 지속 예측보다 실제 가격에 더 가까웠습니다.",
    "stock.try_caption": "가격을 오래된 것부터 {n}개 이상 붙여 넣으세요 (쉼표, 공백, 줄바꿈으로 구분). "
    "데이터의 마지막 가격이 미리 채워져 있습니다.",
    "stock.prices_label": "가격",
    "stock.forecast": "예측",
    "stock.no_prices": "먼저 가격을 입력하세요",
    "stock.bad_prices": "가격은 쉼표, 공백, 줄바꿈으로 구분한 숫자여야 합니다",
    "stock.ohlcv_try": "이 모델은 시가·고가·저가·종가·거래량을 읽습니다. 입력한 가격을 네 가격 모두에 쓰고, 거래량은 "
    "마지막 값을 반복합니다.",
    "stock.your_prices": "입력한 가격",
    "stock.forecast_line": "예측",
    "stock.days_from_last": "마지막 가격 이후 일수",
    "stock.day_n": "+{n}일",
    "stock.loss_spike": "학습 손실이 에폭마다 한 번씩 튀는 이유: 학습 기간에 {date}이 들어 있는데, 이날 가격이 하루 "
    "만에 {change} 움직였습니다. 평소보다 표준편차 {z}배 떨어진 날입니다. 이날의 오차를 제곱하면 이날이 든 배치의 "
    "손실이 약 {loss}까지 올라갑니다 (다른 배치는 1 근처). 배치를 섞으므로 에폭마다 한 번, 매번 다른 스텝에서 "
    "일어납니다. 버그가 아니라 실제 데이터입니다. 추세는 평활선과 검증 손실로 보세요.",
    "concept.rnn.short": "RNN",
    "concept.one_to_many.short": "일대다",
    "concept.many_to_one.short": "다대일",
    "concept.embedding.short": "단어 임베딩",
    "concept.many_to_many.short": "다대다",
    "concept.birnn.short": "양방향 RNN",
    "concept.lstm.short": "LSTM",
    "concept.gru.short": "GRU",
    "concept.seq2seq.short": "Seq2Seq / GNMT",
    "concept.attention.short": "어텐션 Q/K/V",
    "concept.transformer.short": "트랜스포머",
    "concept.positional.short": "위치 인코딩",
    "concept.multihead.short": "멀티헤드 어텐션",
    "concept.ffn.short": "위치별 FFN",
    "concept.residual.short": "잔차 연결 + LayerNorm",
    "concept.transformer_encoder.short": "트랜스포머 인코더",
    "concept.beam.short": "빔 서치",
    "home.title": "Sequence Lab",
    "home.tagline": "순환 신경망, 시퀀스-투-시퀀스 모델, 트랜스포머를 작은 과제로 바로 여기서 학습시키고, 배우는 동안 그 속을 들여다보세요: 손실 곡선, 어텐션 맵, 게이트, 위치 인코딩. 모든 설정은 슬라이더이고, 페이지 주소에 설정이 담겨 있어서 보고 있는 그대로를 공유할 수 있습니다.",
    "home.quick": "지금 바로 학습하기",
    "home.quick_caption": "어텐션이 있는 GRU 인코더-디코더로 장난감 영어 → 한국어 번역 페이지를 열고 곧바로 학습을 시작합니다. 손실이 줄어드는 것을 보고 어텐션 맵을 확인하세요. 한국어는 동사가 맨 뒤에 오므로 모델은 영어 동사를 다시 보는 법을 배웁니다.",
    "home.tasks": "과제",
    "home.task.stock": "최근 며칠의 가격으로 내일 종가를 예측합니다 (다대일). 모델이 '내일 = 오늘'을 이길 수 있을까요?",
    "home.task.sentiment": "호평일까 혹평일까? 한 문장 영화평을 분류합니다 (다대일). 양방향 RNN이나 트랜스포머 인코더로.",
    "home.task.translation": "엄격한 문법의 영어 → 한국어 (다대다): Seq2Seq, 어텐션, 트랜스포머, 탐욕 탐색과 빔 서치.",
    "home.task.captioning": "그림 하나가 들어가고 문장이 나옵니다 (일대다): 'red circle above blue square'.",
    "home.task.long_memory": "수백 개의 방해 토큰을 지나 첫 토큰을 기억하기: 기본 RNN은 어디서 무너지고, LSTM과 GRU는 왜 버틸까요?",
    "home.concepts": "개념 지도",
    "home.concepts_caption": "각 개념을 짧게 설명하고, 그 개념이 실제로 동작하는 페이지로 연결합니다 (링크가 알맞은 아키텍처도 골라 줍니다).",
    "home.section.rnn": "순환 신경망",
    "home.section.seq2seq": "시퀀스-투-시퀀스와 어텐션",
    "home.section.transformer": "트랜스포머",
    "home.see_it": "동작하는 모습 보기: {page}",
    "home.footer": "모델, 과제, 학습은 core 패키지에 있으며 명령줄(python -m core)에서도 똑같이 동작합니다. 여기에 입력한 내용은 이 서버 밖으로 나가지 않습니다.",
    "concept.rnn.title": "순환 신경망 (RNN)",
    "concept.rnn.body": "하나의 셀이 매 시점마다 적용됩니다. 입력 x_t와 자신의 이전 상태 h_{t-1}을 읽어 새 상태를 씁니다: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b). 모든 시점에서 같은 가중치를 쓰므로 길이에 상관없이 시퀀스를 읽을 수 있고, 상태가 유일한 기억입니다.",
    "concept.rnn.link": "기본 RNN이 잊어버리는 모습 보기 (긴 기억)",
    "concept.one_to_many.title": "일대다 (One-to-many)",
    "concept.one_to_many.body": "입력 하나, 출력은 시퀀스. 이미지를 벡터 하나로 압축해 순환 디코더의 첫 상태로 쓰고, 디코더는 만든 단어를 다시 입력으로 넣으며 캡션을 한 단어씩 씁니다.",
    "concept.one_to_many.link": "이미지 캡션 달기",
    "concept.embedding.title": "단어 임베딩 (Word embedding)",
    "concept.embedding.body": "어떤 층이 읽기 전에, 각 단어는 표에서 숫자 한 줄이 됩니다. 충분한 텍스트로 학습하면 비슷하게 쓰이는 단어는 비슷한 줄을 얻습니다. 60억 단어에서 배운 GloVe의 줄은 그 지식을 모델에 거저 줍니다.",
    "concept.embedding.link": "단어 벡터 살펴보기",
    "concept.many_to_one.title": "다대일 (Many-to-one)",
    "concept.many_to_one.body": "시퀀스가 들어가고 답 하나가 나옵니다. 네트워크는 모든 단어(또는 매일의 가격)를 읽고, 마지막 상태만 예측(클래스나 숫자)으로 바꿉니다.",
    "concept.many_to_one.link": "영화평 분류하기",
    "concept.many_to_many.title": "다대다 (Many-to-many)",
    "concept.many_to_many.body": "시퀀스가 들어가고 길이가 다른 다른 시퀀스가 나옵니다. 인코더가 원문을 읽고 디코더가 번역문을 씁니다. 번역이 바로 이 구조입니다.",
    "concept.many_to_many.link": "인코더-디코더로 번역하기",
    "concept.birnn.title": "양방향 RNN",
    "concept.birnn.body": "두 RNN이 시퀀스를 하나는 앞에서부터, 하나는 뒤에서부터 읽고 상태를 이어 붙입니다. 그래서 각 위치가 앞뒤 내용을 모두 압니다. 단어의 뜻은 뒤에 오는 단어에 달린 경우가 많습니다.",
    "concept.birnn.link": "영화평 페이지에서 '양방향'을 켜 보기",
    "concept.lstm.title": "LSTM",
    "concept.lstm.body": "셀 상태 C_t가 시퀀스를 따라 흐르며 덧셈으로만 바뀝니다. 망각 게이트 f는 무엇을 남길지, 입력 게이트 i는 무엇을 쓸지, 출력 게이트 o는 무엇을 보일지 정합니다. 업데이트가 덧셈이므로 학습 신호가 먼 거리에서도 사라지지 않습니다.",
    "concept.lstm.link": "50 시점 너머로 키 전달하기",
    "concept.gru.title": "GRU",
    "concept.gru.body": "LSTM의 아이디어를 더 적은 부품으로: 업데이트 게이트 z가 이전 상태와 후보를 섞고, 리셋 게이트 r이 후보가 이전 상태를 얼마나 쓸지 정합니다. 따로 셀 상태가 없고 가중치가 적어, 흔히 LSTM만큼 좋으면서 더 빠릅니다.",
    "concept.gru.link": "GRU와 LSTM 비교하기",
    "concept.seq2seq.title": "Seq2Seq와 GNMT",
    "concept.seq2seq.body": "인코더가 원문 전체를 컨텍스트 벡터 하나(마지막 상태)로 압축하고, 디코더는 그 벡터에서 시작해 출력을 만듭니다. 구글의 GNMT는 이 설계를 깊게 만든 것입니다. 약점은 고정 크기 벡터 하나가 모든 문장을 담아야 해서 긴 문장에서 성능이 떨어진다는 점입니다.",
    "concept.seq2seq.link": "어텐션 없는 Seq2Seq 학습하기",
    "concept.attention.title": "어텐션: Query, Key, Value",
    "concept.attention.body": "출력의 매 시점마다 디코더 상태가 쿼리 Q가 됩니다. Q를 인코더의 각 상태의 키 K와 비교하고, 점수를 소프트맥스에 통과시킨 가중치로 값 V를 평균합니다: Attention(Q, K, V). 디코더는 더 이상 벡터 하나에 기대지 않고, 가중치는 어느 원문 단어를 보았는지 보여 줍니다.",
    "concept.attention.link": "어텐션 맵 보기",
    "concept.beam.title": "탐욕 탐색과 빔 서치",
    "concept.beam.body": "탐욕 디코딩은 매 시점 가장 그럴듯한 단어를 고릅니다. 빔 서치는 가장 좋은 부분 문장 k개를 유지하고, 끝난 문장을 로그 확률을 길이 페널티로 나눈 값으로 순위를 매겨서, 너무 일찍 좋아 보였던 단어에서 벗어날 수 있습니다.",
    "concept.beam.link": "탐욕 탐색과 빔 서치 비교하기",
    "concept.transformer.title": "트랜스포머",
    "concept.transformer.body": "순환 없이 어텐션만 씁니다 (Vaswani 외, 2017, 'Attention Is All You Need'). 어텐션과 피드포워드 층으로 된 인코더 스택과 디코더 스택이 모든 위치를 한꺼번에 처리하므로, 한 시점씩 가는 RNN보다 훨씬 빨리 학습합니다.",
    "concept.transformer.link": "작은 트랜스포머 학습하기",
    "concept.positional.title": "위치 인코딩",
    "concept.positional.body": "어텐션만으로는 단어 순서를 모르므로, 위치에 따라 달라지는 벡터를 각 임베딩에 더합니다: 서로 다른 주파수의 사인과 코사인 (또는 학습되는 표). 앱이 학습한 모델의 표를 그려 줍니다.",
    "concept.positional.link": "위치 인코딩을 빼 보기 (단어 순서)",
    "concept.multihead.title": "멀티헤드 어텐션",
    "concept.multihead.body": "여러 어텐션 헤드가 나란히 동작하며, 각자 자기 W_Q, W_K, W_V로 더 작은 공간(d_k = d_model / h)에 투영합니다. 출력들을 이어 붙여 W_O로 다시 투영합니다. 헤드마다 서로 다른 관계를 찾도록 배웁니다.",
    "concept.multihead.link": "층마다 헤드 비교하기",
    "concept.ffn.title": "위치별 피드포워드 네트워크",
    "concept.ffn.body": "어텐션 뒤에 모든 위치가 같은 작은 2층 신경망을 거칩니다: FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, 은닉층은 더 넓은 d_ff. 어텐션이 위치 사이에 정보를 섞고, FFN은 각 위치에서 그것을 변환합니다.",
    "concept.ffn.link": "d_ff를 바꾸고 파라미터 수 보기",
    "concept.residual.title": "잔차 연결과 LayerNorm",
    "concept.residual.body": "각 서브층의 입력을 출력에 더해(x + Sublayer(x)) 깊은 스택에서도 그래디언트가 짧은 길로 흐르게 하고, LayerNorm이 각 위치의 벡터를 다시 정규화합니다. 'post'는 논문처럼 덧셈 뒤에, 'pre'는 서브층 앞에서 정규화하며 학습이 더 안정적입니다.",
    "concept.residual.link": "post와 pre LayerNorm 바꿔 보기",
    "page.sentiment.title": "영화평 감성 분류",
    "page.sentiment.intro": '한 문장짜리 영화평을 읽고 평론가가 영화를 좋아했는지(fresh) 아닌지(rotten) 판단합니다. 네트워크는 단어를 하나씩 읽고(다대일) 그 상태들로 답합니다. 각 단어는 60억 단어의 텍스트에서 미리 배운 50개의 숫자인 GloVe 벡터에서 출발하므로, 모델은 리뷰를 보기 전부터 "superb"가 "excellent"와 비슷하다는 것을 압니다(전이 학습). 넘어야 할 기준은 고전적인 방법인 TF-IDF 단어 빈도와 로지스틱 회귀입니다.',
    "sentiment.preview_caption": "학습 {train}개, 검증 {val}개, 테스트 {test}개 영화평; 학습 영화평으로 만든 어휘 {vocab}개. 학습 레이블: {dist}.",
    "sentiment.review": "영화평",
    "sentiment.label": "레이블",
    "sentiment.confusion": "혼동 행렬 (테스트)",
    "sentiment.true": "실제",
    "sentiment.pred": "예측",
    "sentiment.prob": "확률",
    "sentiment.examples": "테스트 영화평",
    "sentiment.your_review": "내 영화평 (영어)",
    "sentiment.default_review": "A sharp, funny and surprisingly moving film with a great cast.",
    "sentiment.verdict": "판정",
    "sentiment.verdict_help": "확률이 가장 높은 클래스.",
    "sentiment.unknown": "학습 때 본 적 없는 단어 (<unk>로 읽음): {words}",
    "sentiment.truncated": "영화평이 최대 길이보다 길어서 끝부분이 잘렸습니다.",
    "sentiment.attention": "모델이 주목한 단어",
    "sentiment.attention_caption": "마지막 셀프 어텐션 층에서 각 단어가 받은 어텐션 (헤드와 위치에 대해 평균). 어텐션은 모델이 어디를 보았는지를 보여 줄 뿐, 왜 그렇게 판단했는지를 항상 말해 주지는 않습니다.",
    "sentiment.weight": "어텐션",
    "sentiment.no_attention": "순환 모델에는 어텐션 가중치가 없습니다. 어떤 단어에 주목하는지 보려면 트랜스포머 인코더를 학습하세요.",
    "sentiment.coverage": "어휘 {words}개 중 {found}개({share})는 GloVe 벡터에서 출발하고, 나머지 {missing}개(와 <unk> 같은 특수 토큰)는 무작위 숫자에서 출발합니다. 예: {examples}.",
    "sentiment.coverage_all": "어휘 {words}개 모두 GloVe 벡터에서 출발합니다 (<unk> 같은 특수 토큰만 무작위로 출발).",
    "sentiment.no_vector": "모델은 알지만 GloVe 벡터가 없는 단어 (무작위로 출발): {words}",
    "sentiment.why": "답을 움직인 단어",
    "sentiment.why_caption": '단어를 하나씩 빼고 영화평을 다시 읽혔습니다. 초록색 단어는 모델을 "{label}" 쪽으로, 빨간색 단어는 그 반대로 밀었습니다. 색이 진할수록 변화가 큽니다. 단어에 마우스를 올리면 숫자가 보입니다.',
    "sentiment.why_strongest": '가장 중요했던 단어: "{word}". 이 단어가 있으면 "{label}" 확률이 {p}, 없으면 {q}입니다.',
    "sentiment.effect_axis": "P({label}) 변화 (%p)",
    "sentiment.effect_tip": "이 단어가 없으면: {label} {p} ({delta}%p)",
    "sentiment.race.title": "GloVe에서 출발하면 도움이 될까?",
    "sentiment.race.intro": "한 번 누르면 사이드바의 설정으로 두 번, 차례로 학습합니다: 한 번은 모든 단어가 무작위 숫자에서, 한 번은 GloVe 벡터에서 출발합니다. 같은 분할, 같은 시드, 나머지는 모두 같습니다. 학습 한 번의 약 두 배가 걸립니다.",
    "sentiment.race.run": "무작위 vs GloVe 경주",
    "sentiment.race.col_vocab": "어휘",
    "sentiment.race.col_glove": "GloVe에서 출발",
    "sentiment.race.verdict": "GloVe에서 출발한 테스트 정확도: **{glove}**, 무작위 숫자에서 출발: **{random}** ({diff}%p).",
    "sentiment.race.caveat": "시드 하나의 결과입니다. 다른 시드로 다시 경주해 차이 중 얼마가 우연인지 보세요.",
    "sentiment.race.vocab_note": "GloVe를 쓰면 학습에서 한 번만 나온 단어도 벡터가 있으면 자기 id를 받으므로, 그쪽 어휘가 더 큽니다.",
    "sentiment.race.projection_note": "GloVe 벡터는 숫자 {vectors}개입니다. 임베딩 크기가 {dim}이면 학습되는 투영이 이를 모델의 크기로 바꾸므로, GloVe 쪽의 파라미터가 더 많습니다.",
    "sentiment.race.no_glove": "여기서는 GloVe 벡터를 쓸 수 없어 (페이지 위의 안내 참고) 두 경주 모두 무작위로 출발하게 됩니다.",
    "sentiment.race.wait_for_run": "위의 학습이 끝나면 경주를 시작할 수 있습니다.",
    "sentiment.race.stale": "이 결과는 다른 설정으로 한 경주입니다. 지금 설정을 비교하려면 다시 경주하세요.",
    "baseline.tfidf_logreg": "TF-IDF + 로지스틱 회귀",
    "page.translation.title": "장난감 번역",
    "page.translation.intro": "짧은 영어 문장을 한국어로 번역합니다. 한국어는 동사가 맨 뒤에 오고, 주어와 목적어를 명사의 마지막 소리에 따라 모양이 바뀌는 조사로 표시하므로, 모델은 단어 순서를 바꾸고 알맞은 원문 단어를 다시 봐야 합니다. 어텐션 없는 Seq2Seq, 어텐션 있는 Seq2Seq, 트랜스포머를 모두 해 보세요.",
    "translation.preview_caption": "학습 {train}쌍, 검증 {val}쌍, 테스트 {test}쌍; 어휘는 영어 {src}개, 한국어 {tgt}개 (특수 토큰 4개 포함).",
    "translation.source": "원문",
    "translation.reference": "정답",
    "translation.output": "모델 출력",
    "translation.samples": "테스트 문장",
    "translation.by_length": "문장 길이별 품질",
    "translation.by_length_caption": "테스트 문장을 원문 단어 수로 묶어 본 완전 일치와 BLEU (괄호 안은 문장 수). 어텐션이 없으면 긴 문장에서 가장 많이 떨어집니다.",
    "translation.src_words": "원문 단어 수",
    "translation.your_sentence": "내 문장 (영어)",
    "translation.default_sentence": "the cat eats the fish",
    "translation.beam_width": "빔 너비",
    "translation.length_penalty": "길이 페널티 α",
    "translation.lp_help": "GNMT의 길이 페널티: 점수를 ((5 + 길이) / 6)^α로 나눕니다. 0이면 로그 확률 그대로 순위를 매기고(짧은 출력이 유리), α가 클수록 긴 출력이 유리합니다.",
    "translation.greedy": "탐욕 탐색",
    "translation.beam": "빔 서치 (k = {k})",
    "translation.hypothesis": "후보",
    "translation.score": "점수",
    "translation.unknown": "모델이 본 적 없는 단어 (<unk>로 읽음): {words}",
    "translation.dropped": "모델은 단어만 읽으므로 뺀 것: {words}",
    "translation.truncated": "학습 문장보다 긴 문장이라 잘렸습니다.",
    "translation.reversed": "이 모델은 원문을 거꾸로 읽습니다 (원문 뒤집기가 켜져 있음).",
    "translation.alignment": "디코더가 본 곳",
    "translation.alignment_caption": "탐욕 디코딩 중의 교차 어텐션: 행은 출력 단어, 열은 원문 단어입니다. 트랜스포머는 마지막 층의 헤드 평균입니다.",
    "translation.no_attention": "이 모델에는 어텐션이 없습니다. 디코더는 컨텍스트 벡터 하나로만 원문을 봅니다. 어텐션 맵을 보려면 아키텍처를 seq2seq-attn이나 transformer로 바꾸세요.",
    "translation.all_maps": "모든 층과 헤드",
    "translation.all_maps_caption": "모델이 만든 번역을 디코더 입력으로 넣고 입력 문장에 다시 돌려서 모든 어텐션 맵을 기록했습니다.",
    "translation.lexicon": "장난감 말뭉치가 아는 단어",
    "page.captioning.title": "이미지 캡션",
    "page.captioning.intro": "입력 하나, 출력 여러 개: 색깔 도형 두 개가 있는 작은 그림이 들어가면 'red circle above blue square' 같은 문장이 한 단어씩 나옵니다. 작은 CNN이 이미지를 벡터 하나(디코더의 첫 상태)로 바꾸고, 디코더는 두 도형과 색, 그리고 서로의 위치 관계를 말해야 합니다.",
    "captioning.preview_caption": "생성된 이미지 {n}개와 캡션 (특수 토큰 포함 단어 {vocab}개). 첫 학습 이미지들:",
    "captioning.samples": "테스트 이미지와 모델의 캡션",
    "captioning.samples_caption": "✓ 캡션이 정확히 맞음, ✗ 틀림.",
    "captioning.mistakes": "틀린 {n}개",
    "captioning.said": "출력",
    "captioning.truth": "정답",
    "captioning.try_caption": "그림을 만들어 보세요: 3 × 3 격자의 두 칸(행, 열)에 물체 두 개. 학습 이미지에서는 두 물체가 항상 같은 행이나 같은 열에 있습니다.",
    "captioning.colour1": "색 1",
    "captioning.shape1": "도형 1",
    "captioning.colour2": "색 2",
    "captioning.shape2": "도형 2",
    "captioning.cell1": "도형 1의 칸",
    "captioning.cell2": "도형 2의 칸",
    "captioning.noise": "잡음",
    "captioning.same_cell": "두 도형을 서로 다른 칸에 두세요.",
    "captioning.same_object": "서로 다른 물체(색이나 도형)를 고르세요.",
    "captioning.model_says": "모델의 캡션",
    "captioning.expected": "이 그림에 대한 과제의 정답 캡션: {caption}",
    "captioning.off_grid": "두 칸이 같은 행이나 열에 있지 않습니다. 모델은 이런 그림을 본 적이 없습니다.",
    "baseline.most common caption": "가장 흔한 캡션",
    "page.long_memory.title": "긴 기억",
    "page.long_memory.intro": "첫 토큰은 키(A, B, C, …)이고, 그 뒤에 무작위 방해 토큰이 잔뜩 오고, 마지막에 물음표가 옵니다: 키가 무엇이었을까요? 방해 토큰을 모두 지나 키를 들고 갈 수 있는 네트워크만 답할 수 있습니다. 기본 RNN은 잊어버립니다. 시간을 거슬러 갈 때마다 그래디언트가 줄어들기 때문입니다. LSTM과 GRU의 게이트는 기억을 지킵니다. 지연을 늘려서 각 모델이 어디서 무너지는지 찾아보세요.",
    "memory.preview_caption": "학습 시퀀스 {train}개, 테스트 시퀀스 {test}개. 테스트 시퀀스 하나:",
    "memory.measuring": "지연마다 정확도를 재는 중…",
    "memory.by_lag": "지연에 따른 정확도",
    "memory.by_lag_caption": "지연마다 새 시퀀스로 잰 값입니다 (모델은 지연 {lag}로 학습). 이 페이지에서 학습하는 모델마다 곡선이 추가되어 기본 RNN과 LSTM, GRU를 비교할 수 있습니다.",
    "memory.chance": "찍기",
    "memory.lag": "지연 (키와 질문 사이의 방해 토큰 수)",
    "memory.accuracy_pct": "정확도 (%)",
    "memory.clear_curves": "이전 곡선 지우기",
    "memory.examples": "테스트 시퀀스",
    "memory.sequence": "시퀀스",
    "memory.key": "키",
    "memory.answer": "모델의 답",
    "memory.try_caption": "키(대문자), 방해 토큰(소문자), 마지막 ?를 공백으로 구분해 쓰세요. 키를 바꾸거나 방해 토큰을 더 넣어서 모델이 여전히 기억하는지 보세요.",
    "memory.your_sequence": "내 시퀀스",
    "memory.model_answer": "모델의 답",
    "memory.length": "토큰 {n}개",
    "memory.probability": "확률",
    "baseline.most frequent key": "가장 흔한 키",
    "baseline.chance": "찍기",
    "nav.word_order": "단어 순서",
    "home.task.word_order": "A가 B보다 앞에 올까? 단어는 같고 순서만 다릅니다: 위치 인코딩이 없는 트랜스포머가 실패하는 시험입니다.",
    "page.word_order.title": "단어 순서",
    "page.word_order.intro": "각 시퀀스에는 채움 문자들 사이에 A 하나와 B 하나가 있습니다. 어느 쪽이 먼저 오는지 말하세요. 두 답은 단어가 완전히 같고 순서만 다르므로, 순서를 못 보는 모델은 찍을 수밖에 없습니다 (50 %). 트랜스포머 인코더를 위치 인코딩 'sinusoidal'로, 그다음 'none'으로 학습해 비교해 보세요. 순환 신경망은 순서대로 읽으므로 위치 인코딩이 필요 없습니다.",
    "order.preview_caption": "테스트 시퀀스와 정답:",
    "order.answer": "정답",
    "order.board": "이 페이지에서 학습한 모든 모델",
    "order.board_caption": "여기서 학습한 각 모델의 테스트 정확도 (아키텍처 · 위치 인코딩). 위치 정보가 없으면 셀프 어텐션과 평균 풀링은 같은 토큰을 어떤 순서로 넣어도 같은 출력을 내므로 50 %에 머뭅니다.",
    "order.try_caption": "A 하나, B 하나, 채움 문자들을 공백으로 구분해 입력하세요. 모델은 A와 B를 맞바꾼 시퀀스에도 답합니다. 두 정답은 서로 반대입니다.",
    "order.swapped": "A와 B를 맞바꿈",
    "order.prob_help": "확률이 가장 높은 클래스.",
    "order.same_answer": "두 순서에 같은 답을 했습니다: 이 모델에는 위치 인코딩이 없어서 ('none') 토큰이 어디에 "
    "있는지 보지 못합니다.",
    "order.same_answer_positions": "두 순서에 같은 답을 했습니다. 이 모델은 토큰의 위치를 볼 수 있는데도 ({how}) 이 "
    "시퀀스에서는 아직 그것을 쓰지 못합니다. 더 오래 학습하고 (에폭 늘리기) 테스트 정확도를 기준선과 비교해 보세요.",
    "order.how.sinusoidal": "사인파 위치 인코딩",
    "order.how.learned": "위치마다 학습되는 벡터",
    "order.how.recurrent": "토큰을 하나씩 차례로 읽음",
    "order.a_first": "A가 먼저",
    "order.b_first": "B가 먼저",
    "baseline.bag of words": "단어 주머니",
    "baseline.most frequent class": "가장 흔한 클래스",
    "field.text_column": "텍스트 열",
    "field.label_column": "레이블 열",
    "field.max_vocab": "최대 어휘 수",
    "field.min_freq": "최소 단어 빈도",
    "field.tokenizer": "토크나이저",
    "field.embedding": "단어 임베딩 초깃값",
    "field.ngrams": "n-그램 가방 경로",
    "field.embedding_lr": "임베딩 학습률 (lr 배수)",
    "field.word_dropout": "단어 드롭아웃",
    "field.vectors_dim": "사전 학습 벡터 크기",
    "field.n_grams": "알려진 n-그램 수",
    "choice.embedding.random": "무작위 숫자",
    "choice.embedding.glove": "GloVe 벡터 (사전 학습)",
    "choice.tokenizer.glove": "GloVe 방식 (does n't)",
    "choice.tokenizer.words": "단어 통째로 (doesn't)",
    "field.n_images": "이미지 수",
    "field.image_size": "이미지 크기",
    "field.noise": "픽셀 잡음",
    "field.n_symbols": "키 개수",
    "field.lag": "지연",
    "field.n_noise": "채움 문자 수",
    "field.curriculum": "커리큘럼",
    "field.n_train": "학습 시퀀스 수",
    "field.length": "시퀀스 길이",
}

# Korean help for every config field (the English help is the field's own help in core/).
# Keys: help.<section>.<field>, or help.<page>.<section>.<field> where a task page means it its own way.
KO_HELP: dict[str, str] = {
    "help.model.attention": (
        "디코더가 원문을 읽는 방법: 'none'은 컨텍스트 벡터 하나로만, 'bahdanau'는 셀 앞에서 이전 디코더 "
        "상태로 계산하는 덧셈(additive) 어텐션, 'luong'은 셀 뒤에서 새 디코더 상태로 계산하는 곱셈('general') 어텐션."
    ),
    "help.model.bidirectional": (
        "두 번째 가중치로 시퀀스를 거꾸로도 읽고 두 방향을 이어 붙입니다. 모든 시점이 과거와 미래를 함께 봅니다."
    ),
    "help.model.bidirectional_encoder": (
        "원문을 양방향으로 읽어 각 인코더 상태가 앞뒤 단어를 모두 압니다. 두 방향의 마지막 상태는 "
        "학습되는 연결층을 거쳐 디코더의 첫 상태가 됩니다."
    ),
    "help.model.cell": "순환 셀: 기본 RNN (tanh), LSTM (입력·망각·출력 게이트와 기억 셀), GRU (리셋·업데이트 게이트).",
    "help.model.d_ff": "위치별 피드포워드 신경망의 안쪽 크기 (논문은 d_model의 4배).",
    "help.model.d_model": "모델 안에서 모든 토큰 벡터의 크기 (d_model). 헤드 수로 나누어떨어져야 합니다.",
    "help.model.dropout": "학습 중 활성값을 0으로 만드는 확률. 작은 데이터에서 과적합을 줄입니다 (순환 연결에는 쓰지 않음).",
    "help.model.embed_dim": "각 입력 단계(토큰 또는 숫자)가 순환층에 들어가기 전에 바뀌는 벡터의 크기.",
    "help.model.encoder": (
        "이미지 인코더: 'cnn'은 풀링이 있는 작은 합성곱 층 세 개 (위치와 상관없이 국소 패턴을 봄), "
        "'mlp'는 픽셀을 펼쳐 두 층 퍼셉트론에 넣습니다."
    ),
    "help.model.explicit": (
        "PyTorch의 융합 커널 대신 한 단계씩 계산하는 셀로 학습합니다. 결과는 같고 더 느립니다. "
        "게이트는 어느 쪽이든 볼 수 있습니다."
    ),
    "help.model.hidden_size": (
        "은닉 상태 h_t의 크기: 매 시점 네트워크가 기억할 수 있는 양. 어텐션 없는 Seq2Seq에서는 "
        "원문 전체를 담아야 하는 컨텍스트 벡터의 크기이기도 합니다."
    ),
    "help.model.image_channels": "입력 이미지의 색 채널 수 (1 = 흑백, 3 = RGB).",
    "help.model.image_size": "정사각형 입력 이미지의 가로·세로 픽셀 수.",
    "help.model.in_features": "입력이 숫자일 때 시점마다 들어가는 숫자 개수 (데이터에서 정해짐).",
    "help.model.max_len": "위치 표가 다루는 가장 긴 시퀀스 길이 (데이터에서 정해짐).",
    "help.model.n_dec_layers": "쌓아 올린 디코더 층의 수 (논문: 6).",
    "help.model.n_enc_layers": "쌓아 올린 인코더 층의 수 (논문: 6).",
    "help.model.n_heads": "층마다 어텐션 헤드의 수. 헤드마다 d_model/헤드 수 크기의 Q, K, V 투영을 따로 씁니다.",
    "help.model.n_layers": "쌓아 올린 인코더 층의 수.",
    "help.model.n_out": "출력의 수: 고를 클래스 수, 또는 예측할 미래 값의 수 (데이터에서 정해짐).",
    "help.model.norm": (
        "LayerNorm의 위치: 'post'는 논문처럼 LayerNorm(x + Sublayer(x)), 'pre'는 x + Sublayer(LayerNorm(x))로 "
        "학습률 워밍업 없이도 잘 학습됩니다."
    ),
    "help.model.num_layers": "쌓아 올린 순환층의 수. 각 층은 아래 층의 은닉 상태를 입력으로 읽습니다.",
    "help.model.pooling": (
        "시퀀스를 출력용 벡터 하나로 줄이는 방법: 마지막 상태(또는 마지막 토큰), 실제 스텝의 평균, "
        "단위마다 모든 스텝 중 가장 큰 값(max, 순환망: 어디에 있든 결정적인 단어가 답을 정할 수 있음), "
        "또는 첫 토큰(트랜스포머)."
    ),
    "help.model.vectors_dim": "임베딩이 시작하는 사전 학습 단어 벡터의 크기 (데이터에서 정해짐). 0이면 무작위 임베딩입니다.",
    "help.model.word_dropout": "학습 중에 입력 단어를 이 확률로 <unk>로 바꿉니다. 모델이 단어 하나에 기대지 못하게 합니다 (토큰 입력만).",
    "help.model.n_grams": "n-그램 가방 경로가 아는 단어와 단어 쌍의 수 (데이터에서 정해짐). 0이면 이 경로가 없습니다.",
    "help.train.embedding_lr": (
        "단어 임베딩의 학습률을 lr의 배수로: 1 = 모델의 나머지와 같게, 1보다 작으면 사전 학습 벡터를 "
        "처음 자리 가까이에 두고, 0이면 얼립니다."
    ),
    "help.model.pos_encoding": "위치를 알려 주는 방법: 고정된 사인/코사인 파동, 위치마다 학습되는 벡터, 또는 없음.",
    "help.model.readout": (
        "다대일('last': 마지막 상태에서 출력 하나, 예: 리뷰마다 클래스 하나) 또는 다대다('each': 시점마다 출력)."
    ),
    "help.model.src_vocab_size": "원문 어휘의 토큰 id 수 (특수 토큰 4개 포함, 데이터에서 정해짐).",
    "help.model.tgt_vocab_size": "목표 어휘의 토큰 id 수 (특수 토큰 4개 포함, 데이터에서 정해짐).",
    "help.model.tie_embeddings": (
        "목표 임베딩과 출력층이 행렬 하나를 함께 씁니다 (두 어휘 크기가 같으면 원문 임베딩도). 논문 3.4절과 같습니다."
    ),
    "help.model.vocab_size": "입력 어휘 크기 (데이터에서 정해짐). 0이면 입력이 숫자입니다.",
    "help.task.clauses": (
        "장난감 문장 쌍마다 'and'로 잇는 문장 수. 2나 3이면 입력이 15~45단어가 되어, 컨텍스트 벡터 하나에 "
        "모든 것을 담아야 하는 어텐션 없는 Seq2Seq가 뒤처집니다."
    ),
    "help.task.corpus": (
        "학습할 문장 쌍: 'toy-en-ko'는 엄격한 규칙으로 만든 영어→한국어 (100 %까지 학습 가능), "
        "'emoji-en-ko' / 'emoji-en-fr'는 사람이 번역한 실제 이모지 이름 약 4,000개 (Unicode CLDR)로 훨씬 어렵습니다."
    ),
    "help.task.curriculum": (
        "학습 시퀀스의 간격을 1..lag에서 뽑습니다. 짧은 것이 먼저 키를 저장하는 법을, 긴 것이 그것을 지키는 법을 "
        "가르칩니다. 검증과 테스트는 항상 전체 간격입니다. 끄면 모든 학습 시퀀스가 전체 간격이고, "
        "학습 신호가 그 간격을 통째로 건너야 합니다."
    ),
    "help.task.date_column": "업로드: 날짜가 든 열의 이름.",
    "help.task.end": "마지막 날짜 (YYYY-MM-DD). 비우면 가능한 마지막 날까지.",
    "help.task.features": (
        "모델이 매일 읽는 값: 종가만, 또는 시가·고가·저가·종가·거래량. 업로드는 항상 값 열 하나를 씁니다."
    ),
    "help.task.horizon": "한 번에 예측하는 미래 일수.",
    "help.task.image_size": "이미지의 가로·세로 픽셀 수 (3 x 3 칸 격자).",
    "help.task.label_column": "업로드: 레이블이 든 열의 이름.",
    "help.task.lag": "키와 질의 사이의 방해 토큰 수: 키를 얼마나 오래 기억해야 하는지.",
    "help.task.length": "시퀀스당 토큰 수: A 하나, B 하나, 그리고 length - 2개의 채움 토큰.",
    "help.task.lookback": "예측 한 번에 모델이 읽는 과거 일수 (윈도 길이).",
    "help.task.ma_window": "이동평균 기준선이 평균 내는 일수 (예측 = 최근 k일의 평균).",
    "help.task.max_len": "이 단어 수보다 긴 시퀀스는 잘리거나 빠집니다.",
    "help.sentiment.task.max_len": "리뷰의 최대 단어 수. 더 긴 리뷰는 잘립니다. 대부분의 스니펫은 35단어 미만입니다.",
    "help.translation.task.max_len": "원문이나 번역문이 이 단어 수보다 긴 쌍은 뺍니다.",
    "help.task.max_vocab": "최대 어휘 크기: 학습 데이터에서 가장 흔한 단어만 id를 받고 나머지는 <unk>가 됩니다.",
    "help.task.min_freq": (
        "단어가 자기 id를 받으려면 학습 텍스트에 이만큼 나와야 합니다. 더 드문 단어는 <unk>가 됩니다 "
        "(2로 하면 어휘가 절반이 되어 더 빨리 학습하고 과적합이 줄어듭니다)."
    ),
    "help.task.tokenizer": (
        "리뷰를 단어로 나누는 방법: 'glove'는 GloVe 벡터를 만든 텍스트처럼 축약형을 나눕니다 "
        '("doesn\'t" -> "does" "n\'t") 그래야 벡터를 찾을 수 있습니다. \'words\'는 통째로 둡니다.'
    ),
    "help.task.embedding": (
        "각 단어 벡터의 출발점: 학습 리뷰만으로 모양을 잡아야 하는 무작위 숫자, 또는 60억 단어의 텍스트에서 "
        "미리 배운 단어당 50개의 숫자인 GloVe (비슷한 단어가 처음부터 가까이 있음: 전이 학습)."
    ),
    "help.task.ngrams": (
        'n-그램 가방 경로를 더합니다: 학습에서 본 단어와 단어 쌍("not funny")마다 배운 표 하나가, '
        "리뷰 어디에 있든 신경망의 답에 더해집니다."
    ),
    "help.task.n_images": "생성하는 서로 다른 이미지 수 (학습·검증·테스트로 80/10/10 분할).",
    "help.task.n_noise": "A와 B를 둘러싼 채움(방해) 토큰 알파벳의 크기 (a, b, c, ...).",
    "help.task.n_pairs": "생성하는 서로 다른 문장 쌍의 수 (장난감 말뭉치만; 학습·검증·테스트로 80/10/10 분할).",
    "help.task.n_symbols": "기억할 키의 종류 수 (A, B, C, ...). 찍으면 1 / n_symbols를 맞힙니다.",
    "help.task.n_train": "학습 시퀀스 수 (검증용과 테스트용은 따로 만듭니다).",
    "help.task.noise": "모든 픽셀에 더하는 무작위 잡음의 표준편차 (0 = 깨끗한 이미지).",
    "help.task.reverse_source": (
        "원문을 거꾸로 넣습니다 (Sutskever et al. 2014). 원문의 첫 단어들이 번역의 첫 단어들과 가까워져 "
        "어텐션 없는 Seq2Seq에 도움이 됩니다."
    ),
    "help.task.source": "데이터 출처: 앱에 들어 있는 데이터(오프라인) 또는 업로드한 CSV.",
    "help.stock.task.source": (
        "주가의 출처: 앱에 들어 있는 주가 (오프라인, 2000-2013), Yahoo Finance (인터넷 필요), 또는 업로드한 CSV."
    ),
    "help.sentiment.task.source": "앱에 들어 있는 리뷰 (Rotten Tomatoes 스니펫, fresh/rotten) 또는 업로드한 CSV.",
    "help.task.start": "첫 날짜 (YYYY-MM-DD). 비우면 가능한 첫날부터.",
    "help.task.target": (
        "모델이 예측하는 값: (표준화한) 가격 자체, 또는 일간 로그 수익률 log(p_t / p_{t-1})이며 수익률에서 "
        "가격을 다시 만듭니다. 가격은 학습 때 본 범위를 크게 벗어나지만 수익률은 그렇지 않습니다."
    ),
    "help.task.test_frac": "최종 테스트용으로 남기는 비율.",
    "help.stock.task.test_frac": "최종 테스트용으로 남기는 날의 비율 (가장 최근의 날들).",
    "help.task.text_column": "업로드: 텍스트가 든 열의 이름.",
    "help.task.ticker": "종목 코드. 오프라인: AAPL, GOOG, IBM, MSFT, FB 중 하나. Yahoo Finance: 아무 종목.",
    "help.task.val_frac": "검증에 쓰는 비율.",
    "help.stock.task.val_frac": "검증에 쓰는 날의 비율 (학습 기간 다음의 날들).",
    "help.task.value_column": "업로드: 가격이 든 열의 이름.",
    "help.train.amp": "혼합 정밀도 (CUDA에서만).",
    "help.train.early_stopping": "검증 지표가 이만큼의 에폭 동안 나아지지 않으면 멈춥니다 (0 = 끔).",
    "help.train.stop_at_target": "에폭이 끝날 때마다 검증 지표를 보고, 과제의 목표에 닿으면 바로 멈춥니다. "
    "모델이 보여 줄 것을 다 보여 주면 기다리지 않아도 됩니다.",
    "help.train.bucket_by_length": "길이가 비슷한 문장끼리 한 배치로 묶고, 배치마다 쓰지 않는 패딩 칸을 잘라 냅니다. "
    "모델은 같고, 계산하는 빈 칸이 훨씬 줄어듭니다.",
    "help.train.label_smoothing": "교차 엔트로피의 레이블 스무딩 (논문: 0.1).",
    "help.train.max_params": "파라미터가 이보다 많은 모델은 거절합니다 (0 = 제한 없음).",
    "help.train.max_seconds": "이 시간(초)이 지나면 멈춥니다 (0 = 제한 없음).",
    "help.train.warmup_steps": "논문(5.3절)의 Transformer 스케줄: 선형 워밍업 뒤 1/sqrt(step). 0이면 학습률 고정.",
    "help.train.weight_decay": "L2 벌점 (AdamW에서는 분리된 가중치 감쇠).",
    "field.image_channels": "이미지 채널 수",
    "field.in_features": "입력 특성 수",
    "field.n_out": "출력 수",
    "field.src_vocab_size": "원문 어휘 크기",
    "field.tgt_vocab_size": "목표 어휘 크기",
    "field.vocab_size": "어휘 크기",
}
KO.update(KO_HELP)

STRINGS: dict[str, dict[str, str]] = {"en": EN, "ko": KO}


def register(lang: str, strings: dict[str, str]) -> None:
    """Add strings (used by view modules that keep their own texts next to their code)."""
    STRINGS.setdefault(lang, {}).update(strings)


LOCALES = Path(__file__).parent / "locales"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_flatten(value, key + "."))
        else:
            out[key] = str(value)
    return out


def load_locales(root: Path = LOCALES) -> None:
    """Register every ``locales/<lang>/*.toml``: plain data files a translator edits without Python.

    A TOML table is a key prefix: ``[course.rnn]`` then ``title = "..."`` is the key
    ``course.rnn.title``."""
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("*.toml")):
            with f.open("rb") as fh:
                register(folder.name, _flatten(tomllib.load(fh)))


load_locales()


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang", "en")
    except Exception:  # noqa: BLE001 - outside a script run
        return "en"
    return lang if lang in STRINGS else "en"


def t(key: str, default: str | None = None, **values: Any) -> str:
    lang = current_lang()
    text = STRINGS.get(lang, {}).get(key)
    if text is None:
        text = EN.get(key)
    if text is None:
        text = default if default is not None else key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def tn(key: str, count: int, default: str | None = None, **values: Any) -> str:
    """:func:`t` for a string about ``count`` things: the form ``key.one`` when count is 1 and the
    language has one (English: "1 epoch"), else ``key`` ("{n} epochs"; Korean has no plural form).
    ``n`` is ``count`` unless given (e.g. formatted as "1,234")."""
    values.setdefault("n", count)
    if count == 1 and f"{key}.one" in STRINGS.get(current_lang(), {}):
        return t(f"{key}.one", default, **values)
    return t(key, default, **values)


def humanize(name: str) -> str:
    s = name.replace("_", " ").strip()
    return s[:1].upper() + s[1:]


def field_label(name: str) -> str:
    return t(f"field.{name}", default=humanize(name))


def field_help(section: str, name: str, fallback: str, page: str = "") -> str:
    """Help of a config field in the current language: the page's own text where a task means the
    field its own way (help.<page>.<section>.<field>), else the shared one, else core's English."""
    if page and current_lang() != "en":
        own = STRINGS.get(current_lang(), {}).get(f"help.{page}.{section}.{name}")
        if own is not None:
            return own
    return t(f"help.{section}.{name}", default=fallback)


def choice_label(name: str, value: Any) -> str:
    return t(f"choice.{name}.{value}", default=str(value))
