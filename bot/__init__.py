"""carebot: a messaging assistant for children in care, care leavers, parents and IROs."""

__version__ = "0.1.0"
