"""Outbound delivery: the sweep that claims scheduled messages and the queue that sends them.

``bot.delivery.sweep`` turns due rows into claimed messages; ``bot.delivery.outbound``
sends them within the platform's :class:`~bot.budget.SendBudget`. Import from
those modules directly.
"""
