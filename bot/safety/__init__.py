"""Safeguarding: the screen every piece of user text passes first, and the alerts it raises."""
