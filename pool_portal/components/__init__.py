"""The one UI kit: every piece a page is built from, one module per kind of piece.

- ``style``: every style dict (the app's global rules, selects, fields, labels, sections).
- ``i18n``: ``T(key)``, a catalogue key's text in the viewer's language; page titles.
- ``layout``: the portal and admin shells, the sign-in card, a page's title and back link.
- ``sections``: titled groups (fieldset, record section, bordered box, dashboard panel).
- ``fields``: labelled inputs, checkboxes, the message next to a field.
- ``selects``: the native select, its options, labelled and record-form selects.
- ``toolbar``: search and filter bars (plain GET forms), download forms.
- ``tables``: the one table helper.
- ``pager``: the one pager, and a list's empty line.
- ``lists``: the portal list and the admin Data list, built from the above.
- ``badges``: coded values in their colours (palette.py), yes / no.
- ``notices``: callouts (what happened, form errors, missing records, switched-off lists).
- ``buttons``: "+ new" links, publish toggles, PDF links, counts that open a listing.
- ``upload``: drop zones, the files chosen, accepted types, a list of files to download.
- ``overlay``: dialogs and sheets.
- ``charts``: Plotly figures and their figures as tables.
- ``record``: the head of an admin record page and the cards of its parts.
- ``thread``: an incident's thread.
- ``native_form``: a form the browser submits itself (sign-in, GET filter bars).

Pages import their pieces from here only, never from another page."""
