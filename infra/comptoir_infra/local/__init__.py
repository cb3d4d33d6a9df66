"""The local stack (`comptoir up`): the whole system on one machine, nothing else installed.

moto as the embedded AWS, every Chalice app behind one gateway, a queue pump, an SMTP listener,
snapshots of the state in a data folder, and demo data.
"""
