"""Outbound delivery: a pacer per platform, shared by replies and scheduled messages, and the queue.

``bot.delivery.pacing`` keeps a platform's rate limits; ``bot.delivery.outbound``
sends queued messages through it. Import from those modules directly.
"""
