"""Messages between a person and their IRO: the person's side (``chat``) and working days."""
