"""hashchat: host structured hashtag chats (tweet chats) across networks."""

__version__ = "0.1.0"
