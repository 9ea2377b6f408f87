"""Text rules: length per network, entities (hashtags, mentions, URLs, cashtags), answer tags.

Pure functions over strings: no I/O at call time, nothing cached per text.
"""
