"""Incidents' states: ``portal`` (report a fault, the list, one incident), ``staff`` (the
bell, History, one incident), ``common`` (the live watcher, page links, photos read)."""
