"""Pure rules of a hashtag chat: no I/O, no framework imports, nothing of ours but domain."""
