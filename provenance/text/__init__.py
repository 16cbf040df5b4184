"""Text checks for "lawful and necessary" data: domains and purpose relevance, personal
information, blocklist matching. Pure functions on strings; the detectors wrap them."""
