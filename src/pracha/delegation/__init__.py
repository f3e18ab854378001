"""Acting for someone: a citizen authorises another citizen (child, relative, carer) for chosen services,
or all, for a period; the delegate chooses whom they act for and acts for them; the grantor sees every
action and revokes at any time. Made at the counter with a power-of-attorney document when the grantor
cannot use the portal."""
