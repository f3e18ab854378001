"""Help at the counter (assisted digital): an officer opens a counter session for a visitor after checking
the ID card and recording the visitor's consent, fills and submits applications for them, and closes it
with a printed summary; recovery of an account without a working channel."""
