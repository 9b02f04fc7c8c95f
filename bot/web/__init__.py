"""The one web process: web chat, REST channel, Telegram webhook and health."""
