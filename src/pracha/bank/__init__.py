"""The demo bank: a separate process (`pracha bank serve`) with its own database that pays Thai QR bill
payments, calls the biller (Pracha) back with signed messages, refunds, and publishes daily statements."""
