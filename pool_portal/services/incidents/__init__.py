"""Incidents: faults reported from the portal, handled by staff. Plain Python, no Reflex.

- ``common``: the fields' choices and limits, error keys, references, the pages' paths,
  whether a portal viewer has incidents (``portal_enabled``).
- ``status``: the customer-facing status (the Python rule and its SQL twin).
- ``portal``: report an incident, the view's list, one incident's page, post a message.
- ``history``: staff's list with its filters; ``detail``: one incident for staff;
  ``staff``: classify, tasks, schedule the visit, notes and replies, solve, reopen.
- ``thread``: the thread both sides read; ``photos``: stored, deleted on rollback, served.
- ``notify``: notifications, the mails after commit, the bell.

Services never commit: the caller's unit of work does (``pool_portal.db.session_scope``,
``states.shell.call``); mail and file deletions are its effects.
"""
