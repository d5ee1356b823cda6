"""Outbound delivery: the sweep that claims scheduled messages and the queues that send them.

``bot.delivery.sweep`` turns due rows into claimed messages; ``bot.delivery.queues``
holds each platform's send budget and outbound queue and records what each send did;
``bot.delivery.outbound`` is one platform's queue, sending within its
:class:`~bot.budget.SendBudget`. Import from those modules directly.
"""
