"""Custom actions (rasa-sdk), run in process by bot.rasa_runtime. Thin: words come from content/."""
