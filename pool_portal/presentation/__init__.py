"""From typed read models to what a person sees: colours (``palette``) and text in the
viewer's language and the tenant's time zone (``display``). Services hand out numbers,
dates and enums; only this package turns them into strings."""
