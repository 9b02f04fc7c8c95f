"""Services the capabilities share: the app context for custom actions, who is asking, the audit
log, integrations, the council's settings, staff passwords, the message rate limit, web chat
conversations and safe CSV."""
