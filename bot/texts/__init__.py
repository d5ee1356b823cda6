"""What Pacer says, one module per capability (clubs and nudges keep theirs in their packages)."""
