"""Understanding free text: the safety screen (``screen``) and the principle router (``router``).

Pure and fast: text in, a verdict out; no I/O, no clock, no Telegram types. Learned from the
labelled data and patterns that ``bot.content`` loads. May import ``bot.content`` only.
"""
