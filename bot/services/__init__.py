"""Application services: the things carebot does, independent of channel and framework."""
