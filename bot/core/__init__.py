"""The core: boundary objects, the command list and the dispatcher."""
