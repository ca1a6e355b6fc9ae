"""UI strings of the insight pages (English and Korean), registered with :mod:`playground.i18n`
on import. Keys start with ``ins.`` (plus the pages' navigation titles ``nav.<page>``)."""

from __future__ import annotations

from playground.i18n import register

EN: dict[str, str] = {
    # ---- navigation
    "nav.attention_steps": "Self-attention, step by step",
    "nav.positional": "Positional encoding",
    "nav.memory": "Memory & vanishing gradients",
    "nav.compare": "Compare architectures",
    "nav.decoding": "Decoding lab",
    "nav.embeddings": "Word embeddings",
    # ---- shared
    "ins.common.value": "value",
    "ins.common.weight": "weight",
    "ins.common.budget": "Time budget per model (s)",
    "ins.common.budget_help": "Each model trains until its epochs are done or this many seconds have "
    "passed, whichever comes first. Every model gets the same budget.",
    "ins.common.building": "Preparing the data and building the models…",
    "ins.common.measuring": "Measuring…",
    "ins.common.lane_starting": "Starting {lane}…",
    "ins.common.progress": "{lane} ({i}/{n}) · epoch {epoch} · loss {loss} · {elapsed}",
    "ins.common.stopped": "Stopped. The models trained so far are shown.",
    "ins.common.done": "All models trained.",
    "ins.common.done_one": "Training finished.",
    "ins.common.budget_hit": "The time budget decided this result: {lanes} stopped at {seconds} s, before "
    "finishing its epochs or reaching the target, so its result is not final. Raise the time budget per "
    "model and run again to see what it can do.",
    "ins.common.diverged": "Training diverged for: {lanes} (lower the learning rate or clip the gradient).",
    "ins.common.x_axis": "Horizontal axis",
    "ins.common.x.step": "optimiser steps",
    "ins.common.x.seconds": "seconds",
    "ins.common.seconds": "seconds of training",
    "ins.common.train_loss": "training loss (moving average)",
    "ins.common.log_y": "Log scale",
    "ins.col.lane": "model",
    "ins.col.metric": "test {metric}",
    "ins.col.params": "parameters",
    "ins.col.seconds": "seconds",
    "ins.col.steps": "steps",
    "ins.col.tokens_s": "tokens/s",
    "ins.col.final_loss": "last loss",
    "ins.col.reason": "ended by",
    "ins.reason.done": "all epochs",
    "ins.reason.stopped": "Stop",
    "ins.reason.time_budget": "time budget",
    "ins.reason.diverged": "divergence",
    "ins.reason.early_stopping": "early stopping",
    "ins.reason.target": "target reached",
    "ins.task.stock": "Stock forecast",
    "ins.task.sentiment": "Review sentiment",
    "ins.task.translation": "Toy translation",
    "ins.task.long-memory": "Long memory",
    "ins.task.word-order": "Word order",
    "ins.task.captioning": "Image captioning",
    # ---- timelines (snapshots per epoch)
    "ins.tl.epoch": "After epoch",
    "ins.tl.one_epoch": "One snapshot, after epoch {epoch}.",
    "ins.tl.no_snapshots": "No attention snapshots were recorded for this model (train with snapshots on).",
    "ins.tl.no_gates": "No gate snapshots were recorded for this model.",
    "ins.tl.sharpness": "mean largest weight",
    "ins.tl.sharpness_caption": "For each output word, the largest attention weight, averaged: 1 means "
    "every word looks at exactly one source word. It rises as the alignment forms.",
    # ---- 1. self-attention step by step
    "ins.attention_steps.title": "Self-attention, step by step",
    "ins.attention_steps.intro": "Type a sentence and follow one self-attention layer through every "
    "number it computes: the words become vectors, each vector asks a question (query), offers a "
    "label (key) and carries content (value); comparing questions with labels decides how much of "
    "each word's content every word takes in. The numbers come from the same attention module the "
    "Transformers on the other pages train with. Hover over any cell to read its value.",
    "ins.att.source": "Weights",
    "ins.att.source.fresh": "fresh, random (seeded)",
    "ins.att.source.translation": "trained: translation ({arch})",
    "ins.att.source.sentiment": "trained: sentiment ({arch})",
    "ins.att.source.word_order": "trained: word order ({arch})",
    "ins.att.source_help": "A freshly initialised layer shows the mechanics; a Transformer you trained "
    "on a task page in this session shows what it learned (its first encoder layer).",
    "ins.att.d_model_help": "Size of every word vector. The paper uses 512.",
    "ins.att.heads_help": "Each head gets d_model / heads dimensions (d_k). The paper: 8 heads of 64.",
    "ins.att.trained_sizes": "The sizes (d_model, heads) and the positional encoding are those of the trained model.",
    "ins.att.sentence": "Sentence",
    "ins.att.sentence_help": "Split into words and punctuation. A fresh model gives every distinct word "
    "its own random embedding; a trained model uses its vocabulary (unknown words become <unk>).",
    "ins.att.empty": "Type at least one word.",
    "ins.att.too_long": "At most {n} words, so that the matrices stay readable.",
    "ins.att.using_trained": "Using the **{arch}** trained on the {page} page in this session.",
    "ins.att.sizes": "**T = {T}** tokens · **d_model = {D}** · **h = {h}** heads · **d_k = d_model / h = "
    "{d_k}** · √d_k = {sqrt}",
    "ins.att.dims_shown": "Dimensions shown",
    "ins.att.dims_help": "The vectors have {d} dimensions; the wide matrices show the first ones only. "
    "Every number is still computed in full.",
    "ins.att.s1": "Words become vectors",
    "ins.att.s1_explain": "Each word is looked up in the embedding table and multiplied by √d_model "
    "(= {scale}), then the positional encoding of its position is added, so the same word at two "
    "places gets two different vectors. One row per word, {D} columns.",
    "ins.att.m.embedding": "Embedding × √d_model",
    "ins.att.m.positional": "Positional encoding",
    "ins.att.m.attn_input": "LayerNorm(X): what attention reads in a pre-norm layer",
    "ins.att.m.output": "Output of the attention layer",
    "ins.att.m.weights": "attention weights (each row sums to 1)",
    "ins.att.s2": "Queries, keys and values",
    "ins.att.s2_explain": "Three learned matrices project every {D}-dimensional row of X to {d_k} "
    "dimensions per head: Q (what this word is looking for), K (what it offers to be found by) and "
    "V (what it passes on). There are {h} heads, each with its own W_Q, W_K, W_V; choose one.",
    "ins.att.head": "Head",
    "ins.att.weights_expander": "The projection matrices W_Q, W_K, W_V of this head ({d} × {d_k}, transposed)",
    "ins.att.weights_caption": "Rows are the head's output dimensions, columns the input dimensions "
    "(first ones only). Fresh weights are random; trained ones encode what the model learned to ask.",
    "ins.att.s3": "Scores, scaling and softmax",
    "ins.att.s3_explain": "Every query is compared with every key by a dot product: row i, column j of "
    "Q Kᵀ says how well word i's question matches word j's label. The scores are divided by √d_k = "
    "{sqrt} (d_k = {d_k}): a dot product of d_k terms grows with d_k, and without the division the "
    "softmax would saturate and pass almost no gradient. Softmax then turns each row into weights "
    "that are positive and sum to 1.",
    "ins.att.follow": "Follow one query",
    "ins.att.follow_caption": "The row of “{token}”: its dot product with every key, the same divided "
    "by √d_k, and the softmax of that row.",
    "ins.att.col.key": "key",
    "ins.att.s4": "Mixing the values: Z = weights × V",
    "ins.att.s4_explain": "Each word's new vector is the weighted average of all value vectors, with "
    "the weights of its row: a word that puts weight 0.9 on “cat” becomes mostly cat's value. "
    "Z has one row per word and d_k = {d_k} columns.",
    "ins.att.s5": "Every head, joined and projected",
    "ins.att.s5_explain": "The {h} heads run side by side, each with its own weights, so each can look "
    "for a different relation. Their outputs (each {d_k} wide) are put next to each other into one "
    "{D}-wide row per word and multiplied by W_O, which mixes what the heads found.",
    "ins.att.wo_expander": "The output projection W_O ({D} × {D})",
    "ins.att.after": "In a full Transformer layer this output is added to X (residual connection), "
    "normalised (LayerNorm) and passed through the position-wise feed-forward network.",
    # ---- 2. positional encoding
    "ins.positional.title": "Positional encoding",
    "ins.positional.intro": "Self-attention compares every word with every word and does not care "
    "where they are: shuffle the sentence and each word gets the same result. A Transformer therefore "
    "adds a position signal to each word vector. Here is the sinusoidal one of the paper, what makes "
    "it useful, and an experiment that trains the same model with and without it.",
    "ins.pos.table_settings": "Encoding table",
    "ins.pos.positions": "Positions",
    "ins.pos.s1": "The table: one row per position",
    "ins.pos.s1_explain": "Each position gets a vector of d_model = {D} numbers. Column pairs (2i, 2i+1) "
    "are a sine and a cosine of the same frequency; the frequency falls from column to column, so the "
    "first columns change quickly with the position and the last ones very slowly, like the hands of "
    "a clock.",
    "ins.pos.s2": "The waves",
    "ins.pos.s2_explain": "Every column is a wave over the positions; its wavelength grows "
    "geometrically from 2π to 10000 · 2π. Because sin(a + b) and cos(a + b) are fixed combinations of "
    "sin(a) and cos(a), the encoding of position p + k is a linear function of the encoding of p: "
    "attention can learn to look “k words back”.",
    "ins.pos.dims": "Dimensions",
    "ins.pos.curve_name": "dim {d} ({kind}, wavelength {wl})",
    "ins.pos.s3": "How alike two positions look",
    "ins.pos.s3_explain": "The dot product PE_i · PE_j for every pair of positions. It is largest on the "
    "diagonal (always {half}: one sin² + cos² = 1 per column pair), depends only on the distance "
    "|i − j| (the stripes are parallel to the diagonal), and falls off with distance: near positions "
    "look alike, far ones do not.",
    "ins.pos.cosine": "Cosine similarity",
    "ins.pos.cosine_help": "Divide by both vectors' lengths: 1 on the diagonal.",
    "ins.pos.similarity": "similarity",
    "ins.pos.s4": "The ablation: sinusoidal, learned, none",
    "ins.pos.s4_explain": "The word-order task asks whether A comes before B among filler letters. Both "
    "answers contain exactly the same tokens, so without positions the encoder sees the same bag of "
    "words for both and can only guess. Train the same Transformer encoder three times, with the same "
    "data, seed and time budget: with sinusoidal positions, with a learned vector per position, and "
    "with none.",
    "ins.pos.ablation_settings": "Ablation",
    "ins.pos.run": "Run the ablation",
    "ins.pos.press_run": "Press **Run the ablation**: three small models train one after the other "
    "(about half a minute each) and their curves appear here as they learn.",
    "ins.pos.kind.sinusoidal": "sinusoidal",
    "ins.pos.kind.learned": "learned",
    "ins.pos.kind.none": "none",
    "ins.pos.chance": "chance",
    "ins.pos.learned_title": "What the learned encoding became",
    "ins.pos.learned_caption": "Cosine similarity of the learned position vectors after training. It "
    "started random; any structure here was learned from the task alone.",
    # ---- 3. memory and vanishing gradients
    "ins.memory.title": "Memory and vanishing gradients",
    "ins.memory.intro": "A key (A, B, C…) comes first, then many distractor letters, then a question "
    "mark: which key was it? Train a vanilla RNN, an LSTM and a GRU on the same data, with the same "
    "seed and time budget, and measure how much training signal reaches each time step.",
    "ins.mem.why": "Why the gradient vanishes, and why gates help",
    "ins.mem.why_body": "Backpropagation through time sends the error from the last step back to every "
    "earlier one. In a vanilla RNN, each step back multiplies it by the recurrent weights and by the "
    "derivative of tanh (at most 1): if these shrink it a little each time, after 50 steps almost "
    "nothing is left, and the network cannot learn that the first token matters.\n\n"
    "An LSTM keeps a cell state C_t that is updated by addition, $C_t = f_t \\odot C_{t-1} + i_t \\odot \\tilde C_t$: "
    "where the forget gate f is close to 1, the gradient flows back through C almost unchanged. A GRU "
    "does the same with its update gate z. At initialisation the gates are not set yet, so all three "
    "lose the gradient; training opens the LSTM's and GRU's gates and keeps it alive, while the RNN "
    "has no such path.\n\n"
    "Gradient clipping rescales a gradient whose norm is above the threshold: it stops explosions, "
    "but it cannot make a vanished gradient larger.",
    "ins.mem.cells": "Cells",
    "ins.mem.lag_help": "Distractors between the key and the question mark. Training sequences use "
    "lags from 1 up to this one (curriculum); testing always uses the full lag.",
    "ins.mem.clip_help": "Scale the gradient down when its norm exceeds this value (TrainConfig.clip).",
    "ins.mem.clip_off": "off",
    "ins.mem.run": "Train and measure",
    "ins.mem.press_run": "Press **Train and measure**: the cells train one after the other; after each "
    "one finishes, its gradients are measured again, with its accuracy at every lag.",
    "ins.mem.training": "Training",
    "ins.mem.at_init": "Before any training",
    "ins.mem.at_init_caption": "‖∂L/∂h_t‖ of the freshly initialised cells (same seed as the training "
    "below), averaged over {n} test sequences, log scale. The key is at step 0, the question at the "
    "end: the further back a step, the less of the error reaches it.",
    "ins.mem.col.before": "‖∂L/∂h₀‖ / ‖∂L/∂h_T‖ at init",
    "ins.mem.col.after": "… after training",
    "ins.mem.ratio_caption": "The last two columns: the share of the gradient at the last step that "
    "reaches the first step (where the key is), before and after training. 1e-10 means nothing arrives.",
    "ins.mem.grads": "Gradient reaching each time step",
    "ins.mem.grads_explain": "‖∂L/∂h_t‖: how strongly the loss reacts to the hidden state at step t, "
    "averaged over test sequences (log scale). The key is at step 0, the question at the end. Dotted: "
    "at initialisation; solid: after training. A curve that drops towards step 0 is a vanishing "
    "gradient.",
    "ins.mem.before": "init",
    "ins.mem.after": "trained",
    "ins.mem.time_step": "time step t (0 = the key)",
    "ins.mem.relative": "Relative to the last step",
    "ins.mem.relative_help": "Divide each curve by its value at the last step, to compare the decay alone.",
    "ins.mem.grad_rel": "‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖",
    "ins.mem.by_lag": "How far back each cell remembers",
    "ins.mem.by_lag_caption": "Test accuracy on fresh sequences at each lag, after training (128 "
    "sequences per lag). Dotted: guessing.",
    "ins.mem.trained_lag": "trained lag",
    "ins.mem.gates": "Inside the cells, epoch by epoch",
    "ins.mem.gates_caption": "The gates on one test sequence after each epoch (first units). Scrub "
    "through the epochs: in a cell that remembers, the forget gate f (LSTM) stays near 1, or the update "
    "gate z (GRU) near 1, across the distractors.",
    "ins.mem.cell": "Cell",
    # ---- 5. decoding lab
    "ins.decoding.title": "Decoding lab",
    "ins.decoding.intro": "A translation model gives, at each step, a probability for every next word. "
    "Greedy decoding takes the most probable word each time; beam search keeps the k most probable "
    "partial sentences and can find a better whole sentence that starts with a less probable word. "
    "Compare the two on your own sentence.",
    "ins.dec.train_header": "Train a small model here",
    "ins.dec.train_title": "A model to decode with",
    "ins.dec.train_caption": "Uses the model trained on the translation page in this session (or loaded "
    "there). Or train a small one here; it records the attention after every epoch.",
    "ins.dec.train": "Train a small model",
    "ins.dec.n_pairs_help": "Sentence pairs of the toy English → Korean corpus (80 % for training). "
    "Fewer pairs train faster per epoch, so the alignment can be watched forming over more epochs.",
    "ins.dec.training_curves": "Training curves",
    "ins.dec.no_model": "No translation model yet: train one on the translation page, or press **Train "
    "a small model** above.",
    "ins.dec.model": "Model",
    "ins.dec.model.page": "trained on the translation page ({arch})",
    "ins.dec.model.file": "loaded on the translation page ({arch})",
    "ins.dec.model.lab": "trained here ({arch})",
    "ins.dec.alpha_help": "α of GNMT's length penalty lp(Y) = ((5 + |Y|) / 6)^α. A log-probability only "
    "falls as a sentence grows, so α = 0 favours short outputs; larger α favours longer ones.",
    "ins.dec.scored": "log P = {logp} · score = {score}",
    "ins.dec.differ": "Beam search chose a different sentence than greedy decoding: it keeps several "
    "candidates alive, so it can end with a better-scoring sentence whose start was not the single most "
    "probable choice. Compare the scores.",
    "ins.dec.differ_worse": "Beam search chose a different sentence, and here it scores lower than "
    "greedy's: beam search is a heuristic too. It keeps only k candidates and stops once k have "
    "finished, so the greedy path can fall out of the beam on the way.",
    "ins.dec.same": "Here greedy decoding and beam search agree.",
    "ins.dec.beams": "The beams",
    "ins.dec.beams_caption": "The finished hypotheses, best first. score = log P(Y|X) / lp(Y); |Y| counts "
    "the words and the end-of-sentence token.",
    "ins.dec.col.hyp": "hypothesis",
    "ins.dec.col.score": "score",
    "ins.dec.attention": "Attention of the chosen output",
    "ins.dec.which": "Output",
    "ins.dec.beam_n": "beam {n}",
    "ins.dec.attention_caption": "Rows: the words written; columns: the source words. Each row shows "
    "where the decoder ({arch}) looked while writing that word (for a Transformer: last layer, mean of "
    "the heads).",
    "ins.dec.forming": "How the alignment formed during training",
    "ins.dec.forming_caption": "The cross-attention on one fixed test sentence after each epoch. Move "
    "the slider: the map goes from blurry to sharp as the model learns which source word to look at.",
    # ---- 6. compare
    "ins.compare.title": "Compare architectures",
    "ins.compare.intro": "One click trains every architecture that can do the chosen task, one after "
    "the other, on the same data, with the same seed, number of epochs and time budget. The curves "
    "show who learns fastest; the table shows who ends best, how big each model is and how fast it runs.",
    "ins.cmp.task": "Task",
    "ins.cmp.archs": "Architectures",
    "ins.cmp.archs_help": "Each one starts from the task's default settings for it.",
    "ins.cmp.run": "Run the race",
    "ins.cmp.plan": "Race: {archs} on {task} · {epochs} · at most {budget} s each · seed {seed}.",
    "ins.cmp.press_run": "Press **Run the race**. The models train one after the other, so each gets "
    "the whole machine and their speeds are comparable.",
    "ins.cmp.higher": "higher is better",
    "ins.cmp.lower": "lower is better",
    "ins.cmp.metric_caption": "Test {metric} of each model at the end of its training ({better}).",
    "ins.cmp.download_csv": "Download the table (CSV)",
    "ins.cmp.sweep": "Sweep settings of one architecture",
    "ins.cmp.sweep_help": "Off: a race between architectures. On: one architecture trained over a grid "
    "of one or two settings (a sweep).",
    "ins.sw.intro": "One architecture, trained once for every combination of the values you pick for "
    "one or two settings (a grid search), on the same data and seed. The trials train side by side on "
    "the free trainers; the chart at the end shows the test result over the grid, so you can see "
    "which setting matters and where its good range lies.",
    "ins.sw.param": "Setting {n} to vary",
    "ins.sw.none": "(none)",
    "ins.sw.values": "Values of {name}",
    "ins.sw.budget": "Time budget per trial (s)",
    "ins.sw.run": "Run the sweep",
    "ins.sw.plan": "Sweep: {trials} of {arch} on {task} · {epochs} · at most {budget} s each. "
    "Trials run side by side on the free trainers; the rest wait in line.",
    "ins.sw.too_many": "{n} trials is more than the {max} a sweep may have here: choose fewer values.",
    "ins.sw.press_run": "Pick one or two settings and their values, then press **Run the sweep**. Every "
    "combination is trained with the same data and seed; the chart shows the test result over the grid.",
    "ins.sw.progress": "{done} of {n} trials done · {running} training · {queued} waiting.",
    "ins.sw.best": "Best trial: **{name}**, test {metric} {value}.",
    "ins.sw.open_best": "Open the best trial on its task page",
    "ins.sw.no_result": "No trial finished with a test result.",
    # ---- 7. word embeddings
    "ins.embeddings.title": "Word embeddings",
    "ins.embeddings.intro": "Before a network can read a review, every word has to become numbers. An "
    "embedding gives each word its own row of numbers, and words used in similar ways get similar rows. "
    "Look up a word's nearest neighbours, see a picture of chosen words, and compare the word table of "
    "a sentiment model before and after its training.",
    "ins.emb.about": "About embeddings, GloVe, PCA and transfer learning",
    "ins.emb.about.what": "**An embedding** is a table with one row per word of the vocabulary. A model "
    "reads a word by looking up its row; the numbers are weights like any other, so training can move "
    "them. Two words whose rows point the same way (high cosine similarity: 1 = same direction, 0 = "
    "unrelated) are treated alike by the rest of the network.",
    "ins.emb.about.glove": "**GloVe** (Global Vectors) learns one vector per word from counts of which "
    "words appear near which, over 6 billion words of Wikipedia and news text (Gigaword): the vectors "
    "are fitted so that two words' vectors predict how often they occur together. Words used in the "
    "same company end up close. This page uses the 100,000 most frequent words, 50 numbers each.",
    "ins.emb.about.pca": "**PCA** (principal component analysis) finds the two directions along which the "
    "chosen words' vectors differ most and places each word by its position along them. It shows the "
    "largest differences, but the other 48 directions are flattened away: two words close in the "
    "picture can be far apart in 50 dimensions. The axes have no fixed meaning, and another choice of "
    "words gives other axes. The neighbour lists use all 50 numbers.",
    "ins.emb.about.transfer": "**Why pretrained vectors help.** The sentiment task has about 10,000 "
    "training reviews, and most words appear in only a few of them. A random table has to learn every "
    "word from those few uses. Starting from GloVe, the model knows from the first step that "
    '"superb" is like "excellent", so what it learns about one carries over to the other. '
    "Knowledge learned on one task (predicting which words occur together) reused for another "
    "(sentiment) is called transfer learning.",
    "ins.emb.about.source": "Source: J. Pennington, R. Socher and C. D. Manning, *GloVe: Global Vectors "
    "for Word Representation*, EMNLP 2014 (nlp.stanford.edu/projects/glove). The vectors are released "
    "under the Open Data Commons Public Domain Dedication and License (PDDL).",
    "ins.emb.no_vectors": "The GloVe word vectors cannot be used, so the GloVe sections are not shown: "
    "{error}.",
    "ins.emb.s1": "A word's nearest neighbours",
    "ins.emb.s1_explain": "The words whose GloVe vectors point most nearly the same way as the typed "
    "word's, by cosine similarity over all 50 numbers.",
    "ins.emb.word": "Word",
    "ins.emb.word_help": "One word. Upper case is turned into lower case, as GloVe's text was.",
    "ins.emb.k": "Neighbours",
    "ins.emb.type_word": "Type a word above to see its nearest neighbours, for example good, movie or king.",
    "ins.emb.one_word": "Type one word at a time (without spaces).",
    "ins.emb.unknown": "“{word}” is not among the {n} words of the GloVe vectors used here.",
    "ins.emb.unknown_tips": "Check the spelling; rare words, names and numbers with many digits may be "
    'missing. GloVe splits contractions: "don\'t" is "do" + "n\'t", "it\'s" is "it" + "\'s".',
    "ins.emb.split_hint": "GloVe's text split it into {parts}; try {found}.",
    "ins.emb.neighbours_caption": "The {k} words nearest to “{word}” (number {rank} of GloVe's words by "
    "frequency). A cosine of 1 would be exactly the same direction.",
    "ins.emb.cosine": "cosine similarity",
    "ins.emb.s2": "A picture of chosen words",
    "ins.emb.s2_explain": "Each word's 50 numbers squeezed into 2 by PCA. Words that are used alike "
    "gather: the film words, the royal words, the praising and the damning words. Note where good and "
    'bad fall: GloVe learns from the company words keep, and "a good movie" and "a bad movie" keep '
    "the same company.",
    "ins.emb.words": "Words",
    "ins.emb.words_help": "Separated by commas or spaces; at most {n}.",
    "ins.emb.too_many": "Only the first {n} words are drawn.",
    "ins.emb.need_two": "Enter at least two words that the vectors know to see a picture.",
    "ins.emb.axis": "principal axis {n}",
    "ins.emb.highlighted": "The word typed above, “{word}”, is orange.",
    "ins.emb.kept": "The two axes keep {share} % of how these words' vectors differ; the rest is lost in "
    "the picture.",
    "ins.emb.skipped_glove": "Not in the GloVe vectors, so skipped: {words}.",
    "ins.emb.s3": "Your sentiment model's own embedding",
    "ins.emb.s3_explain": "A sentiment model trained on the Review sentiment page has its own word table. "
    "Here it is before training (the numbers it started from) and after: training moves the words "
    "so that the model can tell fresh reviews from rotten ones.",
    "ins.emb.no_model": "No trained sentiment model in this session yet. Train one on the Review "
    "sentiment page, then come back here to see its word table before and after training.",
    "ins.emb.model_training": "The sentiment model is still training. Its word table appears here when the "
    "training has finished.",
    "ins.emb.open_sentiment": "Open the Review sentiment page",
    "ins.emb.no_table": "This model ({arch}) has no word table to show.",
    "ins.emb.using_model": "The **{arch}** model trained on the Review sentiment page in this session: "
    "{n} words, {dim} numbers per word.",
    "ins.emb.before_glove": "Before: the table the training started from, rebuilt exactly as the "
    "training built it. {found} of the {n} words started from their GloVe vector; the others (grey "
    "dots) started from random numbers drawn with the run's seed {seed}.",
    "ins.emb.before_glove_all": "Before: the table the training started from, rebuilt exactly as the "
    "training built it: all {n} words started from their GloVe vector.",
    "ins.emb.before_random": "Before: the random numbers the training started from, drawn again with the "
    "run's seed {seed} exactly as the training drew them.",
    "ins.emb.before_continued": "Before: the weights of the loaded model whose training was continued.",
    "ins.emb.frozen": "This model was trained with the embedding frozen (embedding_lr 0): the table did "
    "not change, so before and after are the same.",
    "ins.emb.before": "Before training",
    "ins.emb.after": "After training",
    "ins.emb.need_two_vocab": "Enter at least two words of the model's vocabulary to see a picture.",
    "ins.emb.random_start": "Started from random numbers (no GloVe vector): {words}.",
    "ins.emb.own_axes": "Each picture has its own PCA axes, so compare which words are close, not where "
    "they sit.",
    "ins.emb.skipped_vocab": "Not in the model's vocabulary, so skipped: {words}.",
    "ins.emb.pair": "Cosine similarity of {a} and {b} in the model's table: {before} before training, "
    "{after} after.",
    "ins.emb.not_in_vocab": "“{word}” is not in the model's vocabulary ({n} words from its training reviews).",
    "ins.emb.model_neighbours": "Nearest to “{word}” in the model's table",
}

KO: dict[str, str] = {
    # ---- navigation
    "nav.attention_steps": "셀프 어텐션 단계별 보기",
    "nav.positional": "위치 인코딩",
    "nav.memory": "기억과 기울기 소실",
    "nav.compare": "아키텍처 비교",
    "nav.decoding": "디코딩 실험실",
    "nav.embeddings": "단어 임베딩",
    # ---- shared
    "ins.common.value": "값",
    "ins.common.weight": "가중치",
    "ins.common.budget": "모델당 시간 예산 (초)",
    "ins.common.budget_help": "각 모델은 에폭을 모두 마치거나 이 시간이 지나면 학습을 멈춥니다. 모든 모델이 같은 예산을 받습니다.",
    "ins.common.building": "데이터를 준비하고 모델을 만드는 중…",
    "ins.common.measuring": "측정하는 중…",
    "ins.common.lane_starting": "{lane} 시작하는 중…",
    "ins.common.progress": "{lane} ({i}/{n}) · 에폭 {epoch} · 손실 {loss} · {elapsed}",
    "ins.common.stopped": "중지했습니다. 지금까지 학습한 모델을 보여 줍니다.",
    "ins.common.done": "모든 모델의 학습이 끝났습니다.",
    "ins.common.done_one": "학습이 끝났습니다.",
    "ins.common.budget_hit": "이 결과는 시간 예산이 정했습니다: {lanes}은(는) 에폭을 다 마치거나 목표에 닿기 전에 "
    "{seconds}초에서 멈췄으므로 최종 결과가 아닙니다. 모델당 시간 예산을 늘리고 다시 실행하면 제 실력을 볼 수 있습니다.",
    "ins.common.diverged": "학습이 발산한 모델: {lanes} (학습률을 낮추거나 그래디언트를 클리핑하세요).",
    "ins.common.x_axis": "가로축",
    "ins.common.x.step": "옵티마이저 스텝",
    "ins.common.x.seconds": "초",
    "ins.common.seconds": "학습 시간 (초)",
    "ins.common.train_loss": "학습 손실 (이동 평균)",
    "ins.common.log_y": "로그 눈금",
    "ins.col.lane": "모델",
    "ins.col.metric": "테스트 {metric}",
    "ins.col.params": "파라미터 수",
    "ins.col.seconds": "초",
    "ins.col.steps": "스텝",
    "ins.col.tokens_s": "토큰/초",
    "ins.col.final_loss": "마지막 손실",
    "ins.col.reason": "종료 이유",
    "ins.reason.done": "모든 에폭",
    "ins.reason.stopped": "중지",
    "ins.reason.time_budget": "시간 예산",
    "ins.reason.diverged": "발산",
    "ins.reason.early_stopping": "조기 종료",
    "ins.reason.target": "목표 달성",
    "ins.task.stock": "주가 예측",
    "ins.task.sentiment": "영화평 감성 분류",
    "ins.task.translation": "장난감 번역",
    "ins.task.long-memory": "긴 기억",
    "ins.task.word-order": "단어 순서",
    "ins.task.captioning": "이미지 캡션",
    # ---- timelines
    "ins.tl.epoch": "에폭 이후",
    "ins.tl.one_epoch": "에폭 {epoch} 이후의 스냅숏 하나.",
    "ins.tl.no_snapshots": "이 모델은 어텐션 스냅숏이 없습니다 (스냅숏을 켜고 학습하세요).",
    "ins.tl.no_gates": "이 모델은 게이트 스냅숏이 없습니다.",
    "ins.tl.sharpness": "평균 최대 가중치",
    "ins.tl.sharpness_caption": "출력 단어마다 가장 큰 어텐션 가중치의 평균입니다. 1이면 모든 단어가 원문 단어 하나만 봅니다. 정렬이 자리 잡을수록 올라갑니다.",
    # ---- 1. self-attention
    "ins.attention_steps.title": "셀프 어텐션, 한 단계씩",
    "ins.attention_steps.intro": "문장을 입력하고 셀프 어텐션 층 하나가 계산하는 모든 숫자를 따라가 보세요. 단어는 벡터가 되고, 각 벡터는 질문(쿼리)을 던지고, 이름표(키)를 내밀고, 내용(값)을 나릅니다. 질문과 이름표를 비교해서 각 단어가 다른 단어의 내용을 얼마나 가져올지 정합니다. 숫자는 다른 페이지의 트랜스포머가 학습에 쓰는 것과 같은 어텐션 모듈에서 나옵니다. 칸 위에 마우스를 올리면 값이 보입니다.",
    "ins.att.source": "가중치",
    "ins.att.source.fresh": "새로 초기화한 무작위 가중치 (시드 고정)",
    "ins.att.source.translation": "학습됨: 번역 ({arch})",
    "ins.att.source.sentiment": "학습됨: 감성 분류 ({arch})",
    "ins.att.source.word_order": "학습됨: 단어 순서 ({arch})",
    "ins.att.source_help": "새로 초기화한 층은 계산 과정을 보여 주고, 이 세션에서 과제 페이지로 학습한 트랜스포머는 학습한 내용을 보여 줍니다 (첫 번째 인코더 층).",
    "ins.att.d_model_help": "단어 벡터 하나의 크기. 논문은 512를 씁니다.",
    "ins.att.heads_help": "헤드마다 d_model / 헤드 수 차원(d_k)을 받습니다. 논문: 64차원 헤드 8개.",
    "ins.att.trained_sizes": "크기(d_model, 헤드 수)와 위치 인코딩은 학습된 모델의 것을 따릅니다.",
    "ins.att.sentence": "문장",
    "ins.att.sentence_help": "단어와 문장 부호로 나눕니다. 새 모델은 서로 다른 단어마다 무작위 임베딩을 주고, 학습된 모델은 자기 어휘를 씁니다 (모르는 단어는 <unk>).",
    "ins.att.empty": "단어를 하나 이상 입력하세요.",
    "ins.att.too_long": "행렬을 읽을 수 있도록 최대 {n}단어까지입니다.",
    "ins.att.using_trained": "이 세션에서 {page} 페이지로 학습한 **{arch}** 를 씁니다.",
    "ins.att.sizes": "**T = {T}** 토큰 · **d_model = {D}** · **h = {h}** 헤드 · **d_k = d_model / h = {d_k}** · √d_k = {sqrt}",
    "ins.att.dims_shown": "보여 줄 차원 수",
    "ins.att.dims_help": "벡터는 {d}차원입니다. 넓은 행렬은 앞쪽 차원만 보여 줍니다. 계산은 모두 전체 차원으로 합니다.",
    "ins.att.s1": "단어가 벡터가 됩니다",
    "ins.att.s1_explain": "각 단어를 임베딩 표에서 찾아 √d_model (= {scale})을 곱하고, 그 자리의 위치 인코딩을 더합니다. 그래서 같은 단어도 자리가 다르면 다른 벡터가 됩니다. 단어마다 한 행, 열은 {D}개입니다.",
    "ins.att.m.embedding": "임베딩 × √d_model",
    "ins.att.m.positional": "위치 인코딩",
    "ins.att.m.attn_input": "LayerNorm(X): pre-norm 층에서 어텐션이 읽는 값",
    "ins.att.m.output": "어텐션 층의 출력",
    "ins.att.m.weights": "어텐션 가중치 (각 행의 합은 1)",
    "ins.att.s2": "쿼리, 키, 값",
    "ins.att.s2_explain": "학습되는 행렬 세 개가 X의 {D}차원 행을 헤드마다 {d_k}차원으로 투영합니다. Q (이 단어가 찾는 것), K (이 단어가 찾아지도록 내미는 것), V (이 단어가 전하는 내용). 헤드는 {h}개이고 각자 W_Q, W_K, W_V를 가집니다. 하나를 고르세요.",
    "ins.att.head": "헤드",
    "ins.att.weights_expander": "이 헤드의 투영 행렬 W_Q, W_K, W_V ({d} × {d_k}, 전치)",
    "ins.att.weights_caption": "행은 헤드의 출력 차원, 열은 입력 차원입니다 (앞쪽만). 새 가중치는 무작위이고, 학습된 가중치에는 모델이 무엇을 묻도록 배웠는지가 담겨 있습니다.",
    "ins.att.s3": "점수, 스케일링, 소프트맥스",
    "ins.att.s3_explain": "모든 쿼리를 모든 키와 내적으로 비교합니다. Q Kᵀ의 i행 j열은 단어 i의 질문이 단어 j의 이름표와 얼마나 잘 맞는지입니다. 점수를 √d_k = {sqrt} (d_k = {d_k})로 나눕니다. d_k개 항의 내적은 d_k에 따라 커지므로, 나누지 않으면 소프트맥스가 포화되어 그래디언트가 거의 흐르지 않습니다. 그다음 소프트맥스가 각 행을 양수이고 합이 1인 가중치로 바꿉니다.",
    "ins.att.follow": "쿼리 하나 따라가기",
    "ins.att.follow_caption": "“{token}”의 행: 모든 키와의 내적, 그것을 √d_k로 나눈 값, 그 행의 소프트맥스.",
    "ins.att.col.key": "키",
    "ins.att.s4": "값 섞기: Z = 가중치 × V",
    "ins.att.s4_explain": "각 단어의 새 벡터는 자기 행의 가중치로 모든 값 벡터를 평균한 것입니다. “cat”에 0.9를 주는 단어는 대부분 cat의 값이 됩니다. Z는 단어마다 한 행, d_k = {d_k}열입니다.",
    "ins.att.s5": "모든 헤드를 이어 붙이고 투영",
    "ins.att.s5_explain": "헤드 {h}개가 각자의 가중치로 나란히 계산하므로 저마다 다른 관계를 찾을 수 있습니다. 각 헤드의 출력({d_k}차원)을 이어 붙여 단어마다 {D}차원 행 하나를 만들고, 헤드들이 찾은 것을 섞는 W_O를 곱합니다.",
    "ins.att.wo_expander": "출력 투영 W_O ({D} × {D})",
    "ins.att.after": "완전한 트랜스포머 층에서는 이 출력을 X에 더하고(잔차 연결), 정규화(LayerNorm)한 뒤 위치별 피드포워드 신경망에 통과시킵니다.",
    # ---- 2. positional encoding
    "ins.positional.title": "위치 인코딩",
    "ins.positional.intro": "셀프 어텐션은 모든 단어를 모든 단어와 비교할 뿐 단어가 어디 있는지는 신경 쓰지 않습니다. 문장을 뒤섞어도 각 단어의 결과는 같습니다. 그래서 트랜스포머는 단어 벡터에 위치 신호를 더합니다. 논문의 사인파 인코딩, 그것이 쓸모 있는 이유, 그리고 같은 모델을 위치 인코딩이 있을 때와 없을 때 학습하는 실험을 보여 줍니다.",
    "ins.pos.table_settings": "인코딩 표",
    "ins.pos.positions": "위치 수",
    "ins.pos.s1": "표: 위치마다 한 행",
    "ins.pos.s1_explain": "위치마다 d_model = {D}개의 숫자로 된 벡터를 받습니다. 열 쌍 (2i, 2i+1)은 같은 주파수의 사인과 코사인입니다. 주파수가 열마다 낮아지므로 앞쪽 열은 위치에 따라 빨리 변하고 뒤쪽 열은 아주 천천히 변합니다. 시계의 바늘들처럼요.",
    "ins.pos.s2": "파동",
    "ins.pos.s2_explain": "각 열은 위치에 따른 파동이고, 파장은 2π에서 10000 · 2π까지 기하급수적으로 길어집니다. sin(a + b)와 cos(a + b)는 sin(a)와 cos(a)의 고정된 조합이므로, 위치 p + k의 인코딩은 위치 p 인코딩의 선형 함수입니다. 그래서 어텐션은 “k 단어 앞”을 보는 법을 배울 수 있습니다.",
    "ins.pos.dims": "차원",
    "ins.pos.curve_name": "차원 {d} ({kind}, 파장 {wl})",
    "ins.pos.s3": "두 위치가 얼마나 닮았나",
    "ins.pos.s3_explain": "모든 위치 쌍의 내적 PE_i · PE_j. 대각선에서 가장 크고 (항상 {half}: 열 쌍마다 sin² + cos² = 1), 거리 |i − j|에만 의존하며 (줄무늬가 대각선과 평행합니다), 거리가 멀수록 작아집니다. 가까운 위치는 닮았고 먼 위치는 닮지 않았습니다.",
    "ins.pos.cosine": "코사인 유사도",
    "ins.pos.cosine_help": "두 벡터의 길이로 나눕니다. 대각선이 1이 됩니다.",
    "ins.pos.similarity": "유사도",
    "ins.pos.s4": "제거 실험: 사인파, 학습형, 없음",
    "ins.pos.s4_explain": "단어 순서 과제는 채움 문자들 사이에서 A가 B보다 먼저 오는지 묻습니다. 두 답의 시퀀스는 정확히 같은 토큰으로 이루어지므로, 위치 정보가 없으면 인코더는 두 경우에 같은 단어 주머니를 보고 찍을 수밖에 없습니다. 같은 트랜스포머 인코더를 같은 데이터, 시드, 시간 예산으로 세 번 학습합니다: 사인파 위치, 위치마다 학습되는 벡터, 위치 없음.",
    "ins.pos.ablation_settings": "제거 실험",
    "ins.pos.run": "제거 실험 실행",
    "ins.pos.press_run": "**제거 실험 실행**을 누르세요. 작은 모델 세 개가 차례로 학습하고 (각각 30초 정도), 학습하는 동안 곡선이 여기에 나타납니다.",
    "ins.pos.kind.sinusoidal": "사인파",
    "ins.pos.kind.learned": "학습형",
    "ins.pos.kind.none": "없음",
    "ins.pos.chance": "무작위 추측",
    "ins.pos.learned_title": "학습형 인코딩은 무엇이 되었나",
    "ins.pos.learned_caption": "학습 후 학습형 위치 벡터들의 코사인 유사도. 처음에는 무작위였으니, 여기 보이는 구조는 모두 과제만으로 배운 것입니다.",
    # ---- 3. memory
    "ins.memory.title": "기억과 기울기 소실",
    "ins.memory.intro": "처음에 키(A, B, C…)가 나오고, 많은 방해 문자가 이어진 뒤 물음표가 나옵니다: 키는 무엇이었나? 바닐라 RNN, LSTM, GRU를 같은 데이터, 시드, 시간 예산으로 학습하고, 학습 신호가 각 시간 단계에 얼마나 도달하는지 측정합니다.",
    "ins.mem.why": "기울기가 사라지는 이유와 게이트가 돕는 이유",
    "ins.mem.why_body": "시간 역전파는 마지막 단계의 오차를 앞의 모든 단계로 돌려보냅니다. 바닐라 RNN에서는 한 단계 거슬러 갈 때마다 순환 가중치와 tanh의 도함수(최대 1)가 곱해집니다. 매번 조금씩 줄어들면 50단계 뒤에는 거의 아무것도 남지 않아서, 네트워크는 첫 토큰이 중요하다는 것을 배울 수 없습니다.\n\n"
    "LSTM은 덧셈으로 갱신되는 셀 상태 $C_t = f_t \\odot C_{t-1} + i_t \\odot \\tilde C_t$를 가집니다. 망각 게이트 f가 1에 가까운 곳에서는 그래디언트가 C를 따라 거의 그대로 거슬러 흐릅니다. GRU는 업데이트 게이트 z로 같은 일을 합니다. 초기화 직후에는 게이트가 아직 자리 잡지 않아 셋 다 그래디언트를 잃지만, 학습하면 LSTM과 GRU의 게이트가 열려 그래디언트가 살아남고, RNN에는 그런 경로가 없습니다.\n\n"
    "그래디언트 클리핑은 노름이 임계값보다 큰 그래디언트를 줄입니다. 폭발은 막지만 사라진 그래디언트를 키우지는 못합니다.",
    "ins.mem.cells": "셀",
    "ins.mem.lag_help": "키와 물음표 사이의 방해 문자 수. 학습 시퀀스는 1부터 이 값까지의 지연을 씁니다 (커리큘럼). 테스트는 항상 전체 지연을 씁니다.",
    "ins.mem.clip_help": "그래디언트 노름이 이 값을 넘으면 줄입니다 (TrainConfig.clip).",
    "ins.mem.clip_off": "끔",
    "ins.mem.run": "학습하고 측정",
    "ins.mem.press_run": "**학습하고 측정**을 누르세요. 셀들이 차례로 학습하고, 각 셀의 학습이 끝나면 그래디언트와 지연별 정확도를 다시 잽니다.",
    "ins.mem.training": "학습",
    "ins.mem.at_init": "학습 전",
    "ins.mem.at_init_caption": "막 초기화한 셀들(아래 학습과 같은 시드)의 ‖∂L/∂h_t‖, 테스트 시퀀스 {n}개 평균, 로그 눈금. 키는 단계 0, 물음표는 끝에 있습니다. 앞 단계일수록 오차가 덜 도달합니다.",
    "ins.mem.col.before": "초기화 때 ‖∂L/∂h₀‖ / ‖∂L/∂h_T‖",
    "ins.mem.col.after": "… 학습 후",
    "ins.mem.ratio_caption": "마지막 두 열: 마지막 단계의 그래디언트 중 첫 단계(키가 있는 곳)까지 도달하는 비율, 학습 전과 후. 1e-10이면 아무것도 도달하지 않는다는 뜻입니다.",
    "ins.mem.grads": "각 시간 단계에 도달하는 그래디언트",
    "ins.mem.grads_explain": "‖∂L/∂h_t‖: 단계 t의 은닉 상태에 손실이 얼마나 민감한지, 테스트 시퀀스에 대한 평균 (로그 눈금). 키는 단계 0, 물음표는 끝에 있습니다. 점선: 초기화 직후, 실선: 학습 후. 단계 0 쪽으로 떨어지는 곡선이 기울기 소실입니다.",
    "ins.mem.before": "초기화",
    "ins.mem.after": "학습 후",
    "ins.mem.time_step": "시간 단계 t (0 = 키)",
    "ins.mem.relative": "마지막 단계 대비",
    "ins.mem.relative_help": "각 곡선을 마지막 단계의 값으로 나누어 감쇠만 비교합니다.",
    "ins.mem.grad_rel": "‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖",
    "ins.mem.by_lag": "각 셀은 얼마나 멀리 기억하나",
    "ins.mem.by_lag_caption": "학습 후, 지연마다 새 시퀀스 128개에 대한 테스트 정확도. 점선: 무작위 추측.",
    "ins.mem.trained_lag": "학습한 지연",
    "ins.mem.gates": "셀 내부, 에폭별로",
    "ins.mem.gates_caption": "테스트 시퀀스 하나에 대한 에폭별 게이트 값 (앞쪽 유닛). 에폭을 옮겨 보세요: 기억하는 셀에서는 방해 문자 내내 망각 게이트 f (LSTM)나 업데이트 게이트 z (GRU)가 1 가까이 머뭅니다.",
    "ins.mem.cell": "셀",
    # ---- 5. decoding
    "ins.decoding.title": "디코딩 실험실",
    "ins.decoding.intro": "번역 모델은 단계마다 다음에 올 모든 단어의 확률을 냅니다. 탐욕적 디코딩은 매번 가장 확률이 높은 단어를 고르고, 빔 서치는 가장 확률이 높은 부분 문장 k개를 유지하므로 덜 확률적인 단어로 시작하는 더 나은 문장 전체를 찾을 수 있습니다. 직접 쓴 문장으로 둘을 비교해 보세요.",
    "ins.dec.train_header": "여기서 작은 모델 학습",
    "ins.dec.train_title": "디코딩에 쓸 모델",
    "ins.dec.train_caption": "이 세션에서 번역 페이지로 학습한 (또는 거기서 불러온) 모델을 씁니다. 여기서 작은 모델을 학습할 수도 있습니다. 에폭마다 어텐션을 기록합니다.",
    "ins.dec.train": "작은 모델 학습",
    "ins.dec.n_pairs_help": "장난감 영어 → 한국어 말뭉치의 문장 쌍 수 (80 %는 학습용). 쌍이 적을수록 에폭이 빨라서 여러 에폭에 걸쳐 정렬이 자리 잡는 모습을 볼 수 있습니다.",
    "ins.dec.training_curves": "학습 곡선",
    "ins.dec.no_model": "아직 번역 모델이 없습니다. 번역 페이지에서 학습하거나 위의 **작은 모델 학습**을 누르세요.",
    "ins.dec.model": "모델",
    "ins.dec.model.page": "번역 페이지에서 학습 ({arch})",
    "ins.dec.model.file": "번역 페이지에서 불러옴 ({arch})",
    "ins.dec.model.lab": "여기서 학습 ({arch})",
    "ins.dec.alpha_help": "GNMT 길이 페널티 lp(Y) = ((5 + |Y|) / 6)^α의 α. 로그 확률은 문장이 길어질수록 낮아지기만 하므로 α = 0이면 짧은 출력이 유리하고, α가 클수록 긴 출력이 유리합니다.",
    "ins.dec.scored": "log P = {logp} · 점수 = {score}",
    "ins.dec.differ": "빔 서치가 탐욕적 디코딩과 다른 문장을 골랐습니다. 후보 여러 개를 유지하므로, 시작이 가장 확률 높은 선택은 아니었어도 점수가 더 좋은 문장에 도달할 수 있습니다. 점수를 비교해 보세요.",
    "ins.dec.differ_worse": "빔 서치가 다른 문장을 골랐는데, 여기서는 탐욕적 디코딩보다 점수가 낮습니다. 빔 서치도 휴리스틱입니다. 후보를 k개만 유지하고 k개가 끝나면 멈추므로, 도중에 탐욕적 경로가 빔에서 떨어져 나갈 수 있습니다.",
    "ins.dec.same": "여기서는 탐욕적 디코딩과 빔 서치의 결과가 같습니다.",
    "ins.dec.beams": "빔",
    "ins.dec.beams_caption": "완성된 가설들, 좋은 순서. 점수 = log P(Y|X) / lp(Y). |Y|는 단어와 문장 끝 토큰의 수입니다.",
    "ins.dec.col.hyp": "가설",
    "ins.dec.col.score": "점수",
    "ins.dec.attention": "선택한 출력의 어텐션",
    "ins.dec.which": "출력",
    "ins.dec.beam_n": "빔 {n}",
    "ins.dec.attention_caption": "행: 쓴 단어, 열: 원문 단어. 각 행은 디코더({arch})가 그 단어를 쓰는 동안 어디를 보았는지 보여 줍니다 (트랜스포머는 마지막 층, 헤드 평균).",
    "ins.dec.forming": "학습 중에 정렬이 자리 잡는 모습",
    "ins.dec.forming_caption": "고정된 테스트 문장 하나에 대한 에폭별 교차 어텐션. 슬라이더를 움직여 보세요: 모델이 어느 원문 단어를 볼지 배우면서 지도가 흐릿한 상태에서 선명해집니다.",
    # ---- 6. compare
    "ins.compare.title": "아키텍처 비교",
    "ins.compare.intro": "한 번의 클릭으로 선택한 과제를 할 수 있는 모든 아키텍처를 차례로, 같은 데이터, 시드, 에폭 수, 시간 예산으로 학습합니다. 곡선은 누가 가장 빨리 배우는지, 표는 누가 가장 좋게 끝나는지와 모델 크기, 속도를 보여 줍니다.",
    "ins.cmp.task": "과제",
    "ins.cmp.archs": "아키텍처",
    "ins.cmp.archs_help": "각 아키텍처는 그 과제의 기본 설정에서 시작합니다.",
    "ins.cmp.run": "경주 시작",
    "ins.cmp.plan": "경주: {task}에서 {archs} · {epochs} · 모델당 최대 {budget}초 · 시드 {seed}.",
    "ins.cmp.press_run": "**경주 시작**을 누르세요. 모델들이 차례로 학습하므로 각자 기계 전체를 쓰고 속도를 공정하게 비교할 수 있습니다.",
    "ins.cmp.higher": "높을수록 좋음",
    "ins.cmp.lower": "낮을수록 좋음",
    "ins.cmp.metric_caption": "학습이 끝났을 때 각 모델의 테스트 {metric} ({better}).",
    "ins.cmp.download_csv": "표 내려받기 (CSV)",
    "ins.cmp.sweep": "한 아키텍처의 설정값 스윕",
    "ins.cmp.sweep_help": "끄면 아키텍처끼리 경주하고, 켜면 한 아키텍처를 설정 한두 개의 값 격자 위에서 학습합니다 (스윕).",
    "ins.sw.intro": "한 아키텍처를, 고른 설정 한두 개의 값 조합마다 한 번씩 같은 데이터와 시드로 학습합니다 (격자 탐색). 시도들은 빈 학습 자리에서 나란히 돌고, 끝나면 격자 위의 테스트 결과 그래프로 어떤 설정이 중요한지, 좋은 값의 범위가 어디인지 볼 수 있습니다.",
    "ins.sw.param": "바꿔 볼 설정 {n}",
    "ins.sw.none": "(없음)",
    "ins.sw.values": "{name}의 값들",
    "ins.sw.budget": "시도당 시간 예산 (초)",
    "ins.sw.run": "스윕 시작",
    "ins.sw.plan": "스윕: {task}에서 {arch} {trials} · {epochs} · 시도당 최대 {budget}초. 빈 학습 자리에서 시도들이 나란히 돌고, 나머지는 차례를 기다립니다.",
    "ins.sw.too_many": "시도 {n}개는 여기서 한 스윕에 허용되는 {max}개보다 많습니다. 값을 줄이세요.",
    "ins.sw.press_run": "설정 한두 개와 그 값들을 고른 뒤 **스윕 시작**을 누르세요. 모든 조합을 같은 데이터와 시드로 학습하고, 그래프가 격자 위의 테스트 결과를 보여 줍니다.",
    "ins.sw.progress": "시도 {n}개 중 {done}개 완료 · {running}개 학습 중 · {queued}개 대기.",
    "ins.sw.best": "가장 좋은 시도: **{name}**, 테스트 {metric} {value}.",
    "ins.sw.open_best": "가장 좋은 시도를 과제 페이지에서 열기",
    "ins.sw.no_result": "테스트 결과를 낸 시도가 없습니다.",
    # ---- 7. 단어 임베딩
    "ins.embeddings.title": "단어 임베딩",
    "ins.embeddings.intro": "신경망이 영화평을 읽으려면 먼저 모든 단어를 숫자로 바꿔야 합니다. 임베딩은 단어마다 "
    "숫자 한 줄(행)을 주고, 비슷하게 쓰이는 단어는 비슷한 행을 받습니다. 단어의 가장 가까운 이웃을 찾아보고, "
    "고른 단어들을 그림으로 보고, 감성 분류 모델의 단어 표를 학습 전과 후로 비교해 보세요.",
    "ins.emb.about": "임베딩, GloVe, PCA, 전이 학습에 대해",
    "ins.emb.about.what": "**임베딩**은 어휘의 단어마다 한 행을 가진 표입니다. 모델은 단어의 행을 찾아서 그 단어를 "
    "읽습니다. 이 숫자들도 다른 가중치와 똑같아서 학습하면 움직입니다. 두 단어의 행이 같은 방향을 가리키면 "
    "(코사인 유사도가 높으면: 1 = 같은 방향, 0 = 무관) 신경망의 나머지 부분은 두 단어를 비슷하게 다룹니다.",
    "ins.emb.about.glove": "**GloVe**(Global Vectors)는 위키백과와 뉴스(Gigaword) 텍스트 60억 단어에서 어떤 단어가 "
    "어떤 단어 근처에 나오는지 센 값으로 단어마다 벡터 하나를 학습합니다. 두 단어의 벡터로 두 단어가 함께 "
    "나오는 빈도를 예측하도록 맞추기 때문에, 같은 단어들과 어울려 쓰이는 단어끼리 가까워집니다. 이 페이지는 "
    "가장 자주 쓰이는 10만 단어를 단어당 숫자 50개로 씁니다.",
    "ins.emb.about.pca": "**PCA**(주성분 분석)는 고른 단어들의 벡터가 가장 크게 달라지는 두 방향을 찾아, 그 방향을 "
    "따라 각 단어의 위치를 찍습니다. 가장 큰 차이는 보이지만 나머지 48개 방향은 납작하게 눌려 사라집니다. "
    "그림에서 가까운 두 단어가 50차원에서는 멀 수도 있습니다. 축에는 정해진 의미가 없고, 다른 단어를 고르면 "
    "축도 달라집니다. 이웃 목록은 숫자 50개를 모두 씁니다.",
    "ins.emb.about.transfer": "**사전 학습된 벡터가 도움이 되는 이유.** 감성 분류 과제의 학습 리뷰는 1만 개 정도이고, "
    "대부분의 단어는 그중 몇 개에만 나옵니다. 무작위 표는 그 몇 번의 쓰임만으로 모든 단어를 배워야 합니다. "
    'GloVe에서 시작하면 모델은 첫 스텝부터 "superb"가 "excellent"와 비슷하다는 것을 알기 때문에, 한 단어에 '
    "대해 배운 것이 다른 단어에도 옮겨 갑니다. 한 과제(어떤 단어가 함께 나오는지 예측)에서 배운 지식을 다른 "
    "과제(감성 분류)에 다시 쓰는 것을 전이 학습이라고 합니다.",
    "ins.emb.about.source": "출처: J. Pennington, R. Socher, C. D. Manning, *GloVe: Global Vectors for Word "
    "Representation*, EMNLP 2014 (nlp.stanford.edu/projects/glove). 벡터는 Open Data Commons Public Domain "
    "Dedication and License (PDDL)로 공개되어 있습니다.",
    "ins.emb.no_vectors": "GloVe 단어 벡터를 쓸 수 없어서 GloVe 부분은 보여 주지 않습니다: {error}.",
    "ins.emb.s1": "단어의 가장 가까운 이웃",
    "ins.emb.s1_explain": "숫자 50개 전체의 코사인 유사도로 볼 때, GloVe 벡터가 입력한 단어의 벡터와 가장 비슷한 "
    "방향을 가리키는 단어들입니다.",
    "ins.emb.word": "단어",
    "ins.emb.word_help": "단어 하나. GloVe의 텍스트처럼 대문자는 소문자로 바꿉니다.",
    "ins.emb.k": "이웃 수",
    "ins.emb.type_word": "위에 단어를 입력하면 가장 가까운 이웃이 보입니다. 예: good, movie, king.",
    "ins.emb.one_word": "한 번에 한 단어만 (띄어쓰기 없이) 입력하세요.",
    "ins.emb.unknown": "찾지 못한 단어: “{word}” (여기서 쓰는 GloVe 벡터에는 {n}개 단어가 있습니다).",
    "ins.emb.unknown_tips": "철자를 확인하세요. 드문 단어, 이름, 자릿수가 많은 숫자는 없을 수 있습니다. GloVe는 "
    '축약형을 나눕니다: "don\'t"는 "do" + "n\'t", "it\'s"는 "it" + "\'s"입니다.',
    "ins.emb.split_hint": "GloVe의 텍스트에서는 이렇게 나뉘어 있습니다: {parts}. 다음 단어로 해 보세요: {found}.",
    "ins.emb.neighbours_caption": "“{word}”에 가장 가까운 단어 {k}개 (GloVe 단어 중 빈도 순위 {rank}위). "
    "코사인이 1이면 완전히 같은 방향입니다.",
    "ins.emb.cosine": "코사인 유사도",
    "ins.emb.s2": "고른 단어들의 그림",
    "ins.emb.s2_explain": "각 단어의 숫자 50개를 PCA로 2개로 줄였습니다. 비슷하게 쓰이는 단어끼리 모입니다: 영화 "
    "단어, 왕실 단어, 칭찬하는 단어와 혹평하는 단어. good과 bad가 어디 있는지 보세요. GloVe는 단어가 어울리는 "
    '이웃 단어로 배우는데, "a good movie"와 "a bad movie"는 같은 이웃과 어울립니다.',
    "ins.emb.words": "단어들",
    "ins.emb.words_help": "쉼표나 띄어쓰기로 구분합니다. 최대 {n}개.",
    "ins.emb.too_many": "앞의 {n}개 단어만 그립니다.",
    "ins.emb.need_two": "벡터에 있는 단어를 두 개 이상 입력하면 그림이 보입니다.",
    "ins.emb.axis": "주성분 축 {n}",
    "ins.emb.highlighted": "주황색 점: 위에 입력한 단어 “{word}”.",
    "ins.emb.kept": "두 축은 이 단어들의 벡터가 서로 다른 정도의 {share} %를 담습니다. 나머지는 그림에서 사라집니다.",
    "ins.emb.skipped_glove": "GloVe 벡터에 없어서 건너뛴 단어: {words}.",
    "ins.emb.s3": "내 감성 분류 모델의 임베딩",
    "ins.emb.s3_explain": "영화평 감성 분류 페이지에서 학습한 모델은 자기만의 단어 표를 가집니다. 학습 전(시작한 "
    "숫자)과 학습 후를 보여 줍니다. 모델이 호평과 혹평을 구별할 수 있도록 학습이 단어들을 옮깁니다.",
    "ins.emb.no_model": "이 세션에는 아직 학습한 감성 분류 모델이 없습니다. 영화평 감성 분류 페이지에서 모델을 "
    "학습한 뒤 여기로 돌아오면 학습 전과 후의 단어 표를 볼 수 있습니다.",
    "ins.emb.model_training": "감성 분류 모델이 아직 학습 중입니다. 학습이 끝나면 단어 표가 여기에 나타납니다.",
    "ins.emb.open_sentiment": "영화평 감성 분류 페이지 열기",
    "ins.emb.no_table": "이 모델({arch})에는 보여 줄 단어 표가 없습니다.",
    "ins.emb.using_model": "이 세션에서 영화평 감성 분류 페이지로 학습한 **{arch}** 모델: 단어 {n}개, 단어당 "
    "숫자 {dim}개.",
    "ins.emb.before_glove": "학습 전: 학습이 시작한 표를 학습 때와 똑같이 다시 만든 것입니다. 단어 {n}개 중 "
    "{found}개는 GloVe 벡터에서 시작했고, 나머지(회색 점)는 무작위 숫자(이 실행의 시드 {seed})에서 "
    "시작했습니다.",
    "ins.emb.before_glove_all": "학습 전: 학습이 시작한 표를 학습 때와 똑같이 다시 만든 것입니다. 단어 {n}개 모두 "
    "GloVe 벡터에서 시작했습니다.",
    "ins.emb.before_random": "학습 전: 학습이 시작한 무작위 숫자를 학습 때와 똑같이 다시 뽑은 것입니다 (이 실행의 "
    "시드 {seed}).",
    "ins.emb.before_continued": "학습 전: 이어서 학습한, 불러온 모델의 가중치입니다.",
    "ins.emb.frozen": "이 모델은 임베딩을 고정하고(embedding_lr 0) 학습했습니다. 표가 바뀌지 않았으므로 학습 "
    "전과 후가 같습니다.",
    "ins.emb.before": "학습 전",
    "ins.emb.after": "학습 후",
    "ins.emb.need_two_vocab": "모델 어휘에 있는 단어를 두 개 이상 입력하면 그림이 보입니다.",
    "ins.emb.random_start": "무작위 숫자에서 시작한 단어 (GloVe 벡터 없음): {words}.",
    "ins.emb.own_axes": "그림마다 PCA 축이 따로 있으므로, 단어가 어디 있는지보다 어떤 단어끼리 가까운지를 비교하세요.",
    "ins.emb.skipped_vocab": "모델 어휘에 없어서 건너뛴 단어: {words}.",
    "ins.emb.pair": "모델의 표에서 {a} · {b} 코사인 유사도: 학습 전 {before}, 학습 후 {after}.",
    "ins.emb.not_in_vocab": "모델의 어휘(학습 리뷰에서 모은 단어 {n}개)에 없는 단어: “{word}”.",
    "ins.emb.model_neighbours": "모델의 표에서 “{word}”에 가장 가까운 단어",
}

register("en", EN)
register("ko", KO)
