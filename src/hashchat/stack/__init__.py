"""The scaled-out stack on one machine: several `hashchat serve` processes behind nginx + nchan."""
