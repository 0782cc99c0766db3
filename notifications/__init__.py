"""Notifications: the transactional outbox, its delivery and the in-site inbox.

A domain event (core/events) becomes one ``Notification`` row per recipient and channel in the transaction
that caused it (``fanout``); after commit the rows are delivered by Celery tasks on Redis, or in-process
when no Redis is configured (``tasks``, ``delivery``), through one provider per channel (``providers``).
"""
