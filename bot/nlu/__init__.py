"""Language-understanding helpers that run beside Rasa (no deep-learning framework of their own)."""
