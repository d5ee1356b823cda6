"""Nudges: timely, rare, skippable reminders for the four habits, in the runner's own time."""
