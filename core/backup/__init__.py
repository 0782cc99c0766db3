"""Backups of the platform: a consistent dump of the database, the stored files (uploaded materials, letters
and other generated documents) and a manifest with their checksums; restoring one, and point-in-time recovery
on MariaDB by replaying the binary logs from the position the dump recorded (deploy/RUNBOOK.md)."""
