"""What a resident can report, and the questions each service asks.

`services` holds the catalogue (the back office's, with the city folder as hints and fallback); `answers`
reads a resident's reply to one of those questions.
"""
