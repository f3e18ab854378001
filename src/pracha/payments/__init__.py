"""Fees paid online: what a service charges (from the catalogue), Thai QR bill payments, the bank's
signed callbacks, reconciliation with the bank's statement, e-receipts, refunds and counter payments.

It sits above the automation: fees are expressions of the automation's rule language, receipts are
rendered like its documents, and a paid fee lets the automation go on (issue the document, run the bot).
"""
