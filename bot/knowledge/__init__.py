"""What carebot knows and says: content/ loaded once (words, councils' values, laws in force),
the topic library, the entitlements checker's rules, and the content report."""
