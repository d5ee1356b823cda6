"""The terminal chat: try Pacer with no tokens, as a local runner."""

from adapters.console.chat import ConsoleAdapter, create_adapter

__all__ = ["ConsoleAdapter", "create_adapter"]
