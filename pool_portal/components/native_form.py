"""A plain HTML form that the browser submits itself (to a backend route).

Reflex's form always intercepts submit and sends the fields over the websocket; the
sign-in and sign-out forms must instead reach the backend route that sets or clears
the HttpOnly session cookie, so they use this variant with no submit handler.
"""

from __future__ import annotations

from reflex_components_core.el.elements.forms import Form


class NativeForm(Form):
    @classmethod
    def create(cls, *children, **props):
        props.setdefault("handle_submit_unique_name", "native")
        # Skip Form.create, which would add a prevent-default submit handler.
        return super(Form, cls).create(*children, **props)


native_form = NativeForm.create
