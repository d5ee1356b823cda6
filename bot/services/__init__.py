"""Services, one per capability: runs, habits, profile, stats."""
