"""Channel adapters: translate a channel's own messages to and from the pipeline's."""
