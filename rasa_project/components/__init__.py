"""carebot's own Rasa graph components, named in config.yml by their module path."""
