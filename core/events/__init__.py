"""Domain events: what happened that someone must hear about, written in the transaction that made it happen.

The core does not know how people are told (ARCHITECTURE.md: it never imports ``notifications``). A service
publishes one of the kinds in :mod:`core.events.kinds` (``EventKind``) with that kind's typed payload through
:func:`core.events.service.publish`, and consumers read it back with :func:`core.events.service.payload_of`.
The event row and whatever the plugins' ``on_event`` hooks add to the same session (notification rows, for
instance) commit together with the change, or not at all.
"""
