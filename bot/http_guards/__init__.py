"""What every HTTP surface (the web chat, REST, Telegram's webhook, the staff dashboard) shares:
security headers, limits on request bodies and JSON, and when a cookie is Secure. It sits
below all of them, so none of them imports another for these."""
